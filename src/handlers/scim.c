/* SCIM connections: create (with a bearer token shown once and stored as a hash), get, update, delete,
 * paged groups and bearer token rotation. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/base64url.h"
#include "crypto/digest.h"
#include "crypto/rand.h"
#include "util/time.h"
#include "handlers/handlers.h"
#include "model/ids.h"
#include "model/render.h"
#include "util/util.h"

#define SCIM_TOKEN_LEN 48
/* A bearer token lives one year (API.md section 3, chosen). */
#define SCIM_TOKEN_LIFETIME (365 * 24 * 3600)

/* A new bearer token into token[49], with its hash, last four and expiry written to the fields. */
static int new_token(se_req *r, char token[SCIM_TOKEN_LEN + 1], char **hash, char **last_four, char **expires_at)
{
	char h[65], exp[21];
	if (se_crypto_random_alnum(token, SCIM_TOKEN_LEN) < 0)
		return se_req_internal(r);
	se_crypto_sha256_hex(token, SCIM_TOKEN_LEN, h);
	se_time_format(r->now + SCIM_TOKEN_LIFETIME, exp);
	char *nh = strdup(h), *nl = strdup(token + SCIM_TOKEN_LEN - 4), *ne = strdup(exp);
	if (!nh || !nl || !ne) {
		free(nh);
		free(nl);
		free(ne);
		return se_req_internal(r);
	}
	free(*hash);
	free(*last_four);
	free(*expires_at);
	*hash = nh;
	*last_four = nl;
	*expires_at = ne;
	return 0;
}

int se_h_scim_create(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	se_scim c = {0}, existing;
	char token[SCIM_TOKEN_LEN + 1];
	int rc = -1;
	if (se_h_conn_new(r, k, &c) < 0)
		goto done;
	if (se_conn_fill_defaults(k, &c) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (new_token(r, token, &c.bearer_token_hash, &c.bearer_token_last_four, &c.bearer_token_expires_at) < 0)
		goto done;
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	int found = se_store_scim_by_org(r->db, c.organization_id, &existing);
	if (found == 0) {
		se_conn_release(k, &existing);
		se_db_rollback(r->db);
		se_req_fail(r, SE_ERR_ACTIVE_SCIM_EXISTS, NULL);
		goto done;
	}
	if (found != SE_ENOTFOUND || se_store_conn_insert(r->db, k, &c) < 0) {
		se_db_rollback(r->db);
		se_req_internal(r);
		goto done;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_scim(&c, r->cfg->public_url, token, NULL));
done:
	OPENSSL_cleanse(token, sizeof token);
	se_conn_release(k, &c);
	return rc;
}

/* Loads the organization's SCIM connection; when id is not NULL it must be that connection. Both
 * misses answer no_active_scim_connection. */
static int load(se_req *r, const char *id, se_scim *ret)
{
	int g = se_store_scim_by_org(r->db, r->org.organization_id, ret);
	if (g == SE_ENOTFOUND)
		return se_req_fail(r, SE_ERR_NO_ACTIVE_SCIM, "Organization %s has no active SCIM connection.",
		                   r->org.organization_id);
	if (g < 0)
		return se_req_internal(r);
	if (id && strcmp(id, ret->connection_id) != 0) {
		se_conn_release(se_kind_get(SE_KIND_SCIM), ret);
		return se_req_fail(r, SE_ERR_NO_ACTIVE_SCIM, "%s is not the active SCIM connection of organization %s.",
		                   id, r->org.organization_id);
	}
	return 0;
}

/* The connection id an operation names: required, from the path or the body. */
static int connection_id(se_req *r, const char **ret)
{
	json_t *v = json_object_get(r->body, "connection_id");
	if (v && !json_is_null(v) && !json_is_string(v))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "connection_id must be a string.");
	const char *id = se_req_arg(r, "connection_id");
	if (!id || !*id)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "connection_id is required.");
	*ret = id;
	return 0;
}

int se_h_scim_get(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	se_scim c;
	int g = se_store_scim_by_org(r->db, r->org.organization_id, &c);
	if (g == SE_ENOTFOUND) {
		/* No connection: 200 without a connection key (API.md section 2, chosen). */
		r->out = json_object();
		return r->out ? 0 : se_req_internal(r);
	}
	if (g < 0)
		return se_req_internal(r);
	int rc = se_h_out_connection(r, se_render_scim(&c, r->cfg->public_url, NULL, NULL));
	se_conn_release(k, &c);
	return rc;
}

