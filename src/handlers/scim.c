/* SCIM connections: create, with a bearer token shown once and stored as a hash. */
#include <openssl/crypto.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "handlers/handlers.h"
#include "ids.h"
#include "render/render.h"
#include "util.h"

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
	const char *idp = "generic";
	char token[SCIM_TOKEN_LEN + 1];
	int rc = -1;
	if (se_req_check_types(r, "display_name:s identity_provider:s") < 0 || se_h_idp(r, true, &idp) < 0)
		goto done;
	c.organization_id = strdup(r->org.organization_id);
	c.display_name = se_strdup(se_json_str(r->body, "display_name"));
	c.identity_provider = strdup(idp);
	if (se_id_new(k->id_prefix, &c.connection_id) < 0 || !c.organization_id || !c.identity_provider ||
	    se_conn_fill_defaults(k, &c) < 0) {
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
	rc = se_h_out_connection(r, se_render_scim(&c, r->app->cfg.public_url, token, NULL));
done:
	OPENSSL_cleanse(token, sizeof token);
	se_conn_release(k, &c);
	return rc;
}
