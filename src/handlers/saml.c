/* SAML connections: create (with a fresh signing certificate), update (directly or from the IdP's metadata URL),
 * and deleting one verification certificate or encryption private key. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/keycheck.h"
#include "crypto/keypool.h"
#include "crypto/x509.h"
#include "util/time.h"
#include "outbound/outbound.h"
#include "outbound/url.h"
#include "handlers/handlers.h"
#include "model/ids.h"
#include "outbound/metadata.h"
#include "model/render.h"
#include "util/util.h"

/* A signing certificate object {certificate_id, certificate, issuer, created_at, expires_at,
 * updated_at} made from key_pem, or when it is NULL from key (borrowed), at time now. */
static int signing_certificate(se_req *r, const char *key_pem, EVP_PKEY *key, json_t **ret)
{
	char *pem = NULL, *id = NULL, *key_text = NULL;
	time_t not_after;
	char created[21], expires[21];
	int rc = key_pem ? se_crypto_signing_cert_new(key_pem, r->now, &pem, &key_text, &not_after)
			 : se_crypto_signing_cert_from_key(key, r->now, &pem, &key_text, &not_after);
	if (rc == SE_EINVAL)
		return se_req_fail(r, SE_ERR_SAML_SIGNING_KEY_INVALID, NULL);
	if (rc < 0 || se_id_new(SE_ID_SIGNING_KEY, &id) < 0) {
		free(pem);
		free(key_text);
		return se_req_internal(r);
	}
	se_time_format(r->now, created);
	se_time_format(not_after, expires);
	json_t *cert = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "certificate_id", id, "certificate", pem, "issuer",
				 "Stytch", "created_at", created, "expires_at", expires, "updated_at", created);
	free(pem);
	free(id);
	/* The key (given or generated) signs AuthnRequests (SIGNIN.md 1); the renderer never shows it. A given key
	 * is kept as given, a generated one in PKCS#1 form, the form a signing_private_key update takes. */
	if (cert && json_object_set_new(cert, "private_key", json_string(key_pem ? key_pem : key_text)) < 0) {
		json_decref(cert);
		cert = NULL;
	}
	free(key_text);
	if (!cert)
		return se_req_internal(r);
	*ret = cert;
	return 0;
}

static int saml_create_cont(se_req *r, se_outbound_job *job, void *ctx);