/* Fills group_name of each {role_id, group_id} from the connection's groups; a group it does not have is refused. */
static int name_groups(se_req *r, const char *connection_id, json_t *roles)
{
	size_t i;
	json_t *item;
	json_array_foreach (roles, i, item) {
		char *name = NULL;
		int g = se_store_scim_group_name(r->db, connection_id,
		                                 json_string_value(json_object_get(item, "group_id")), &name);
		if (g == SE_ENOTFOUND)
			return se_req_fail(r, SE_ERR_SCIM_GROUP_DOES_NOT_EXIST,
					   "scim_group_implicit_role_assignments[%zu].group_id %s is not a group of SCIM connection %s.",
					   i, json_string_value(json_object_get(item, "group_id")), connection_id);
		if (g < 0)
			return se_req_internal(r);
		int s = json_object_set_new(item, "group_name", json_string(name ? name : ""));
		free(name);
		if (s < 0)
			return se_req_internal(r);
	}
	return 0;
}

int se_h_scim_update(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	se_scim c = {0};
	json_t *roles = NULL;
	const char *idp = NULL, *id = NULL;
	int rc = -1;
	if (connection_id(r, &id) < 0 || se_req_check_types(r, "display_name:s identity_provider:s") < 0 ||
	    se_h_idp(r, true, &idp) < 0 ||
	    se_h_role_assignments(r, "scim_group_implicit_role_assignments", NULL, "group_id", &roles) < 0)
		goto done;
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (load(r, id, &c) < 0 || se_h_set_str(r, "display_name", &c.display_name) < 0 ||
	    se_h_set_str(r, "identity_provider", &c.identity_provider) < 0 ||
	    (roles && name_groups(r, c.connection_id, roles) < 0))
		goto fail;
	if (roles) {
		json_decref(c.group_role_assignments);
		c.group_role_assignments = roles;
		roles = NULL;
	}
	if (se_store_conn_update(r->db, k, &c) < 0) {
		se_req_internal(r);
		goto fail;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_scim(&c, r->cfg->public_url, NULL, NULL));
	goto done;
fail:
	se_db_rollback(r->db);
done:
	json_decref(roles);
	se_conn_release(k, &c);
	return rc;
}

int se_h_scim_delete(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	se_scim c = {0};
	const char *id = NULL;
	int rc = -1;
	if (connection_id(r, &id) < 0)
		return -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	if (load(r, id, &c) < 0)
		goto fail;
	/* Its groups go with it (ON DELETE CASCADE). */
	if (se_store_conn_delete(r->db, k, r->org.organization_id, c.connection_id) < 0) {
		se_req_internal(r);
		goto fail;
	}
	if (se_h_commit(r) < 0)
		goto done;
	r->out = json_pack("{s:s}", "connection_id", c.connection_id);
	rc = r->out ? 0 : se_req_internal(r);
	goto done;
fail:
	se_db_rollback(r->db);
done:
	se_conn_release(k, &c);
	return rc;
}

/* --- groups ------------------------------------------------------------------------------------ */

#define GROUPS_DEFAULT_LIMIT 100
#define GROUPS_MAX_LIMIT 1000
/* A cursor encodes one group id; ids are far shorter than this. */
#define CURSOR_MAX 512

/* Unpadded base64url of s, malloc'd; NULL on allocation failure. */
static char *cursor_encode(const char *s)
{
	char *out = NULL;
	return se_b64url_encode(s, strlen(s), &out) == 0 ? out : NULL;
}

/* Decodes a cursor into out (size CURSOR_MAX). It must be canonical unpadded base64url of a
 * non-empty run of printable ASCII, as cursor_encode() makes it. Returns 0 or SE_EINVAL. */
static int cursor_decode(const char *s, char out[CURSOR_MAX])
{
	size_t n = strlen(s), len = 0;
	unsigned char *bytes = NULL;
	if (n == 0 || n / 4 * 3 + 3 >= CURSOR_MAX || se_b64url_decode(s, n, &bytes, &len) < 0)
		return SE_EINVAL;
	int rc = 0;
	for (size_t i = 0; i < len; i++)
		if (bytes[i] < 0x21 || bytes[i] > 0x7e)
			rc = SE_EINVAL;
	if (rc == 0)
		memcpy(out, bytes, len + 1);
	free(bytes);
	return rc;
}

/* The page size: a JSON integer in the body (frontend) or a decimal query parameter (backend). 0 or
 * absent means the default. */
static int page_limit(se_req *r, int *ret)
{
	json_t *v = json_object_get(r->body, "limit");
	long long n = 0;
	if (v && !json_is_null(v)) {
		if (!json_is_integer(v))
			return se_req_fail(r, SE_ERR_BAD_REQUEST, "limit must be an integer.");
		n = json_integer_value(v);
	} else {
		const char *q = se_http_query(r->in, "limit");
		if (q && *q) {
			const char *p = q + (*q == '-');
			if (!*p || strspn(p, "0123456789") != strlen(p))
				return se_req_fail(r, SE_ERR_BAD_REQUEST, "limit must be an integer, not %.32s.", q);
			if (strlen(p) > 9)
				return se_req_fail(r, SE_ERR_BAD_REQUEST, "limit must be between 0 and %d (got %.32s).",
				                   GROUPS_MAX_LIMIT, q);
			n = strtoll(q, NULL, 10);
		}
	}
	if (n < 0)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "limit must not be negative (got %lld).", n);
	if (n > GROUPS_MAX_LIMIT)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "limit must be at most %d (got %lld).", GROUPS_MAX_LIMIT, n);
	*ret = n == 0 ? GROUPS_DEFAULT_LIMIT : (int)n;
	return 0;
}

