/* The SCIM service provider's front: path to endpoint, bearer authentication against the stored
 * hashes, the per-connection rate limit, fault rules, body limits, one transaction per write, and
 * the SCIM error body (SCIM.md 1 and 7). */
#include "scim/scim.h"

#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/faults.h"
#include "core/mask.h"
#include "core/ratelimit.h"
#include "crypto/digest.h"
#include "scim/filter.h"
#include "scim/internal.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/text.h"
#include "util/util.h"

#define PREFIX "/v1/b2b/scim/"
/* Longer Authorization values are never a token of ours; they are refused without hashing. */
#define TOKEN_MAX 512

typedef int (*op_fn)(se_scim_req *r);

/* One endpoint: its name, whether it takes an id segment, and the operation per method. */
typedef struct endpoint {
	const char *name;
	bool with_id;
	op_fn get, post, put, patch, del;
	bool write_get; /* unused: reads need no transaction */
	bool not_implemented;
} endpoint;

static const endpoint endpoints[] = {
    {"ServiceProviderConfig", false, se_scim_service_provider_config, NULL, NULL, NULL, NULL, false, false},
    {"ResourceTypes", false, se_scim_resource_types, NULL, NULL, NULL, NULL, false, false},
    {"ResourceTypes", true, se_scim_resource_types, NULL, NULL, NULL, NULL, false, false},
    {"Schemas", false, se_scim_schemas, NULL, NULL, NULL, NULL, false, false},
    {"Schemas", true, se_scim_schemas, NULL, NULL, NULL, NULL, false, false},
    {"Users", false, se_scim_users_list, se_scim_users_create, NULL, NULL, NULL, false, false},
    {"Users", true, se_scim_users_get, NULL, se_scim_users_replace, se_scim_users_patch, se_scim_users_delete, false,
     false},
    {"Groups", false, se_scim_groups_list, se_scim_groups_create, NULL, NULL, NULL, false, false},
    {"Groups", true, se_scim_groups_get, NULL, se_scim_groups_replace, se_scim_groups_patch, se_scim_groups_delete,
     false, false},
};

bool se_scim_path(const char *path)
{
	if (!path || strncmp(path, PREFIX, strlen(PREFIX)) != 0)
		return false;
	const char *cid = path + strlen(PREFIX);
	size_t n = strcspn(cid, "/");
	if (n == 0)
		return false;
	const char *rest = cid + n;
	if (*rest == '\0' || strcmp(rest, "/") == 0)
		return true;
	rest++;
	/* /v1/b2b/scim/{org}/connection... stays with the connection API. */
	size_t sl = strcspn(rest, "/");
	return !(sl == strlen("connection") && strncmp(rest, "connection", sl) == 0);
}

int se_scim_req_fail(se_scim_req *r, int status, const char *scim_type, const char *fmt, ...)
{
	r->err.status = status;
	r->err.scim_type = scim_type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err.detail, sizeof r->err.detail, fmt, ap);
	va_end(ap);
	return -1;
}

int se_scim_req_internal(se_scim_req *r)
{
	return se_scim_req_fail(r, 500, NULL, "An unexpected error occurred.");
}

const char *se_scim_query(const se_scim_req *r, const char *name)
{
	return se_http_query(r->in, name);
}

int se_scim_check_schemas(se_scim_req *r, const char *urn)
{
	json_t *s = se_scim_ci_get(r->body, "schemas", NULL);
	if (!s || json_is_null(s))
		return 0;
	size_t i;
	json_t *v;
	json_array_foreach (s, i, v)
		if (json_is_string(v) && strcasecmp(json_string_value(v), urn) == 0)
			return 0;
	return se_scim_req_fail(r, 400, "invalidSyntax", "schemas must hold %s.", urn);
}

int se_scim_tx(se_scim_req *r, int (*op)(se_scim_req *r))
{
	if (se_db_begin(r->db) < 0)
		return se_scim_req_internal(r);
	if (op(r) < 0) {
		se_db_rollback(r->db);
		return -1;
	}
	if (se_db_commit(r->db) < 0)
		return se_scim_req_internal(r);
	return 0;
}

json_t *se_scim_meta(const se_scim_req *r, const char *rt_name, const char *path, const char *created,
                     const char *updated)
{
	char *loc = se_asprintf("%s/%s", r->base, path);
	json_t *m = loc ? json_pack("{s:s, s:s, s:s, s:s}", "resourceType", rt_name, "created", created, "lastModified",
	                            updated, "location", loc)
	                : NULL;
	free(loc);
	return m;
}