int se_h_saml_create(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	se_saml c = {0};
	json_t *cert = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1;
	/* The key comes from the pool, made ahead of demand; when it is empty the request waits without a thread
	 * (se_req_pending_key()) and starts here again once a key is ready. Taken before anything else draws from the
	 * generator, so that under --seed a request that waited draws what one that did not would. */
	int t = se_keypool_take(r->keypool, &key);
	if (t == SE_EAGAIN)
		return se_req_pending_key(r, saml_create_cont, NULL, NULL);
	if (t < 0)
		return se_req_fail(r, SE_ERR_SERVICE_UNAVAILABLE, "The emulator is stopping.");
	if (se_h_conn_new(r, k, &c) < 0) {
		/* Unused: back at the front, so that keys are used in the order they were made. */
		se_keypool_unget(r->keypool, key);
		key = NULL;
		goto done;
	}
	if (signing_certificate(r, NULL, key, &cert) < 0)
		goto done;
	c.nameid_format = strdup("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
	c.attribute_mapping = json_pack("{s:s, s:s}", "email", "email", "full_name", "name");
	c.signing_certificates = json_pack("[o]", cert);
	cert = NULL;
	if (!c.nameid_format || !c.attribute_mapping || !c.signing_certificates || se_conn_fill_defaults(k, &c) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (se_h_insert(r, k, &c) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_saml(&c, r->cfg->public_url));
done:
	EVP_PKEY_free(key);
	json_decref(cert);
	se_conn_release(k, &c);
	return rc;
}

/* The pool had a key when this was woken: the create starts over (the pool may be empty again, then it waits). */
static int saml_create_cont(se_req *r, se_outbound_job *job, void *ctx)
{
	(void)job;
	(void)ctx;
	return se_h_saml_create(r);
}

/* --- update ----------------------------------------------------------------------------------- */

#define SAML_MAX_VERIFICATION_CERTS 5
#define SAML_MAX_ENCRYPTION_KEYS 5

#define SAML_UPDATE_TYPES                                                                                              \
	"idp_entity_id:s display_name:s attribute_mapping:o x509_certificate:s idp_sso_url:s "                         \
	"saml_connection_implicit_role_assignments:a saml_group_implicit_role_assignments:a "                          \
	"alternative_audience_uri:s identity_provider:s signing_private_key:s nameid_format:s alternative_acs_url:s "  \
	"idp_initiated_auth_disabled:b saml_encryption_private_key:s allow_gateway_callback:b"

/* The update's string fields: absent or "" keeps the stored value. */
static const struct {
	const char *field;
	size_t offset;
} saml_strings[] = {
	{"idp_entity_id", offsetof(se_saml, idp_entity_id)},
	{"display_name", offsetof(se_saml, display_name)},
	{"idp_sso_url", offsetof(se_saml, idp_sso_url)},
	{"alternative_audience_uri", offsetof(se_saml, alternative_audience_uri)},
	{"nameid_format", offsetof(se_saml, nameid_format)},
	{"alternative_acs_url", offsetof(se_saml, alternative_acs_url)},
};

/* A verification certificate object {certificate_id, certificate, issuer, created_at, expires_at, updated_at} from
 * a PEM certificate (or, when base64, a bare base64 DER body as in metadata): issuer and dates come from the
 * certificate. Returns 0, SE_EINVAL when it is not a certificate, or another negative se_err. */
static int verification_certificate(const char *text, bool base64, time_t now, json_t **ret)
{
	char *issuer = NULL, *pem = NULL, *id = NULL;
	time_t not_before, not_after;
	char created[21], expires[21], updated[21];
	int rc = base64 ? se_crypto_x509_parse_base64(text, &issuer, &not_before, &not_after, &pem)
			: se_crypto_x509_parse(text, &issuer, &not_before, &not_after, &pem);
	if (rc < 0)
		return rc;
	rc = se_id_new(SE_ID_VERIFICATION_KEY, &id);
	if (rc == 0) {
		se_time_format(not_before, created);
		se_time_format(not_after, expires);
		se_time_format(now, updated);
		*ret = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "certificate_id", id, "certificate", pem, "issuer", issuer,
				 "created_at", created, "expires_at", expires, "updated_at", updated);
		rc = *ret ? 0 : SE_ENOMEM;
	}
	free(issuer);
	free(pem);
	free(id);
	return rc;
}

/* Whether the list already holds a certificate with the same canonical PEM as pem (itself canonical). */
static bool has_certificate(const json_t *list, const char *pem)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *have = se_json_str(item, "certificate");
		char *canonical = NULL;
		if (!have)
			continue;
		if (strcmp(have, pem) == 0)
			return true;
		/* Certificates that came from fixtures may be wrapped differently. */
		bool same = se_crypto_x509_normalize(have, &canonical) == 0 && strcmp(canonical, pem) == 0;
		free(canonical);
		if (same)
			return true;
	}
	return false;
}

/* Adds cert (a reference is taken) to the connection's verification certificates unless the same certificate is
 * already there; a sixth one is refused. */
static int add_verification_certificate(se_req *r, se_saml *c, json_t *cert)
{
	if (has_certificate(c->verification_certificates, se_json_str(cert, "certificate")))
		return 0;
	if (json_array_size(c->verification_certificates) >= SAML_MAX_VERIFICATION_CERTS)
		return se_req_fail(r, SE_ERR_TOO_MANY_VERIFICATION_CERTS,
				   "SAML connection %s already has %d verification certificates, the most it can have.",
				   c->connection_id, SAML_MAX_VERIFICATION_CERTS);
	return json_array_append(c->verification_certificates, cert) < 0 ? se_req_internal(r) : 0;
}

