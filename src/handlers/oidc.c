/* OIDC connections: create, and update with OpenID Connect discovery of the endpoint URLs when the
 * issuer changes. */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <strings.h>

#include "handlers/handlers.h"
#include "outbound/fetch.h"
#include "outbound/url.h"
#include "model/ids.h"
#include "model/render.h"
#include "outbound/outbound.h"
#include "util/util.h"

#define DISCOVERY_PATH "/.well-known/openid-configuration"

/* The four endpoint URLs, their body field and the discovery document key that fills each. */
static const struct {
	const char *field;
	const char *discovery_key;
	size_t offset;
} endpoints[] = {
    {"authorization_url", "authorization_endpoint", offsetof(se_oidc, authorization_url)},
    {"token_url", "token_endpoint", offsetof(se_oidc, token_url)},
    {"userinfo_url", "userinfo_endpoint", offsetof(se_oidc, userinfo_url)},
    {"jwks_url", "jwks_uri", offsetof(se_oidc, jwks_url)},
};
#define N_ENDPOINTS (sizeof endpoints / sizeof endpoints[0])

#define UPDATE_TYPES                                                                                                   \
	"display_name:s client_id:s client_secret:s issuer:s authorization_url:s token_url:s userinfo_url:s "          \
	"jwks_url:s identity_provider:s custom_scopes:s attribute_mapping:o"

int se_h_oidc_create(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_OIDC);
	se_oidc c = {0};
	int rc = -1;
	if (se_h_conn_new(r, k, &c) < 0)
		goto done;
	if (se_conn_fill_defaults(k, &c) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (se_h_insert(r, k, &c) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_oidc(&c, r->cfg->public_url));
done:
	se_conn_release(k, &c);
	return rc;
}

/* Whether the body gives endpoint i a value (an explicit value wins over discovery). */
static bool body_gives(const se_req *r, size_t i)
{
	const char *v = se_json_str(r->body, endpoints[i].field);
	return v && *v;
}

/* The endpoint URLs discovered for an issuer (NULL where the document had none), or a warning
 * saying why discovery failed; while the fetch runs, also what the digest needs. */
typedef struct discovery {
	char *urls[N_ENDPOINTS];
	char *warning;
	char *url;               /* the discovery document's URL */
	bool given[N_ENDPOINTS]; /* the body gives endpoint i (so the document's value is not needed) */
	bool parsed;             /* the fetch succeeded and the digest ran */
} discovery;

static void discovery_release(discovery *d)
{
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		free(d->urls[i]);
	free(d->warning);
	free(d->url);
	memset(d, 0, sizeof *d);
}

static void discovery_free(void *ctx)
{
	if (ctx)
		discovery_release(ctx);
	free(ctx);
}

/* Runs on the fetch worker: reads the discovery document into d->urls, or says in d->warning why
 * it could not. Only ENOMEM is an error of the job. */
static int digest_discovery(void *ctx, const char *body, size_t len, char **ret_error)
{
	discovery *d = ctx;
	char missing[128] = "";
	d->parsed = true;
	json_t *doc = json_loadb(body, len, 0, NULL);
	int rc = 0;
	if (!json_is_object(doc)) {
		d->warning =
		    se_asprintf("OIDC discovery from %s failed: the document is not a JSON object. The endpoint "
		                "URLs were not filled in.",
		                d->url);
		rc = d->warning ? 0 : SE_ENOMEM;
		goto done;
	}
	for (size_t i = 0; i < N_ENDPOINTS; i++) {
		if (d->given[i])
			continue;
		const char *v = se_json_str(doc, endpoints[i].discovery_key);
		if (v && *v && json_string_length(json_object_get(doc, endpoints[i].discovery_key)) <= 2048) {
			if (!(d->urls[i] = strdup(v))) {
				rc = SE_ENOMEM;
				goto done;
			}
		} else {
			if (*missing)
				strcat(missing, ", ");
			strcat(missing, endpoints[i].discovery_key);
		}
	}
	if (*missing && !(d->warning = se_asprintf("OIDC discovery from %s failed: the document has no usable string "
	                                           "value for %s. Those endpoint URLs were not filled in.",
	                                           d->url, missing)))
		rc = SE_ENOMEM;
done:
	if (rc < 0)
		*ret_error = strdup("Out of memory.");
	json_decref(doc);
	return rc;
}