json_t *se_scim_list(json_t *resources, long total, long start)
{
	if (!resources)
		return NULL;
	return json_pack("{s:[s], s:I, s:I, s:I, s:o}", "schemas", SE_SCIM_URN_LIST, "totalResults", (json_int_t)total,
	                 "startIndex", (json_int_t)start, "itemsPerPage", (json_int_t)json_array_size(resources),
	                 "Resources", resources);
}

/* Parses an integer query parameter; absent keeps *v. */
static int int_param(se_scim_req *r, const char *name, long *v)
{
	const char *s = se_scim_query(r, name);
	if (!s)
		return 0;
	char *end = NULL;
	long x = strtol(s, &end, 10);
	if (!*s || *end || strlen(s) > 18)
		return se_scim_req_fail(r, 400, "invalidValue", "%s must be an integer.", name);
	*v = x;
	return 0;
}

int se_scim_paging(se_scim_req *r, long *ret_start, long *ret_count)
{
	long start = 1, count = SE_SCIM_DEFAULT_COUNT;
	if (int_param(r, "startIndex", &start) < 0 || int_param(r, "count", &count) < 0)
		return -1;
	if (start < 1)
		start = 1;
	if (count < 0)
		count = 0;
	if (count > SE_SCIM_MAX_RESULTS)
		count = SE_SCIM_MAX_RESULTS;
	*ret_start = start;
	*ret_count = count;
	return 0;
}

/* Splits a comma-separated list of names into arr. */
static int names(se_scim_req *r, const char *param, json_t **ret)
{
	const char *s = se_scim_query(r, param);
	*ret = NULL;
	if (!s)
		return 0;
	json_t *arr = json_array();
	if (!arr)
		return se_scim_req_internal(r);
	while (*s) {
		size_t n = strcspn(s, ",");
		const char *a = s, *b = s + n;
		while (a < b && *a == ' ')
			a++;
		while (b > a && b[-1] == ' ')
			b--;
		if (b > a)
			json_array_append_new(arr, json_stringn(a, (size_t)(b - a)));
		if (json_array_size(arr) > SE_SCIM_MAX_ATTR_NAMES) {
			json_decref(arr);
			return se_scim_req_fail(r, 400, "invalidValue", "%s names more than %d attributes.", param,
			                        SE_SCIM_MAX_ATTR_NAMES);
		}
		s += n + (s[n] ? 1 : 0);
	}
	*ret = arr;
	return 0;
}

/* The top-level key (or extension key) a name designates: *ret_ext set for an extension attribute. */
static void name_target(const se_scim_rtype *rt, const char *name, char *key, size_t size, bool *ret_ext, char *ext_key,
                        size_t ext_size)
{
	*ret_ext = false;
	const char *n = name;
	if (strncasecmp(n, rt->core->urn, strlen(rt->core->urn)) == 0 && n[strlen(rt->core->urn)] == ':')
		n += strlen(rt->core->urn) + 1;
	else if (rt->ext && strncasecmp(n, rt->ext->urn, strlen(rt->ext->urn)) == 0 && n[strlen(rt->ext->urn)] == ':') {
		n += strlen(rt->ext->urn) + 1;
		*ret_ext = true;
	}
	size_t l = strcspn(n, ".");
	snprintf(key, size, "%.*s", (int)l, n);
	snprintf(ext_key, ext_size, "%s", n);
}

static bool listed(const se_scim_rtype *rt, json_t *list, const char *key, bool ext)
{
	size_t i;
	json_t *v;
	json_array_foreach (list, i, v) {
		char k[256], ek[256];
		bool e;
		name_target(rt, json_string_value(v), k, sizeof k, &e, ek, sizeof ek);
		if (e == ext && strcasecmp(k, key) == 0)
			return true;
		/* The extension URN alone names the whole extension. */
		if (!ext && rt->ext && strcasecmp(json_string_value(v), key) == 0)
			return true;
	}
	return false;
}

static bool always_returned(const char *k)
{
	return strcasecmp(k, "id") == 0 || strcasecmp(k, "schemas") == 0;
}