/* Loads the caller's SAML connection id into *c; an id of another organization is just as unknown. */
static int load(se_req *r, const char *id, se_saml *c)
{
	int rc = id && *id ? se_store_conn_get(r->db, se_kind_get(SE_KIND_SAML), r->org.organization_id, id, c)
			   : SE_ENOTFOUND;
	if (rc == SE_ENOTFOUND)
		return se_req_fail(r, SE_ERR_SAML_CONNECTION_NOT_FOUND, "SAML connection %s could not be found.",
				   id ? id : "");
	return rc < 0 ? se_req_internal(r) : 0;
}

/* What an update brings that takes work to make, made before the transaction. NULL members are not part of it. */
typedef struct saml_patch {
	json_t *verification_certificate;
	json_t *signing_certificate;
	json_t *encryption_key;
	json_t *connection_roles;
	json_t *group_roles;
} saml_patch;

static void saml_patch_release(saml_patch *p)
{
	json_decref(p->verification_certificate);
	json_decref(p->signing_certificate);
	json_decref(p->encryption_key);
	json_decref(p->connection_roles);
	json_decref(p->group_roles);
}

/* Stytch's attribute_mapping is flat: a nested object or list is its own error. */
static int check_mapping_flat(se_req *r)
{
	const char *key;
	json_t *v;
	json_object_foreach(json_object_get(r->body, "attribute_mapping"), key, v) {
		if (json_is_object(v) || json_is_array(v))
			return se_req_fail(r, SE_ERR_SAML_NESTED_ATTRIBUTE_MAPPING, "attribute_mapping.%s must be a string, not %s.",
					   key, json_is_object(v) ? "an object" : "a list");
	}
	return 0;
}

/* idp_sso_url must be a URL, and https unless its host is a loopback one (local IdPs). */
static int check_sso_url(se_req *r)
{
	const char *url = se_json_str(r->body, "idp_sso_url");
	bool https = false, loopback = false;
	if (!url || !*url)
		return 0;
	int rc = se_url_check(url, &https, &loopback);
	if (rc == SE_ENOMEM)
		return se_req_internal(r);
	if (rc < 0)
		return se_req_fail(r, SE_ERR_SAML_IDP_SSO_URL_INVALID, "idp_sso_url %.200s is not a valid URL.", url);
	if (!https && !loopback)
		return se_req_fail(r, SE_ERR_SAML_IDP_SSO_URL_NOT_HTTPS, "idp_sso_url %.200s must use https.", url);
	return 0;
}

/* When the update leaves c with everything else an active connection needs, its attribute_mapping must name the
 * email and the name (ORG.md section 6). Checked when the mapping changes or c was not active before. */
static int check_mapping_complete(se_req *r, const se_saml *c, bool was_active)
{
	bool complete = c->idp_sso_url && *c->idp_sso_url && c->idp_entity_id && *c->idp_entity_id &&
			json_array_size(c->verification_certificates) > 0;
	if (!complete || (was_active && !json_is_object(json_object_get(r->body, "attribute_mapping"))))
		return 0;
	const json_t *m = c->attribute_mapping;
	if (!se_json_str(m, "email") || !*se_json_str(m, "email"))
		return se_req_fail(r, SE_ERR_SAML_EMAIL_MAPPING_REQUIRED,
				   "attribute_mapping of SAML connection %s needs an email key.", c->connection_id);
	bool full = se_json_str(m, "full_name") && *se_json_str(m, "full_name");
	bool parts = se_json_str(m, "first_name") && *se_json_str(m, "first_name") && se_json_str(m, "last_name") &&
		     *se_json_str(m, "last_name");
	if (!full && !parts)
		return se_req_fail(r, SE_ERR_SAML_NAME_MAPPING_REQUIRED,
				   "attribute_mapping of SAML connection %s needs full_name, or first_name and last_name.",
				   c->connection_id);
	return 0;
}

