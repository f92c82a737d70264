/* SAML connections: create (with a fresh signing certificate). */
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "handlers/handlers.h"
#include "ids.h"
#include "render/render.h"
#include "util.h"

/* A signing certificate object {certificate_id, certificate, issuer, created_at, expires_at,
 * updated_at} made from key_pem (NULL: a new key) at time now. */
static int signing_certificate(se_req *r, const char *key_pem, json_t **ret)
{
	char *pem = NULL, *id = NULL;
	time_t not_after;
	char created[21], expires[21];
	int rc = se_crypto_signing_cert_new(key_pem, r->now, &pem, &not_after);
	if (rc == SE_EINVAL)
		return se_req_fail(r, SE_ERR_INVALID_SIGNING_KEY, NULL);
	if (rc < 0 || se_id_new(SE_ID_SIGNING_KEY, &id) < 0) {
		free(pem);
		return se_req_internal(r);
	}
	se_time_format(r->now, created);
	se_time_format(not_after, expires);
	json_t *cert = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "certificate_id", id, "certificate", pem, "issuer",
				 "Stytch", "created_at", created, "expires_at", expires, "updated_at", created);
	free(pem);
	free(id);
	if (!cert)
		return se_req_internal(r);
	*ret = cert;
	return 0;
}

int se_h_saml_create(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	se_saml c = {0};
	const char *idp = "generic";
	json_t *cert = NULL;
	int rc = -1;
	if (se_req_check_types(r, "display_name:s identity_provider:s") < 0 || se_h_idp(r, false, &idp) < 0)
		goto done;
	if (signing_certificate(r, NULL, &cert) < 0)
		goto done;
	c.organization_id = strdup(r->org.organization_id);
	c.display_name = se_strdup(se_json_str(r->body, "display_name"));
	c.identity_provider = strdup(idp);
	c.nameid_format = strdup("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
	c.attribute_mapping = json_pack("{s:s, s:s}", "email", "email", "full_name", "name");
	c.signing_certificates = json_pack("[o]", cert);
	cert = NULL;
	if (se_id_new(k->id_prefix, &c.connection_id) < 0 || !c.organization_id || !c.identity_provider ||
	    !c.nameid_format || !c.attribute_mapping || !c.signing_certificates || se_conn_fill_defaults(k, &c) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (se_store_conn_insert(r->db, k, &c) < 0) {
		se_db_rollback(r->db);
		se_req_internal(r);
		goto done;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_saml(&c, r->app->cfg.public_url));
done:
	json_decref(cert);
	se_conn_release(k, &c);
	return rc;
}