/* Whether host is this machine: localhost (or a name under it), 127.0.0.0/8 or ::1. */
static bool loopback_host(const char *host)
{
	size_t n = strlen(host);
	if (strcasecmp(host, "localhost") == 0 || (n > 10 && strcasecmp(host + n - 10, ".localhost") == 0))
		return true;
	if (strcmp(host, "[::1]") == 0 || strcmp(host, "::1") == 0)
		return true;
	struct in_addr a;
	return inet_pton(AF_INET, host, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* issuer must be an absolute https:// URL, or http:// for a loopback host, with a host and without
 * a query or fragment: discovery appends its path, which a '?' or '#' would turn into a query. */
static bool issuer_valid(const char *issuer)
{
	if (strlen(issuer) > 2048)
		return false;
	for (const unsigned char *p = (const unsigned char *)issuer; *p; p++)
		if (*p <= 0x20 || *p >= 0x7f || *p == '?' || *p == '#' || *p == '\\')
			return false;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;
	if (u && curl_url_set(u, CURLUPART_URL, issuer, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host)
		ok = strcasecmp(scheme, "https") == 0 || (strcasecmp(scheme, "http") == 0 && loopback_host(host));
	/* Only what curl parsed as the scheme may precede "://": no "https:host" shorthand. */
	ok = ok && strncasecmp(issuer, scheme, strlen(scheme)) == 0 && strncmp(issuer + strlen(scheme), "://", 3) == 0;
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* Applies every field of the body and the discovered URLs to c. */
static int apply(se_req *r, const discovery *d, se_oidc *c)
{
	char **strs[] = {&c->display_name, &c->client_id, &c->client_secret, &c->issuer, &c->custom_scopes};
	static const char *const fields[] = {"display_name", "client_id", "client_secret", "issuer", "custom_scopes"};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (se_h_set_str(r, fields[i], strs[i]) < 0)
			return -1;
	for (size_t i = 0; i < N_ENDPOINTS; i++) {
		char **dst = (char **)((char *)c + endpoints[i].offset);
		if (se_h_set_str(r, endpoints[i].field, dst) < 0)
			return -1;
		if (!body_gives(r, i) && d->urls[i]) {
			char *copy = strdup(d->urls[i]);
			if (!copy)
				return se_req_internal(r);
			free(*dst);
			*dst = copy;
		}
	}
	/* identity_provider was checked against the enum before the transaction. */
	if (se_h_set_str(r, "identity_provider", &c->identity_provider) < 0)
		return -1;
	json_t *m = json_object_get(r->body, "attribute_mapping");
	if (json_is_object(m)) {
		json_t *copy = json_deep_copy(m);
		if (!copy)
			return se_req_internal(r);
		json_decref(c->attribute_mapping);
		c->attribute_mapping = copy;
	}
	return 0;
}

/* Loads connection id of the request's organization, answering oidc_connection_not_found. */
static int load(se_req *r, const char *id, se_oidc *ret)
{
	int g = se_store_conn_get(r->db, se_kind_get(SE_KIND_OIDC), r->org.organization_id, id, ret);
	if (g == SE_ENOTFOUND)
		return se_req_fail(r, SE_ERR_OIDC_CONNECTION_NOT_FOUND, "OIDC connection %s could not be found.", id);
	return g < 0 ? se_req_internal(r) : 0;
}

/* Each endpoint URL the body gives must be an http or https URL (oidc_connection_<field>_invalid_format). */
static int check_urls(se_req *r)
{
	static const struct {
		const char *field;
		se_error_id err;
	} fields[] = {
		{"authorization_url", SE_ERR_OIDC_AUTHORIZATION_URL_INVALID},
		{"token_url", SE_ERR_OIDC_TOKEN_URL_INVALID},
		{"userinfo_url", SE_ERR_OIDC_USERINFO_URL_INVALID},
		{"jwks_url", SE_ERR_OIDC_JWKS_URL_INVALID},
	};
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *url = se_json_str(r->body, fields[i].field);
		bool https, loopback;
		if (!url || !*url)
			continue;
		int rc = se_url_check(url, &https, &loopback);
		if (rc == SE_ENOMEM)
			return se_req_internal(r);
		if (rc < 0)
			return se_req_fail(r, fields[i].err, "%s %.200s is not a valid URL.", fields[i].field, url);
	}
	return 0;
}

/* The update's second half, once discovery (if any) has ended: applies the body and d in one
 * transaction and answers, with d->warning when discovery failed. */
static int update_apply(se_req *r, discovery *d)
{
	const se_kind *k = se_kind_get(SE_KIND_OIDC);
	const char *id = se_req_arg(r, "connection_id");
	se_oidc c = {0};
	json_t *warning = NULL;
	int rc = -1;
	if (d->warning && !(warning = json_string(d->warning))) {
		se_req_internal(r);
		goto done;
	}
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	/* Loaded again under the lock: the connection may have changed or gone during the fetch. */
	if (load(r, id, &c) < 0 || apply(r, d, &c) < 0) {
		se_db_rollback(r->db);
		goto done;
	}
	if (se_store_conn_update(r->db, k, &c) < 0) {
		se_db_rollback(r->db);
		se_req_internal(r);
		goto done;
	}
	if (se_h_commit(r) < 0 || se_h_out_connection(r, se_render_oidc(&c, r->cfg->public_url)) < 0)
		goto done;
	if (warning && json_object_set(r->out, "warning", warning) < 0) {
		se_req_internal(r);
		goto done;
	}
	rc = 0;
done:
	json_decref(warning);
	se_conn_release(k, &c);
	return rc;
}

/* The continuation: discovery has ended, well or not. */
static int update_continue(se_req *r, se_outbound_job *job, void *ctx)
{
	discovery *d = ctx;
	const char *error = NULL;
	int rc = se_outbound_job_result(job, NULL, NULL, &error);
	if (rc == SE_ENOMEM)
		return se_req_internal(r);
	if (rc < 0 && se_outbound_job_stopped(job))
		return se_req_fail(r, SE_ERR_SERVICE_UNAVAILABLE, "%s", error ? error : "The emulator is stopping.");
	if (rc < 0 && !d->parsed && !d->warning &&
	    !(d->warning = se_asprintf("OIDC discovery failed. %s The endpoint URLs were not filled in.",
	                               error ? error : "The document could not be fetched.")))
		return se_req_internal(r);
	return update_apply(r, d);
}

int se_h_oidc_update(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_OIDC);
	se_oidc c = {0};
	const char *idp = NULL;
	const char *id = se_req_arg(r, "connection_id");
	if (se_req_check_types(r, UPDATE_TYPES) < 0 || se_h_idp(r, false, &idp) < 0 ||
	    se_h_check_attribute_mapping(r) < 0 || check_urls(r) < 0)
		return -1;
	const char *issuer = se_json_str(r->body, "issuer");
	if (issuer && *issuer && !issuer_valid(issuer))
		return se_req_fail(r, SE_ERR_OIDC_ISSUER_INVALID, NULL);
	if (load(r, id, &c) < 0)
		return -1;
	bool all_given = true;
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		all_given = all_given && body_gives(r, i);
	bool changed = issuer && *issuer && strcmp(issuer, c.issuer) != 0;
	se_conn_release(k, &c);
	discovery *d = calloc(1, sizeof *d);
	if (!d)
		return se_req_internal(r);
	if (!changed || all_given) {
		int rc = update_apply(r, d);
		discovery_free(d);
		return rc;
	}
	/* Discovery runs on the fetch worker: the write lock is never held across network I/O, and no
	 * server thread waits for it. */
	size_t n = strlen(issuer);
	while (n > 0 && issuer[n - 1] == '/')
		n--;
	if (!(d->url = se_asprintf("%.*s" DISCOVERY_PATH, (int)n, issuer)) || !r->outbound) {
		discovery_free(d);
		return se_req_internal(r);
	}
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		d->given[i] = body_gives(r, i);
	se_fetch_opts opts = {.timeout_ms = SE_FETCH_TIMEOUT_MS, .max_bytes = SE_FETCH_MAX_BYTES, .file_dir = NULL};
	se_outbound_job *job = NULL;
	char *error = NULL;
	int rc = se_outbound_job_new(r->outbound, r->credential, d->url, &opts, digest_discovery, d, &job, &error);
	if (rc == SE_ELIMIT) {
		se_req_fail(r, SE_ERR_TOO_MANY_OUTBOUND_FETCHES, "%s", error ? error : "");
	} else if (rc == SE_ENOMEM) {
		se_req_internal(r);
	} else if (rc < 0) {
		/* A URL that cannot be fetched is a failed discovery, not a failed update. */
		d->warning = se_asprintf("OIDC discovery failed. %s The endpoint URLs were not filled in.",
		                         error ? error : "The URL cannot be fetched.");
		free(error);
		rc = d->warning ? update_apply(r, d) : se_req_internal(r);
		discovery_free(d);
		return rc;
	}
	free(error);
	if (rc < 0) {
		discovery_free(d);
		return -1;
	}
	return se_req_pending(r, job, update_continue, d, discovery_free);
}
