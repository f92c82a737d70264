/* OIDC connections: create, and update with OpenID Connect discovery of the endpoint URLs when the
 * issuer changes. */
#include <stdlib.h>
#include <string.h>

#include "outbound/fetch.h"
#include "handlers/handlers.h"
#include "model/ids.h"
#include "model/render.h"
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
 * saying why discovery failed. */
typedef struct discovery {
	char *urls[N_ENDPOINTS];
	char *warning;
} discovery;

static void discovery_release(discovery *d)
{
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		free(d->urls[i]);
	free(d->warning);
	memset(d, 0, sizeof *d);
}

/* Reads <issuer>/.well-known/openid-configuration into *d. A failure of the fetch or of the
 * document is not an error of the request: it becomes d->warning. Returns -1 only on a 500. */
static int discover(se_req *r, const char *issuer, discovery *d)
{
	size_t n = strlen(issuer);
	while (n > 0 && issuer[n - 1] == '/')
		n--;
	char *url = se_asprintf("%.*s" DISCOVERY_PATH, (int)n, issuer);
	char *body = NULL, *error = NULL, missing[128] = "";
	size_t len = 0;
	json_t *doc = NULL;
	int rc = -1;
	if (!url)
		return se_req_internal(r);
	if (se_fetch(url, false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, &body, &len, &error) < 0) {
		/* se_fetch's reasons name the URL; the fallback must too. */
		if (error && strstr(error, url))
			d->warning =
			    se_asprintf("OIDC discovery failed. %s The endpoint URLs were not filled in.", error);
		else
			d->warning =
			    se_asprintf("OIDC discovery from %s failed. %s The endpoint URLs were not filled in.", url,
			                error ? error : "The document could not be fetched.");
		rc = d->warning ? 0 : se_req_internal(r);
		goto done;
	}
	doc = json_loadb(body, len, 0, NULL);
	if (!json_is_object(doc)) {
		d->warning =
		    se_asprintf("OIDC discovery from %s failed: the document is not a JSON object. The endpoint "
		                "URLs were not filled in.",
		                url);
		rc = d->warning ? 0 : se_req_internal(r);
		goto done;
	}
	for (size_t i = 0; i < N_ENDPOINTS; i++) {
		if (body_gives(r, i))
			continue;
		const char *v = se_json_str(doc, endpoints[i].discovery_key);
		if (v && *v) {
			if (!(d->urls[i] = strdup(v)))
				goto oom;
		} else {
			if (*missing)
				strcat(missing, ", ");
			strcat(missing, endpoints[i].discovery_key);
		}
	}
	if (*missing &&
	    !(d->warning = se_asprintf("OIDC discovery from %s failed: the document has no string value for "
	                               "%s. Those endpoint URLs were not filled in.",
	                               url, missing)))
		goto oom;
	rc = 0;
	goto done;
oom:
	rc = se_req_internal(r);
done:
	json_decref(doc);
	free(body);
	free(error);
	free(url);
	return rc;
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

int se_h_oidc_update(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_OIDC);
	se_oidc c = {0};
	discovery d = {0};
	json_t *warning = NULL;
	const char *idp = NULL;
	const char *id = se_req_arg(r, "connection_id");
	int rc = -1;
	if (se_req_check_types(r, UPDATE_TYPES) < 0 || se_h_idp(r, false, &idp) < 0 || se_h_check_attribute_mapping(r) < 0 ||
	    check_urls(r) < 0)
		goto done;
	if (load(r, id, &c) < 0)
		goto done;
	/* Discovery runs before the transaction: the write lock is never held across network I/O. */
	const char *issuer = se_json_str(r->body, "issuer");
	bool all_given = true;
	for (size_t i = 0; i < N_ENDPOINTS; i++)
		all_given = all_given && body_gives(r, i);
	if (issuer && *issuer && strcmp(issuer, c.issuer) != 0 && !all_given && discover(r, issuer, &d) < 0)
		goto done;
	se_conn_release(k, &c);
	if (d.warning && !(warning = json_string(d.warning))) {
		se_req_internal(r);
		goto done;
	}
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	/* Loaded again under the lock: the connection may have changed or gone during the fetch. */
	if (load(r, id, &c) < 0 || apply(r, &d, &c) < 0) {
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
	discovery_release(&d);
	se_conn_release(k, &c);
	return rc;
}