int se_scim_project(se_scim_req *r, const se_scim_rtype *rt, json_t *res)
{
	json_t *attrs = NULL, *excl = NULL;
	if (names(r, "attributes", &attrs) < 0 || names(r, "excludedAttributes", &excl) < 0) {
		json_decref(attrs);
		return -1;
	}
	json_t *keep = attrs ? attrs : excl;
	bool inclusive = attrs != NULL;
	if (keep) {
		const char *k;
		json_t *v;
		void *tmp;
		json_object_foreach_safe(res, tmp, k, v)
		{
			if (always_returned(k))
				continue;
			if (rt->ext && strcasecmp(k, rt->ext->urn) == 0 && json_is_object(v)) {
				bool whole = listed(rt, keep, k, false);
				if (whole) {
					if (!inclusive)
						json_object_del(res, k);
					continue;
				}
				const char *ek;
				json_t *ev;
				void *t2;
				json_object_foreach_safe(v, t2, ek, ev)
				{
					if (listed(rt, keep, ek, true) != inclusive)
						json_object_del(v, ek);
				}
				if (json_object_size(v) == 0)
					json_object_del(res, k);
				continue;
			}
			if (listed(rt, keep, k, false) != inclusive)
				json_object_del(res, k);
		}
	}
	json_decref(attrs);
	json_decref(excl);
	return 0;
}

/* --- authentication ---------------------------------------------------------------------------- */

static bool unexpired(const char *at, time_t now)
{
	time_t t;
	return at && *at && se_time_parse(at, &t) == 0 && t > now;
}

/* Checks the bearer token for connection cid; fills r->conn. */
static int authenticate(se_scim_req *r, const char *cid, se_http_out *out)
{
	const char *h = se_http_header(r->in, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0) {
		se_http_out_header(out, "WWW-Authenticate", "Bearer realm=\"ssoemu SCIM\"");
		return se_scim_req_fail(r, 401, NULL, "A bearer token is required.");
	}
	const char *tok = h + 7;
	while (*tok == ' ')
		tok++;
	size_t tl = strlen(tok);
	while (tl && tok[tl - 1] == ' ')
		tl--;
	char hash[65] = "";
	if (tl && tl <= TOKEN_MAX)
		se_crypto_sha256_hex(tok, tl, hash);
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	int g = se_store_conn_get(r->db, k, NULL, cid, &r->conn);
	if (g < 0 && g != SE_ENOTFOUND)
		return se_scim_req_internal(r);
	bool found = g == 0;
	/* Both hashes are always compared, against placeholders when there is no connection. */
	static const char none[] = "----------------------------------------------------------------";
	const char *cur = found ? r->conn.bearer_token_hash : none;
	const char *next = found && *r->conn.next_bearer_token_hash ? r->conn.next_bearer_token_hash : none;
	int ok_cur = se_crypto_streq(hash, cur), ok_next = se_crypto_streq(hash, next);
	bool ok = found && *hash &&
	          ((ok_cur && unexpired(r->conn.bearer_token_expires_at, r->now)) ||
	           (ok_next && unexpired(r->conn.next_bearer_token_expires_at, r->now)));
	OPENSSL_cleanse(hash, sizeof hash);
	if (!ok) {
		se_http_out_header(out, "WWW-Authenticate", "Bearer realm=\"ssoemu SCIM\", error=\"invalid_token\"");
		return se_scim_req_fail(r, 401, NULL, "The bearer token is not valid for this connection.");
	}
	return 0;
}

/* --- the request ------------------------------------------------------------------------------- */

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Copies the next segment of *p (decoded) into buf; returns its length or -1. */
static int next_segment(const char **p, char *buf, size_t size)
{
	if (**p != '/')
		return -1;
	(*p)++;
	size_t n = strcspn(*p, "/");
	if (n >= size)
		return -2;
	memcpy(buf, *p, n);
	buf[n] = '\0';
	*p += n;
	if (se_percent_decode(buf) < 0)
		return -2;
	return (int)strlen(buf);
}

static int parse_body(se_scim_req *r)
{
	const se_http_in *in = r->in;
	if (in->body_len == 0)
		return se_scim_req_fail(r, 400, "invalidSyntax",
		                        "The request body is empty: a JSON object is expected.");
	if (se_json_too_deep(in->body, in->body_len, SE_JSON_MAX_DEPTH))
		return se_scim_req_fail(r, 400, "invalidSyntax", "The request body nests deeper than %d levels.",
		                        SE_JSON_MAX_DEPTH);
	json_error_t jerr;
	r->body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->body)
		return se_scim_req_fail(r, 400, "invalidSyntax",
		                        "The request body is not valid JSON: %s (line %d, column %d).", jerr.text,
		                        jerr.line, jerr.column);
	if (!json_is_object(r->body))
		return se_scim_req_fail(r, 400, "invalidSyntax", "The request body must be a JSON object.");
	if (se_json_check_sizes(r->body, SE_JSON_MAX_STRING, SE_JSON_MAX_ITEMS) < 0)
		return se_scim_req_fail(
		    r, 400, "invalidSyntax",
		    "The request body has a string longer than %d bytes or a list of more than %d items.",
		    SE_JSON_MAX_STRING, SE_JSON_MAX_ITEMS);
	return 0;
}