/* Validates the body and makes the certificates and keys it asks for. */
static int saml_patch_prepare(se_req *r, saml_patch *p)
{
	const char *idp = NULL;
	if (se_req_check_types(r, SAML_UPDATE_TYPES) < 0 || se_h_idp(r, false, &idp) < 0 || check_mapping_flat(r) < 0 ||
	    se_h_check_attribute_mapping(r) < 0 || check_sso_url(r) < 0 ||
	    se_h_role_assignments(r, "saml_connection_implicit_role_assignments", NULL, NULL, &p->connection_roles) < 0 ||
	    se_h_role_assignments(r, "saml_group_implicit_role_assignments", NULL, "group", &p->group_roles) < 0)
		return -1;
	const char *x509 = se_json_str(r->body, "x509_certificate");
	if (x509 && *x509) {
		int rc = verification_certificate(x509, false, r->now, &p->verification_certificate);
		if (rc == SE_EINVAL)
			return se_req_fail(r, SE_ERR_INVALID_X509, NULL);
		if (rc < 0)
			return se_req_internal(r);
	}
	const char *signing_key = se_json_str(r->body, "signing_private_key");
	if (signing_key && *signing_key) {
		/* PKCS#1 or PKCS#8 PEM; any other form is refused before it is read. */
		const char *k = signing_key + strspn(signing_key, " \t\r\n");
		if (strncmp(k, "-----BEGIN RSA PRIVATE KEY-----", 31) != 0 && strncmp(k, "-----BEGIN PRIVATE KEY-----", 27) != 0)
			return se_req_fail(r, SE_ERR_SAML_SIGNING_KEY_FORMAT, NULL);
		int kc = se_crypto_rsa_key_validate(signing_key);
		if (kc == SE_EINVAL)
			return se_req_fail(r, SE_ERR_SAML_SIGNING_KEY_INVALID, NULL);
		if (kc < 0)
			return se_req_internal(r);
		if (signing_certificate(r, signing_key, NULL, &p->signing_certificate) < 0)
			return -1;
	}
	const char *encryption_key = se_json_str(r->body, "saml_encryption_private_key");
	if (encryption_key && *encryption_key) {
		char *id = NULL;
		char created[21];
		int kc = se_crypto_rsa_private_key_check(encryption_key);
		if (kc == 0)
			kc = se_crypto_rsa_key_validate(encryption_key);
		if (kc == SE_EINVAL)
			return se_req_fail(r, SE_ERR_INVALID_ENCRYPTION_KEY,
					   "saml_encryption_private_key must be a PKCS#1 RSA private key in PEM format of %d to "
					   "%d bits that passes the RSA key checks.",
					   SE_RSA_MIN_BITS, SE_RSA_MAX_BITS);
		if (kc < 0)
			return se_req_internal(r);
		if (se_id_new(SE_ID_ENCRYPTION_KEY, &id) < 0)
			return se_req_internal(r);
		se_time_format(r->now, created);
		p->encryption_key = json_pack("{s:s, s:s, s:s}", "private_key_id", id, "private_key", encryption_key,
					      "created_at", created);
		free(id);
		if (!p->encryption_key)
			return se_req_internal(r);
	}
	return 0;
}