int se_h_scim_groups(se_req *r)
{
	se_scim c = {0};
	char after[CURSOR_MAX];
	bool more = false;
	int limit = 0, rc = -1;
	json_t *groups = NULL;
	char *next = NULL;
	if (se_req_check_types(r, "cursor:s connection_id:s") < 0 || page_limit(r, &limit) < 0)
		return -1;
	const char *cursor = se_req_arg(r, "cursor");
	if (cursor && *cursor && cursor_decode(cursor, after) < 0)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "cursor %.64s is not a cursor this API returned.", cursor);
	/* The frontend names no connection: the organization's own is meant. */
	const char *id = se_req_arg(r, "connection_id");
	if (load(r, id && *id ? id : NULL, &c) < 0)
		return -1;
	if (!(groups = json_array()) ||
	    se_store_scim_group_page(r->db, c.connection_id, cursor && *cursor ? after : NULL, limit, groups, &more) <
	        0) {
		se_req_internal(r);
		goto done;
	}
	if (more) {
		json_t *last = json_array_get(groups, json_array_size(groups) - 1);
		if (!(next = cursor_encode(se_json_str(last, "group_id")))) {
			se_req_internal(r);
			goto done;
		}
	}
	r->out = json_pack("{s:O, s:s?}", "scim_groups", groups, "next_cursor", next);
	rc = r->out ? 0 : se_req_internal(r);
done:
	free(next);
	json_decref(groups);
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);
	return rc;
}

/* --- bearer token rotation ------------------------------------------------------------------------ */

typedef enum rotate_step { ROTATE_START, ROTATE_COMPLETE, ROTATE_CANCEL } rotate_step;

static void swap(char **a, char **b)
{
	char *t = *a;
	*a = *b;
	*b = t;
}

/* Forgets the next token (the one pending, or after complete the one replaced). */
static int clear_next(se_scim *c)
{
	char *h = strdup(""), *l = strdup(""), *e = strdup("");
	if (!h || !l || !e) {
		free(h);
		free(l);
		free(e);
		return SE_ENOMEM;
	}
	free(c->next_bearer_token_hash);
	free(c->next_bearer_token_last_four);
	free(c->next_bearer_token_expires_at);
	c->next_bearer_token_hash = h;
	c->next_bearer_token_last_four = l;
	c->next_bearer_token_expires_at = e;
	return 0;
}

static int rotate(se_req *r, rotate_step step)
{
	const se_kind *k = se_kind_get(SE_KIND_SCIM);
	se_scim c = {0};
	char token[SCIM_TOKEN_LEN + 1] = "";
	const char *id = NULL;
	int rc = -1;
	if (connection_id(r, &id) < 0)
		return -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	if (load(r, id, &c) < 0)
		goto fail;
	if (step != ROTATE_START && !*c.next_bearer_token_hash) {
		se_req_fail(r, SE_ERR_SCIM_NOT_ROTATING, "SCIM connection %s is not rotating its bearer token.", id);
		goto fail;
	}
	if (step == ROTATE_START) {
		/* A second start replaces the pending token: only the newest one is ever shown. */
		if (new_token(r, token, &c.next_bearer_token_hash, &c.next_bearer_token_last_four,
		              &c.next_bearer_token_expires_at) < 0)
			goto fail;
	} else {
		if (step == ROTATE_COMPLETE) {
			swap(&c.bearer_token_hash, &c.next_bearer_token_hash);
			swap(&c.bearer_token_last_four, &c.next_bearer_token_last_four);
			swap(&c.bearer_token_expires_at, &c.next_bearer_token_expires_at);
		}
		if (clear_next(&c) < 0) {
			se_req_internal(r);
			goto fail;
		}
	}
	if (se_store_conn_update(r->db, k, &c) < 0) {
		se_req_internal(r);
		goto fail;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_scim(&c, r->cfg->public_url, NULL, *token ? token : NULL));
	goto done;
fail:
	se_db_rollback(r->db);
done:
	OPENSSL_cleanse(token, sizeof token);
	se_conn_release(k, &c);
	return rc;
}

int se_h_scim_rotate_start(se_req *r)
{
	return rotate(r, ROTATE_START);
}

int se_h_scim_rotate_complete(se_req *r)
{
	return rotate(r, ROTATE_COMPLETE);
}

int se_h_scim_rotate_cancel(se_req *r)
{
	return rotate(r, ROTATE_CANCEL);
}