/* Finds the operation for the path after the connection id; NULL with r->err set when none. */
static op_fn route(se_scim_req *r, const char *rest, size_t *ret_index, bool *ret_body)
{
	char ep[64];
	*ret_body = false;
	const char *p = rest;
	if (strcmp(p, "/") == 0 || *p == '\0')
		goto not_found;
	int n = next_segment(&p, ep, sizeof ep);
	if (n <= 0)
		goto not_found;
	bool has_id = false;
	if (*p && strcmp(p, "/") != 0) {
		int m = next_segment(&p, r->id, sizeof r->id);
		if (m <= 0 || (*p && strcmp(p, "/") != 0))
			goto not_found;
		has_id = true;
	}
	bool search =
	    strcasecmp(ep, ".search") == 0 || (has_id && strcasecmp(r->id, ".search") == 0 &&
	                                       (strcasecmp(ep, "Users") == 0 || strcasecmp(ep, "Groups") == 0));
	if (strcasecmp(ep, "Bulk") == 0 || strcasecmp(ep, "Me") == 0 || search) {
		*ret_index = 100;
		r->status = 501;
		return NULL;
	}
	const char *m = r->in->method;
	for (size_t i = 0; i < sizeof endpoints / sizeof endpoints[0]; i++) {
		const endpoint *e = &endpoints[i];
		if (strcasecmp(e->name, ep) != 0 || e->with_id != has_id)
			continue;
		op_fn f = strcmp(m, "GET") == 0      ? e->get
		          : strcmp(m, "POST") == 0   ? e->post
		          : strcmp(m, "PUT") == 0    ? e->put
		          : strcmp(m, "PATCH") == 0  ? e->patch
		          : strcmp(m, "DELETE") == 0 ? e->del
		                                     : NULL;
		if (!f)
			break;
		*ret_index = i * 8 + (size_t)(f == e->get     ? 0
		                              : f == e->post  ? 1
		                              : f == e->put   ? 2
		                              : f == e->patch ? 3
		                                              : 4);
		*ret_body = f == e->post || f == e->put || f == e->patch;
		return f;
	}
not_found:
	se_scim_req_fail(r, 404, NULL, "No SCIM endpoint for %s %s.", r->in->method, "this path");
	return NULL;
}

static const char *status_type(int status)
{
	switch (status) {
	case 400: return "scim_400";
	case 401: return "scim_401";
	case 403: return "scim_403";
	case 404: return "scim_404";
	case 409: return "scim_409";
	case 413: return "scim_413";
	case 429: return "scim_429";
	case 501: return "scim_501";
	case 503: return "scim_503";
	default: return "scim_500";
	}
}

static int run(se_scim_req *r, se_http_out *out)
{
	const char *path = r->in->path + strlen(PREFIX);
	char cid[SE_SCIM_SEG_MAX];
	size_t cl = strcspn(path, "/");
	if (cl >= sizeof cid)
		return se_scim_req_fail(r, 404, NULL, "No SCIM endpoint for this path.");
	memcpy(cid, path, cl);
	cid[cl] = '\0';
	if (se_percent_decode(cid) < 0)
		return se_scim_req_fail(r, 404, NULL, "No SCIM endpoint for this path.");
	size_t index = 0;
	bool wants_body = false;
	op_fn op = route(r, path + cl, &index, &wants_body);
	if (!op && r->status != 501)
		return -1;
	if (authenticate(r, cid, out) < 0)
		return -1;
	r->base = se_asprintf("%s/v1/b2b/scim/%s", r->app->cfg.public_url, r->conn.connection_id);
	if (!r->base)
		return se_scim_req_internal(r);
	char *credential = se_asprintf("scim:%s", r->conn.connection_id);
	unsigned retry_after = 0;
	int limited =
	    credential ? se_ratelimit_take(r->app->ratelimit, credential, index, monotonic_now(), &retry_after) : 0;
	free(credential);
	if (limited < 0) {
		char secs[16];
		snprintf(secs, sizeof secs, "%u", retry_after);
		se_http_out_header(out, "Retry-After", secs);
		return se_scim_req_fail(r, 429, NULL, "Too many requests have been made.");
	}
	se_error_id fault = SE_ERR_NONE;
	if (r->app->faults && se_faults_take(r->app->faults, r->in->method, r->in->path, &fault, &out->delay_ms) &&
	    fault != SE_ERR_NONE) {
		int st = se_error_status(fault);
		if (st == 429)
			se_http_out_header(out, "Retry-After", "1");
		return se_scim_req_fail(r, st, NULL, "%s", se_error_default_message(fault));
	}
	if (!op) {
		r->status = 0;
		return se_scim_req_fail(r, 501, NULL, "This service provider does not implement %s.", "this endpoint");
	}
	/* A filter the edge could not keep must not turn into a list of everything. */
	if (r->in->query_truncated)
		return se_scim_req_fail(r, 400, "invalidFilter",
					"The query string is too long or has too many parameters (a filter is at most %d bytes).",
					SE_SCIM_FILTER_MAX_LEN);
	if (wants_body && parse_body(r) < 0)
		return -1;
	return op(r);
}