/* Applies the body and the prepared patch to the stored connection c. */
static int saml_patch_apply(se_req *r, saml_patch *p, se_saml *c)
{
	bool was_active = strcmp(se_saml_status(c), "active") == 0;
	for (size_t i = 0; i < sizeof saml_strings / sizeof saml_strings[0]; i++)
		if (se_h_set_str(r, saml_strings[i].field, (char **)((char *)c + saml_strings[i].offset)) < 0)
			return -1;
	/* identity_provider was checked against the enum before the transaction. */
	if (se_h_set_str(r, "identity_provider", &c->identity_provider) < 0)
		return -1;
	json_t *v = json_object_get(r->body, "idp_initiated_auth_disabled");
	if (json_is_boolean(v))
		c->idp_initiated_auth_disabled = json_is_true(v);
	v = json_object_get(r->body, "allow_gateway_callback");
	if (json_is_boolean(v))
		c->allow_gateway_callback = json_is_true(v);
	json_t *mapping = json_object_get(r->body, "attribute_mapping");
	if (json_is_object(mapping)) {
		json_t *copy = json_deep_copy(mapping);
		if (!copy)
			return se_req_internal(r);
		json_decref(c->attribute_mapping);
		c->attribute_mapping = copy;
	}
	if (p->connection_roles) {
		json_decref(c->connection_role_assignments);
		c->connection_role_assignments = json_incref(p->connection_roles);
	}
	if (p->group_roles) {
		json_decref(c->group_role_assignments);
		c->group_role_assignments = json_incref(p->group_roles);
	}
	/* Checked on the result, so that neither half of the pair can break the other. */
	if ((json_is_object(mapping) || p->group_roles) && json_array_size(c->group_role_assignments) > 0 &&
	    !se_json_str(c->attribute_mapping, "groups"))
		return se_req_fail(r, SE_ERR_MISSING_GROUPS_KEY,
				   "saml_group_implicit_role_assignments needs a groups key in the attribute_mapping of SAML "
				   "connection %s.",
				   c->connection_id);
	if (p->verification_certificate && add_verification_certificate(r, c, p->verification_certificate) < 0)
		return -1;
	if (p->signing_certificate) {
		json_t *list = json_pack("[O]", p->signing_certificate);
		if (!list)
			return se_req_internal(r);
		json_decref(c->signing_certificates);
		c->signing_certificates = list;
	}
	if (p->encryption_key) {
		if (json_array_size(c->encryption_private_keys) >= SAML_MAX_ENCRYPTION_KEYS)
			return se_req_fail(r, SE_ERR_TOO_MANY_ENCRYPTION_CERTIFICATES,
					   "SAML connection %s already has %d encryption private keys, the most it can have.",
					   c->connection_id, SAML_MAX_ENCRYPTION_KEYS);
		if (json_array_append(c->encryption_private_keys, p->encryption_key) < 0)
			return se_req_internal(r);
	}
	return check_mapping_complete(r, c, was_active);
}

/* Writes c back, commits and answers with it; rolls back on failure. */
static int save(se_req *r, const se_saml *c)
{
	if (se_store_conn_update(r->db, se_kind_get(SE_KIND_SAML), c) < 0) {
		se_db_rollback(r->db);
		return se_req_internal(r);
	}
	if (se_h_commit(r) < 0)
		return -1;
	return se_h_out_connection(r, se_render_saml(c, r->cfg->public_url));
}

int se_h_saml_update(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	saml_patch p = {0};
	se_saml c = {0};
	int rc = -1;
	/* RSA work and certificate parsing happen before the write lock is taken. */
	if (saml_patch_prepare(r, &p) < 0)
		goto done;
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (load(r, se_req_arg(r, "connection_id"), &c) < 0 || saml_patch_apply(r, &p, &c) < 0) {
		se_db_rollback(r->db);
		goto done;
	}
	rc = save(r, &c);
done:
	saml_patch_release(&p);
	se_conn_release(k, &c);
	return rc;
}

/* --- update by metadata URL ------------------------------------------------------------------- */

/* The state of an update by URL while its fetch runs: filled by digest_metadata() on the fetch worker. */
typedef struct metadata_job {
	char *url;   /* as given, for messages */
	bool parsed; /* the fetch succeeded and the document was parsed (well or not) */
	se_metadata md;
} metadata_job;