static json_t *error_body(const se_scim_error *e)
{
	char st[8], detail[sizeof e->detail];
	snprintf(st, sizeof st, "%d", e->status);
	/* The detail echoes the client's values, possibly cut mid-character by vsnprintf: repaired as UTF-8, or the
	 * body could not be built. */
	se_text_clip_into(detail, sizeof detail, e->detail, strlen(e->detail), NULL);
	json_t *b = json_pack("{s:[s], s:s, s:s}", "schemas", SE_SCIM_URN_ERROR, "status", st, "detail", detail);
	if (b && e->scim_type)
		json_object_set_new(b, "scimType", json_string(e->scim_type));
	return b;
}

/* The path for logs (core/mask.h): credential-shaped segments masked, control bytes escaped, cut
 * short on a character boundary. */
static char *log_path(se_app *app, const char *path)
{
	se_project *p = se_app_project(app);
	const char *list[4];
	size_t n = 0;
	if (p && p->secret)
		list[n++] = p->secret;
	if (p && p->public_token)
		list[n++] = p->public_token;
	if (app->cfg.admin_token)
		list[n++] = app->cfg.admin_token;
	list[n] = NULL;
	char *out = se_mask_path(path, NULL, list, SE_LOG_PATH_MAX);
	se_project_unref(p);
	return out;
}

void se_scim_handle(se_app *app, const se_http_in *in, se_http_out *out)
{
	se_scim_req r = {.app = app, .in = in, .now = time(NULL)};
	out->surface = "scim";
	out->log = 1;
	r.db = se_store_db(app->store);
	int rc;
	if (in->body_too_large)
		rc = se_scim_req_fail(&r, 413, NULL, "The request body is larger than %d bytes.", SE_HTTP_BODY_LIMIT);
	else if (!r.db)
		rc = se_scim_req_internal(&r);
	else
		rc = run(&r, out);
	json_t *body = NULL;
	if (rc == 0 && r.status == 0)
		rc = se_scim_req_internal(&r);
	if (rc == 0) {
		out->status = r.status;
		body = json_incref(r.out);
		if (r.location)
			se_http_out_header(out, "Location", r.location);
	} else {
		if (r.err.status == 0)
			se_scim_req_internal(&r);
		out->status = r.err.status;
		out->error_type = r.err.scim_type ? r.err.scim_type : status_type(r.err.status);
		body = error_body(&r.err);
	}
	if (body) {
		out->body = se_json_dump(body);
		out->body_len = out->body ? strlen(out->body) : 0;
		se_http_out_header(out, "Content-Type", "application/scim+json");
	} else if (out->status != 204) {
		out->status = 500;
		out->body = strdup("{\"schemas\":[\"" SE_SCIM_URN_ERROR
		                   "\"],\"status\":\"500\",\"detail\":\"Out of memory.\"}");
		out->body_len = out->body ? strlen(out->body) : 0;
		se_http_out_header(out, "Content-Type", "application/scim+json");
	}
	se_http_out_header(out, "X-Request-Id", out->request_id);
	out->log_path = log_path(app, in->path);
	json_decref(body);
	json_decref(r.out);
	json_decref(r.body);
	free(r.base);
	free(r.location);
	se_conn_release(se_kind_get(SE_KIND_SCIM), &r.conn);
}