static void metadata_job_free(void *ctx)
{
	metadata_job *mj = ctx;
	if (!mj)
		return;
	free(mj->url);
	se_metadata_release(&mj->md);
	free(mj);
}

/* Runs on the fetch worker: the bounded parse, so that a hostile document never costs a server thread anything. */
static int digest_metadata(void *ctx, const char *body, size_t len, char **ret_error)
{
	metadata_job *mj = ctx;
	mj->parsed = true;
	return se_metadata_parse(body, len, &mj->md, ret_error);
}

/* The continuation: the fetch and parse have ended; the connection is updated from the metadata. */
static int update_by_url_continue(se_req *r, se_outbound_job *job, void *ctx)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	metadata_job *mj = ctx;
	const char *id = se_req_arg(r, "connection_id");
	const char *error = NULL;
	se_saml c = {0};
	json_t *cert = NULL;
	int rc = se_outbound_job_result(job, NULL, NULL, &error);
	if (rc == SE_ENOMEM)
		return se_req_internal(r);
	if (rc < 0 && se_outbound_job_stopped(job))
		return se_req_fail(r, SE_ERR_SERVICE_UNAVAILABLE, "%s", error ? error : "The emulator is stopping.");
	if (rc < 0 && !mj->parsed)
		return se_req_fail(r, SE_ERR_INVALID_SAML_METADATA_URL, "metadata_url could not be fetched: %s",
				   error ? error : "the transfer failed.");
	if (rc < 0)
		return se_req_fail(r, SE_ERR_INVALID_XML_FROM_METADATA_URL,
				   "metadata_url %s did not return valid SAML metadata: %s", mj->url, error ? error : "");
	rc = verification_certificate(mj->md.certificate, true, r->now, &cert);
	if (rc == SE_EINVAL)
		return se_req_fail(r, SE_ERR_INVALID_XML_FROM_METADATA_URL,
				   "metadata_url %s did not return valid SAML metadata: its signing X509Certificate is not "
				   "a valid X.509 certificate.",
				   mj->url);
	if (rc < 0)
		return se_req_internal(r);
	rc = -1;
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	/* Loaded again under the lock: the connection may have changed or gone during the fetch. */
	char *entity_id = strdup(mj->md.entity_id), *sso_url = strdup(mj->md.sso_url);
	if (load(r, id, &c) < 0 || !entity_id || !sso_url || add_verification_certificate(r, &c, cert) < 0) {
		if (!r->err)
			se_req_internal(r);
		free(entity_id);
		free(sso_url);
		se_db_rollback(r->db);
		goto done;
	}
	free(c.idp_entity_id);
	c.idp_entity_id = entity_id;
	bool was_active = strcmp(se_saml_status(&c), "active") == 0;
	free(c.idp_sso_url);
	c.idp_sso_url = sso_url;
	if (check_mapping_complete(r, &c, was_active) < 0) {
		se_db_rollback(r->db);
		goto done;
	}
	rc = save(r, &c);
done:
	json_decref(cert);
	se_conn_release(k, &c);
	return rc;
}

int se_h_saml_update_by_url(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	const char *id = se_req_arg(r, "connection_id");
	se_saml c = {0};
	if (se_req_check_types(r, "metadata_url:s") < 0)
		return -1;
	const char *url = se_json_str(r->body, "metadata_url");
	if (!url || !*url)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "metadata_url is required.");
	/* An unknown connection is answered without fetching anything. */
	if (load(r, id, &c) < 0)
		return -1;
	se_conn_release(k, &c);
	if (!r->outbound)
		return se_req_internal(r);
	/* file:// only under --metadata-dir, and never from the frontend surface. */
	bool sdk = r->match.route && r->match.route->surface == SE_SURFACE_SDK;
	se_fetch_opts opts = {.timeout_ms = SE_FETCH_TIMEOUT_MS, .max_bytes = SE_FETCH_MAX_BYTES, .file_dir = sdk ? NULL : r->cfg->metadata_dir};
	metadata_job *mj = calloc(1, sizeof *mj);
	se_outbound_job *job = NULL;
	char *error = NULL;
	if (!mj || !(mj->url = strdup(url))) {
		metadata_job_free(mj);
		return se_req_internal(r);
	}
	int rc = se_outbound_job_new(r->outbound, r->credential, url, &opts, digest_metadata, mj, &job, &error);
	if (rc < 0) {
		metadata_job_free(mj);
		if (rc == SE_ELIMIT)
			se_req_fail(r, SE_ERR_TOO_MANY_OUTBOUND_FETCHES, "%s", error ? error : "");
		else if (rc == SE_ENOMEM)
			se_req_internal(r);
		else
			se_req_fail(r, SE_ERR_INVALID_SAML_METADATA_URL, "metadata_url could not be fetched: %s",
				    error ? error : "");
		free(error);
		return -1;
	}
	return se_req_pending(r, job, update_by_url_continue, mj, metadata_job_free);
}

/* --- deleting a verification certificate or an encryption key --------------------------------- */

/* The index in list of the object whose key is id, or -1. */
static long find_by(const json_t *list, const char *key, const char *id)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *have = se_json_str(item, key);
		if (have && id && strcmp(have, id) == 0)
			return (long)i;
	}
	return -1;
}

/* What differs between the two deletes: the list, its id key, and its errors. */
typedef struct item_kind {
	size_t list;          /* offsetof the list in se_saml */
	const char *id_param; /* the id's path parameter, also its key in the list and the answer */
	se_error_id not_found;
	const char *what; /* for messages */
	bool keep_last_when_active;
} item_kind;

/* Removes one item of a SAML connection's list, in one transaction. */
static int delete_item(se_req *r, const item_kind *ik)
{
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	const char *item_id = se_req_arg(r, ik->id_param);
	se_saml c = {0};
	int rc = -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	if (load(r, se_req_arg(r, "connection_id"), &c) < 0)
		goto fail;
	json_t *list = *(json_t **)((char *)&c + ik->list);
	long i = find_by(list, ik->id_param, item_id);
	if (i < 0) {
		se_req_fail(r, ik->not_found, "%s %s could not be found on SAML connection %s.", ik->what,
			    item_id ? item_id : "", c.connection_id);
		goto fail;
	}
	if (ik->keep_last_when_active && json_array_size(list) == 1 && strcmp(se_saml_status(&c), "active") == 0) {
		se_req_fail(r, SE_ERR_CANNOT_DELETE_LAST_VERIFICATION_KEY,
			    "%s %s is the last one of active SAML connection %s and cannot be deleted.", ik->what, item_id,
			    c.connection_id);
		goto fail;
	}
	if (json_array_remove(list, (size_t)i) < 0 || se_store_conn_update(r->db, k, &c) < 0) {
		se_req_internal(r);
		goto fail;
	}
	if (se_h_commit(r) < 0)
		goto done;
	r->out = json_pack("{s:s}", ik->id_param, item_id);
	rc = r->out ? 0 : se_req_internal(r);
	goto done;
fail:
	se_db_rollback(r->db);
done:
	se_conn_release(k, &c);
	return rc;
}

int se_h_saml_delete_verification_certificate(se_req *r)
{
	static const item_kind ik = {offsetof(se_saml, verification_certificates), "certificate_id",
				     SE_ERR_VERIFICATION_KEY_NOT_FOUND, "Verification certificate", true};
	return delete_item(r, &ik);
}

int se_h_saml_delete_encryption_private_key(se_req *r)
{
	static const item_kind ik = {offsetof(se_saml, encryption_private_keys), "private_key_id",
				     SE_ERR_ENCRYPTION_KEY_NOT_FOUND, "Encryption private key", false};
	return delete_item(r, &ik);
}
