/* Loading, validating and applying fixtures documents. */
#include "store/fixtures.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/model.h"
#include "crypto/digest.h"
#include "crypto/keycheck.h"
#include "crypto/x509.h"
#include "util/time.h"
#include "util/errors_code.h"
#include "model/ids.h"
#include "model/rbac.h"
#include "store/signin.h"
#include "util/util.h"

extern const char *const se_default_fixtures[];

const char *se_fixtures_default_text(void)
{
	return se_default_fixtures[0];
}

int se_fixtures_load(const char *path, json_t **ret, char **ret_error)
{
	json_error_t jerr;
	json_t *doc = path ? json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)
			   : json_loads(se_fixtures_default_text(), JSON_REJECT_DUPLICATES, &jerr);
	const char *name = path ? path : "fixtures/default.json (built in)";
	if (!doc) {
		*ret_error = jerr.line < 0 ? se_asprintf("fixtures %s: %s", name, jerr.text)
					   : se_asprintf("fixtures %s: line %d, column %d: %s", name, jerr.line,
							 jerr.column, jerr.text);
		return SE_EINVAL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		*ret_error = se_asprintf("fixtures %s: the document must be a JSON object", name);
		return SE_EINVAL;
	}
	*ret = doc;
	return 0;
}

/* The state of one apply: where we are in the document, for error messages. */
typedef struct ctx {
	se_db *db;
	time_t now;
	char now_text[21];
	const json_t *policy;
	json_t *owned_policy; /* the completed policy that policy points at */
	char **error;
} ctx;

static int fail(ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(ctx *c, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	free(*c->error);
	*c->error = strdup(buf);
	return SE_EINVAL;
}

/* A required non-empty string member. */
static int req_str(ctx *c, const json_t *obj, const char *path, const char *key, const char **ret)
{
	const char *s = se_json_str(obj, key);
	if (!s || !*s)
		return fail(c, "%s.%s: must be a non-empty string", path, key);
	*ret = s;
	return 0;
}

/* An optional string member; NULL when absent or null. */
static int opt_str(ctx *c, const json_t *obj, const char *path, const char *key, const char **ret)
{
	json_t *v = json_object_get(obj, key);
	if (v && !json_is_null(v) && !json_is_string(v))
		return fail(c, "%s.%s: must be a string", path, key);
	*ret = json_string_value(v);
	return 0;
}

static const json_t *opt_array(ctx *c, const json_t *doc, const char *key, int *err)
{
	json_t *v = json_object_get(doc, key);
	if (v && !json_is_array(v)) {
		*err = fail(c, "%s: must be an array", key);
		return NULL;
	}
	return v;
}

/* The Admin Portal's switches (ORG.md section 1.3): booleans, each defaulting as Stytch's do. */
static const struct {
	const char *name;
	bool value;
} portal_switches[] = {
	{"sso_enabled", true},
	{"can_create_saml_connection", true},
	{"can_create_oidc_connection", true},
	{"mfa_controls_enabled", false},
	{"scim_enabled", true},
};

/* Validates project.admin_portal (absent: every default) into *ret, a new object with every switch. */
static int admin_portal(ctx *c, const json_t *given, json_t **ret)
{
	if (given && !json_is_object(given))
		return fail(c, "project.admin_portal: must be an object");
	const char *key;
	json_t *v;
	json_object_foreach((json_t *)given, key, v) {
		size_t i = 0;
		while (i < sizeof portal_switches / sizeof portal_switches[0] && strcmp(portal_switches[i].name, key) != 0)
			i++;
		if (i == sizeof portal_switches / sizeof portal_switches[0])
			return fail(c, "project.admin_portal.%s: is not a setting of the Admin Portal", key);
		if (!json_is_boolean(v))
			return fail(c, "project.admin_portal.%s: must be a boolean", key);
	}
	json_t *out = json_object();
	for (size_t i = 0; out && i < sizeof portal_switches / sizeof portal_switches[0]; i++) {
		json_t *have = json_object_get(given, portal_switches[i].name);
		bool on = have ? json_is_true(have) : portal_switches[i].value;
		if (json_object_set_new(out, portal_switches[i].name, json_boolean(on)) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	if (!out)
		return fail(c, "project.admin_portal: out of memory");
	*ret = out;
	return 0;
}

static int apply_project(ctx *c, const json_t *doc)
{
	const json_t *p = json_object_get(doc, "project");
	const char *id = NULL, *secret = NULL, *token = NULL;
	if (!json_is_object(p))
		return fail(c, "project: must be an object");
	if (req_str(c, p, "project", "project_id", &id) < 0 || req_str(c, p, "project", "secret", &secret) < 0 ||
	    req_str(c, p, "project", "public_token", &token) < 0)
		return SE_EINVAL;
	const char *project_name = NULL;
	if (opt_str(c, p, "project", "project_name", &project_name) < 0)
		return SE_EINVAL;
	if (project_name && strlen(project_name) > 128)
		return fail(c, "project.project_name: must be at most 128 characters");
	json_t *actions = json_object_get(p, "sdk_member_actions_enabled");
	if (actions && !json_is_boolean(actions))
		return fail(c, "project.sdk_member_actions_enabled: must be a boolean");
	const json_t *policy = json_object_get(doc, "rbac_policy");
	char *field = NULL;
	if (se_rbac_policy_validate(policy, &field) < 0) {
		int r = fail(c, "%s: is missing or malformed", field ? field : "rbac_policy");
		free(field);
		return r;
	}
	json_t *full = NULL, *portal = NULL;
	if (se_rbac_policy_complete(policy, &full) < 0)
		return fail(c, "rbac_policy: out of memory");
	json_decref(c->owned_policy);
	c->owned_policy = full;
	c->policy = policy = full;
	if (admin_portal(c, json_object_get(p, "admin_portal"), &portal) < 0)
		return SE_EINVAL;
	se_project proj = {
		.project_id = (char *)id,
		.secret = (char *)secret,
		.public_token = (char *)token,
		.sdk_member_actions_enabled = !actions || json_is_true(actions),
		.rbac_policy = (json_t *)policy,
		.admin_portal = portal,
		.project_name = (char *)(project_name ? project_name : ""),
	};
	int r = se_store_project_put(c->db, &proj) < 0 ? fail(c, "project: could not be stored") : 0;
	json_decref(portal);
	return r;
}

static int check_roles(ctx *c, const json_t *roles, const char *path)
{
	size_t i;
	json_t *role;
	if (roles && !json_is_array(roles))
		return fail(c, "%s.roles: must be an array of role ids", path);
	json_array_foreach(roles, i, role) {
		if (!json_is_string(role) || !se_rbac_role_exists(c->policy, json_string_value(role)))
			return fail(c, "%s.roles[%zu]: must be a role_id of rbac_policy", path, i);
	}
	return 0;
}

static int org_settings(ctx *c, const json_t *o, const char *path, json_t *settings);

static int apply_orgs(ctx *c, const json_t *doc)
{
	int err = 0;
	const json_t *orgs = opt_array(c, doc, "organizations", &err);
	size_t i;
	json_t *o;
	if (err)
		return err;
	json_array_foreach(orgs, i, o) {
		char path[64];
		snprintf(path, sizeof path, "organizations[%zu]", i);
		se_org org = {0};
		const char *name = NULL;
		if (!json_is_object(o))
			return fail(c, "%s: must be an object", path);
		if (req_str(c, o, path, "organization_id", (const char **)&org.organization_id) < 0 ||
		    req_str(c, o, path, "organization_slug", (const char **)&org.organization_slug) < 0 ||
		    opt_str(c, o, path, "organization_name", &name) < 0)
			return SE_EINVAL;
		org.organization_name = (char *)(name ? name : "");
		org.email_allowed_domains = json_object_get(o, "email_allowed_domains");
		size_t j;
		json_t *d;
		if (org.email_allowed_domains && !json_is_array(org.email_allowed_domains))
			return fail(c, "%s.email_allowed_domains: must be an array of strings", path);
		json_array_foreach(org.email_allowed_domains, j, d) if (!json_is_string(d)) return fail(
			c, "%s.email_allowed_domains[%zu]: must be a string", path, j);
		const char *created = NULL, *updated = NULL, *external = NULL, *logo = NULL, *dflt = NULL;
		if (opt_str(c, o, path, "created_at", &created) < 0 || opt_str(c, o, path, "updated_at", &updated) < 0 ||
		    opt_str(c, o, path, "organization_external_id", &external) < 0 ||
		    opt_str(c, o, path, "organization_logo_url", &logo) < 0 ||
		    opt_str(c, o, path, "sso_default_connection_id", &dflt) < 0)
			return SE_EINVAL;
		org.created_at = (char *)(created ? created : c->now_text);
		org.updated_at = (char *)(updated ? updated : org.created_at);
		org.organization_external_id = (char *)external;
		org.organization_logo_url = (char *)(logo ? logo : "");
		org.sso_default_connection_id = (char *)dflt;
		org.settings = json_object();
		int r = org.settings ? org_settings(c, o, path, org.settings) : fail(c, "%s: out of memory", path);
		if (r == 0 && se_store_org_insert(c->db, &org) < 0)
			r = fail(c, "%s: organization_id, organization_slug or organization_external_id is used twice", path);
		json_decref(org.settings);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Every setting of se_org_settings[] that o gives, checked, into settings. */
static int org_settings(ctx *c, const json_t *o, const char *path, json_t *settings)
{
	for (const se_org_setting *s = se_org_settings; s->name; s++) {
		json_t *v = json_object_get(o, s->name);
		const char *why = NULL;
		int at = -1;
		if (!v || json_is_null(v))
			continue;
		if (se_org_setting_check(s, v, &why, &at) < 0)
			return at < 0 ? fail(c, "%s.%s: %s", path, s->name, why)
				      : fail(c, "%s.%s[%d]: %s", path, s->name, at, why);
		if (s->type == SE_SETTING_EMAIL_ROLES) {
			size_t i;
			json_t *item;
			json_array_foreach(v, i, item) {
				if (!se_rbac_role_exists(c->policy, se_json_str(item, "role_id")))
					return fail(c, "%s.%s[%zu].role_id: must be a role_id of rbac_policy", path, s->name, i);
			}
		}
		if (json_object_set_new(settings, s->name, json_deep_copy(v)) < 0)
			return fail(c, "%s: out of memory", path);
	}
	return 0;
}

/* After the connections: an organization's default SSO connection and JIT allow-list name SSO
 * connections of its own. */
static int check_org_links(ctx *c)
{
	static const char *const sql =
		"SELECT o.organization_id, x.value FROM organizations o, (SELECT organization_id AS org, "
		"sso_default_connection_id AS value, 'sso_default_connection_id' AS field FROM organizations WHERE "
		"sso_default_connection_id IS NOT NULL UNION ALL SELECT organization_id, j.value, "
		"'sso_jit_provisioning_allowed_connections' FROM organizations, json_each(settings, "
		"'$.sso_jit_provisioning_allowed_connections') j) x WHERE x.org = o.organization_id AND x.value NOT IN "
		"(SELECT connection_id FROM saml_connections WHERE organization_id = o.organization_id UNION SELECT "
		"connection_id FROM oidc_connections WHERE organization_id = o.organization_id UNION SELECT connection_id "
		"FROM external_connections WHERE organization_id = o.organization_id) LIMIT 1";
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(se_db_handle(c->db), sql, -1, &st, NULL) != SQLITE_OK)
		return fail(c, "organizations: could not be checked");
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW)
		r = fail(c, "organizations: %s names %s, which is not an SSO connection of that organization",
			 sqlite3_column_text(st, 0), sqlite3_column_text(st, 1));
	else if (rc != SQLITE_DONE)
		r = fail(c, "organizations: could not be checked");
	sqlite3_finalize(st);
	return r;
}

static int apply_members(ctx *c, const json_t *doc)
{
	int err = 0;
	const json_t *list = opt_array(c, doc, "members", &err);
	size_t i;
	json_t *o;
	if (err)
		return err;
	json_array_foreach(list, i, o) {
		char path[64];
		snprintf(path, sizeof path, "members[%zu]", i);
		se_member m = {0};
		se_org org;
		const char *name = NULL, *created = NULL, *status = NULL;
		if (!json_is_object(o))
			return fail(c, "%s: must be an object", path);
		if (req_str(c, o, path, "member_id", (const char **)&m.member_id) < 0 ||
		    req_str(c, o, path, "organization_id", (const char **)&m.organization_id) < 0 ||
		    req_str(c, o, path, "email_address", (const char **)&m.email_address) < 0 ||
		    opt_str(c, o, path, "name", &name) < 0 || opt_str(c, o, path, "created_at", &created) < 0 ||
		    opt_str(c, o, path, "status", &status) < 0)
			return SE_EINVAL;
		if (status && strcmp(status, "active") != 0 && strcmp(status, "deleted") != 0)
			return fail(c, "%s.status: must be active or deleted", path);
		m.status = (char *)status;
		m.roles = json_object_get(o, "roles");
		if (check_roles(c, m.roles, path) < 0)
			return SE_EINVAL;
		if (se_store_org_get(c->db, m.organization_id, false, &org) < 0)
			return fail(c, "%s.organization_id: %s is not an organization of the document", path, m.organization_id);
		se_org_release(&org);
		m.name = (char *)(name ? name : "");
		m.created_at = (char *)(created ? created : c->now_text);
		if (se_store_member_insert(c->db, &m) < 0)
			return fail(c, "%s: member_id or email_address is used twice", path);
	}
	return 0;
}

static int apply_sessions(ctx *c, const json_t *doc)
{
	int err = 0;
	const json_t *list = opt_array(c, doc, "sessions", &err);
	size_t i;
	json_t *o;
	if (err)
		return err;
	json_array_foreach(list, i, o) {
		char path[64], sid[80];
		snprintf(path, sizeof path, "sessions[%zu]", i);
		se_session s = {0};
		se_member m;
		const char *msid = NULL, *started = NULL, *expires = NULL;
		time_t t;
		if (!json_is_object(o))
			return fail(c, "%s: must be an object", path);
		if (req_str(c, o, path, "session_token", (const char **)&s.session_token) < 0 ||
		    req_str(c, o, path, "member_id", (const char **)&s.member_id) < 0 ||
		    opt_str(c, o, path, "member_session_id", &msid) < 0 || opt_str(c, o, path, "started_at", &started) < 0 ||
		    opt_str(c, o, path, "expires_at", &expires) < 0)
			return SE_EINVAL;
		if ((started && se_time_parse(started, &t) < 0) || (expires && se_time_parse(expires, &t) < 0))
			return fail(c, "%s: started_at and expires_at must be RFC 3339 times", path);
		if (se_store_member_get(c->db, s.member_id, &m) < 0)
			return fail(c, "%s.member_id: %s is not a member of the document", path, s.member_id);
		se_member_release(&m);
		if (!msid) {
			if (se_id_format(SE_ID_SESSION, sid, sizeof sid) < 0)
				return fail(c, "%s: no id could be made", path);
			msid = sid;
		}
		s.member_session_id = (char *)msid;
		s.started_at = (char *)(started ? started : c->now_text);
		s.expires_at = (char *)expires;
		if (se_store_session_insert(c->db, &s) < 0)
			return fail(c, "%s: session_token or member_session_id is used twice", path);
	}
	return 0;
}

/* Reads one connection of kind k from its API-shaped JSON into obj (fields borrowed copies). */
static int conn_from_json(ctx *c, const se_kind *k, const json_t *j, const char *path, void *obj)
{
	memset(obj, 0, k->size);
	if (!json_is_object(j))
		return fail(c, "%s: must be an object", path);
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		const char *name = f->json_name ? f->json_name : f->column;
		json_t *v = json_object_get(j, name);
		void *at = (char *)obj + f->offset;
		if (f->flags & SE_FIELD_KEY) {
			const char *s = NULL;
			if (req_str(c, j, path, name, &s) < 0)
				goto fail;
			v = json_string(s);
		}
		if (!v || json_is_null(v))
			continue;
		switch (f->type) {
		case SE_FIELD_TEXT:
			if (!json_is_string(v)) {
				fail(c, "%s.%s: must be a string", path, name);
				goto fail;
			}
			*(char **)at = strdup(json_string_value(v));
			break;
		case SE_FIELD_BOOL:
			if (!json_is_boolean(v)) {
				fail(c, "%s.%s: must be a boolean", path, name);
				goto fail;
			}
			*(bool *)at = json_is_true(v);
			break;
		case SE_FIELD_JSON:
			if ((f->json_default[0] == '[') != json_is_array(v) || (f->json_default[0] == '{') != json_is_object(v)) {
				fail(c, "%s.%s: must be %s", path, name, f->json_default[0] == '[' ? "an array" : "an object");
				goto fail;
			}
			*(json_t **)at = json_deep_copy(v);
			break;
		}
		if (f->flags & SE_FIELD_KEY)
			json_decref(v);
	}
	if (se_conn_fill_defaults(k, obj) < 0) {
		fail(c, "%s: out of memory", path);
		goto fail;
	}
	return 0;
fail:
	se_conn_release(k, obj);
	return SE_EINVAL;
}

/* Every certificate of a list must parse; missing ids, issuers and dates are filled from it. */
static int fill_certificates(ctx *c, json_t *list, const char *path, const char *prefix)
{
	size_t i;
	json_t *cert;
	json_array_foreach(list, i, cert) {
		const char *pem = se_json_str(cert, "certificate");
		char *issuer = NULL, *norm = NULL;
		time_t nb, na;
		char t1[21], t2[21];
		if (!pem || se_crypto_x509_parse(pem, &issuer, &nb, &na, &norm) < 0)
			return fail(c, "%s[%zu].certificate: must be an X.509 certificate in PEM form", path, i);
		se_time_format(nb, t1);
		se_time_format(na, t2);
		if (!se_json_str(cert, "certificate_id")) {
			char id[80];
			if (se_id_format(prefix, id, sizeof id) == 0)
				json_object_set_new(cert, "certificate_id", json_string(id));
		}
		json_object_set_new(cert, "certificate", json_string(norm));
		if (!se_json_str(cert, "issuer"))
			json_object_set_new(cert, "issuer", json_string(issuer));
		if (!se_json_str(cert, "created_at"))
			json_object_set_new(cert, "created_at", json_string(t1));
		if (!se_json_str(cert, "updated_at"))
			json_object_set_new(cert, "updated_at", json_string(t1));
		if (!se_json_str(cert, "expires_at"))
			json_object_set_new(cert, "expires_at", json_string(t2));
		free(issuer);
		free(norm);
	}
	return 0;
}

/* A signing certificate's private_key (the key that signs AuthnRequests, SIGNIN.md 1), when the document has one,
 * must be an RSA private key of the size a signing_private_key update takes, behind that very certificate. */
static int signing_keys(ctx *c, json_t *list, const char *path)
{
	size_t i;
	json_t *cert;
	json_array_foreach (list, i, cert) {
		json_t *v = json_object_get(cert, "private_key");
		if (!v)
			continue;
		const char *key = json_string_value(v);
		if (!key || se_crypto_rsa_key_validate(key) < 0 ||
		    se_crypto_key_matches_cert(key, se_json_str(cert, "certificate")) < 0)
			return fail(c, "%s[%zu].private_key: must be the PEM RSA private key (%d to %d bits) of its certificate",
				    path, i, SE_RSA_MIN_BITS, SE_RSA_MAX_BITS);
	}
	return 0;
}

static int org_exists(ctx *c, const char *org_id)
{
	se_org o;
	if (se_store_org_get(c->db, org_id, false, &o) < 0)
		return 0;
	se_org_release(&o);
	return 1;
}

/* Kind-specific checks and completions before a connection is stored. */
static int complete_conn(ctx *c, const se_kind *k, const json_t *j, const char *path, void *obj)
{
	const char *org_id = se_conn_text(k, obj, "organization_id");
	if (!org_exists(c, org_id))
		return fail(c, "%s.organization_id: %s is not an organization of the document", path, org_id);
	if (k->id == SE_KIND_SAML || k->id == SE_KIND_OIDC) {
		const char *idp = se_conn_text(k, obj, "identity_provider");
		if (!*idp || !se_str_in(idp, se_sso_idps))
			return fail(c, "%s.identity_provider: %s is not a supported SSO identity provider", path, idp);
	}
	if (k->id == SE_KIND_SAML) {
		se_saml *s = obj;
		char p[96];
		snprintf(p, sizeof p, "%s.verification_certificates", path);
		if (fill_certificates(c, s->verification_certificates, p, SE_ID_VERIFICATION_KEY) < 0)
			return SE_EINVAL;
		snprintf(p, sizeof p, "%s.signing_certificates", path);
		if (fill_certificates(c, s->signing_certificates, p, SE_ID_SIGNING_KEY) < 0)
			return SE_EINVAL;
		if (signing_keys(c, s->signing_certificates, p) < 0)
			return SE_EINVAL;
		if (json_array_size(s->signing_certificates) == 0) {
			char *pem = NULL, *key = NULL, id[80], t1[21], t2[21];
			time_t na;
			if (se_crypto_signing_cert_new(NULL, c->now, &pem, &key, &na) < 0 ||
			    se_id_format(SE_ID_SIGNING_KEY, id, sizeof id) < 0) {
				free(pem);
				free(key);
				return fail(c, "%s: no signing certificate could be made", path);
			}
			se_time_format(c->now, t1);
			se_time_format(na, t2);
			json_array_append_new(s->signing_certificates,
					      json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "certificate_id", id,
							"certificate", pem, "private_key", key, "issuer", "Stytch",
							"created_at", t1, "expires_at", t2, "updated_at", t1));
			free(pem);
			free(key);
		}
		if (!*s->nameid_format) {
			free(s->nameid_format);
			s->nameid_format = strdup("urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
		}
	}
	if (k->id == SE_KIND_EXTERNAL) {
		se_external *e = obj;
		se_saml saml;
		se_oidc oidc;
		if (strcmp(e->external_organization_id, e->organization_id) == 0 || !org_exists(c, e->external_organization_id))
			return fail(c, "%s.external_organization_id: must be another organization of the document", path);
		if (se_store_conn_get(c->db, se_kind_get(SE_KIND_SAML), e->external_organization_id, e->external_connection_id,
				      &saml) == 0)
			se_conn_release(se_kind_get(SE_KIND_SAML), &saml);
		else if (se_store_conn_get(c->db, se_kind_get(SE_KIND_OIDC), e->external_organization_id,
					   e->external_connection_id, &oidc) == 0)
			se_conn_release(se_kind_get(SE_KIND_OIDC), &oidc);
		else
			return fail(c, "%s.external_connection_id: must be a SAML or OIDC connection of the external organization",
				    path);
	}
	if (k->id == SE_KIND_SCIM) {
		se_scim *s = obj;
		const char *token = se_json_str(j, "bearer_token");
		if (!*s->identity_provider || !se_str_in(s->identity_provider, se_scim_idps))
			return fail(c, "%s.identity_provider: %s is not a supported SCIM identity provider", path,
				    s->identity_provider);
		if (token) {
			char h[65];
			if (strlen(token) < 4)
				return fail(c, "%s.bearer_token: must be at least 4 characters", path);
			se_crypto_sha256_hex(token, strlen(token), h);
			free(s->bearer_token_hash);
			free(s->bearer_token_last_four);
			s->bearer_token_hash = strdup(h);
			s->bearer_token_last_four = strdup(token + strlen(token) - 4);
		}
		if (!*s->bearer_token_hash)
			return fail(c, "%s: needs bearer_token (or bearer_token_hash and bearer_token_last_four)", path);
		if (!*s->bearer_token_expires_at) {
			char t[21];
			se_time_format(c->now + 365 * 24 * 3600, t);
			free(s->bearer_token_expires_at);
			s->bearer_token_expires_at = strdup(t);
		}
	}
	return 0;
}

static int apply_connections(ctx *c, const json_t *doc, se_kind_id kind, const char *key)
{
	const se_kind *k = se_kind_get(kind);
	int err = 0;
	const json_t *list = opt_array(c, doc, key, &err);
	size_t i;
	json_t *j;
	if (err)
		return err;
	json_array_foreach(list, i, j) {
		char path[64];
		union {
			se_saml saml;
			se_oidc oidc;
			se_external external;
			se_scim scim;
		} obj;
		snprintf(path, sizeof path, "%s[%zu]", key, i);
		if (conn_from_json(c, k, j, path, &obj) < 0)
			return SE_EINVAL;
		int r = complete_conn(c, k, j, path, &obj);
		if (r == 0 && se_store_conn_insert(c->db, k, &obj) < 0)
			r = fail(c, kind == SE_KIND_SCIM ? "%s: connection_id is used twice or the organization already has a SCIM connection"
							 : "%s: connection_id is used twice", path);
		se_conn_release(k, &obj);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The SCIM provisioning fields of a group (SCIM.md 8): external_id, members (SCIM users of the
 * group's connection), created_at, updated_at; the name unique in the connection. */
static int group_extra(ctx *c, const json_t *o, const char *path, const se_scim_group *g)
{
	const char *ext = NULL, *created = NULL, *updated = NULL;
	char *other = NULL;
	if (opt_str(c, o, path, "external_id", &ext) < 0 || opt_str(c, o, path, "created_at", &created) < 0 ||
	    opt_str(c, o, path, "updated_at", &updated) < 0)
		return SE_EINVAL;
	json_t *members = json_object_get(o, "members");
	if (members && !json_is_array(members))
		return fail(c, "%s.members: must be an array of member ids", path);
	size_t i;
	json_t *m;
	json_array_foreach(members, i, m) {
		se_scim_user u;
		if (!json_is_string(m) ||
		    se_store_scim_user_get(c->db, g->connection_id, json_string_value(m), &u) < 0)
			return fail(c, "%s.members[%zu]: not a SCIM user of connection %s", path, i, g->connection_id);
		se_scim_user_release(&u);
		for (size_t k = 0; k < i; k++)
			if (json_equal(json_array_get(members, k), m))
				return fail(c, "%s.members[%zu]: listed twice", path, i);
	}
	if (se_store_scim_group_by_name(c->db, g->connection_id, g->group_name, &other) == 0) {
		bool same = strcmp(other, g->group_id) == 0;
		free(other);
		if (!same)
			return fail(c, "%s.group_name: %s is used twice in connection %s", path, g->group_name, g->connection_id);
	}
	se_scim_group_full f = {.group_id = g->group_id, .organization_id = g->organization_id,
				.connection_id = g->connection_id, .group_name = g->group_name,
				.external_id = (char *)(ext ? ext : ""), .members = members,
				.created_at = (char *)(created ? created : c->now_text),
				.updated_at = (char *)(updated ? updated : created ? created : c->now_text)};
	json_t *empty = NULL;
	if (!members && !(f.members = empty = json_array()))
		return SE_ENOMEM;
	int r = se_store_scim_group_put(c->db, &f);
	json_decref(empty);
	return r < 0 ? fail(c, "%s: the group could not be stored", path) : 0;
}

/* SCIM users (SCIM.md 8): each the SCIM user of a member of its connection's organization, whose
 * email is the one the resource derives. */
static int apply_scim_users(ctx *c, const json_t *doc)
{
	int err = 0;
	const json_t *list = opt_array(c, doc, "scim_users", &err);
	size_t i;
	json_t *o;
	if (err)
		return err;
	json_array_foreach(list, i, o) {
		char path[64], rid[96];
		snprintf(path, sizeof path, "scim_users[%zu]", i);
		const char *cid = NULL, *mid = NULL, *reg = NULL, *created = NULL, *updated = NULL;
		if (!json_is_object(o))
			return fail(c, "%s: must be an object", path);
		if (req_str(c, o, path, "connection_id", &cid) < 0 || req_str(c, o, path, "member_id", &mid) < 0 ||
		    opt_str(c, o, path, "registration_id", &reg) < 0 || opt_str(c, o, path, "created_at", &created) < 0 ||
		    opt_str(c, o, path, "updated_at", &updated) < 0)
			return SE_EINVAL;
		json_t *res = json_object_get(o, "resource");
		if (!json_is_object(res) || !json_is_string(json_object_get(res, "userName")))
			return fail(c, "%s.resource: must be a SCIM User object with a userName", path);
		se_scim scim;
		se_member m;
		if (se_store_conn_get(c->db, se_kind_get(SE_KIND_SCIM), NULL, cid, &scim) < 0)
			return fail(c, "%s.connection_id: %s is not a SCIM connection of the document", path, cid);
		int g = se_store_member_get(c->db, mid, &m);
		bool same_org = g == 0 && strcmp(m.organization_id, scim.organization_id) == 0;
		se_conn_release(se_kind_get(SE_KIND_SCIM), &scim);
		if (!same_org) {
			if (g == 0)
				se_member_release(&m);
			return fail(c, "%s.member_id: %s is not a member of the connection's organization", path, mid);
		}
		char *email = se_store_scim_derive_email(res);
		bool match = email && strcasecmp(email, m.email_address) == 0;
		free(email);
		se_member_release(&m);
		if (!match)
			return fail(c, "%s.resource: the email it derives is not the member's email_address", path);
		if (!reg) {
			if (se_id_format("scim-member-registration-test-", rid, sizeof rid) < 0)
				return fail(c, "%s: no id could be made", path);
			reg = rid;
		}
		se_scim_user u = {.member_id = (char *)mid, .connection_id = (char *)cid, .registration_id = (char *)reg,
				  .resource = res, .created_at = (char *)(created ? created : c->now_text),
				  .updated_at = (char *)(updated ? updated : created ? created : c->now_text)};
		if (se_store_scim_user_get(c->db, NULL, mid, &(se_scim_user){0}) == 0)
			return fail(c, "%s.member_id: %s has two SCIM users", path, mid);
		if (se_store_scim_user_put(c->db, &u) < 0)
			return fail(c, "%s.resource.userName: used twice in connection %s", path, cid);
	}
	return 0;
}

static int apply_groups(ctx *c, const json_t *doc)
{
	int err = 0;
	const json_t *list = opt_array(c, doc, "scim_groups", &err);
	size_t i;
	json_t *o;
	if (err)
		return err;
	json_array_foreach(list, i, o) {
		char path[64], id[80];
		snprintf(path, sizeof path, "scim_groups[%zu]", i);
		se_scim_group g = {0};
		se_scim scim;
		const char *gid = NULL;
		if (!json_is_object(o))
			return fail(c, "%s: must be an object", path);
		if (req_str(c, o, path, "connection_id", (const char **)&g.connection_id) < 0 ||
		    req_str(c, o, path, "group_name", (const char **)&g.group_name) < 0 ||
		    opt_str(c, o, path, "group_id", &gid) < 0)
			return SE_EINVAL;
		if (se_store_conn_get(c->db, se_kind_get(SE_KIND_SCIM), NULL, g.connection_id, &scim) < 0)
			return fail(c, "%s.connection_id: %s is not a SCIM connection of the document", path, g.connection_id);
		if (!gid) {
			if (se_id_format(SE_ID_SCIM_GROUP, id, sizeof id) < 0) {
				se_conn_release(se_kind_get(SE_KIND_SCIM), &scim);
				return fail(c, "%s: no id could be made", path);
			}
			gid = id;
		}
		g.group_id = (char *)gid;
		g.organization_id = scim.organization_id;
		int r = se_store_scim_group_insert(c->db, &g) < 0 ? fail(c, "%s: group_id is used twice", path) : 0;
		if (r == 0)
			r = group_extra(c, o, path, &g);
		se_conn_release(se_kind_get(SE_KIND_SCIM), &scim);
		if (r < 0)
			return r;
	}
	return 0;
}

int se_fixtures_apply(se_db *db, const json_t *doc, time_t now, char **ret_error)
{
	ctx c = {.db = db, .now = now, .error = ret_error};
	*ret_error = NULL;
	se_time_format(now, c.now_text);
	if (!json_is_object(doc))
		return fail(&c, "the document must be a JSON object");
	int r = 0;
	if (apply_project(&c, doc) < 0 || apply_orgs(&c, doc) < 0 || apply_members(&c, doc) < 0 ||
	    apply_sessions(&c, doc) < 0 || apply_connections(&c, doc, SE_KIND_SAML, "saml_connections") < 0 ||
	    apply_connections(&c, doc, SE_KIND_OIDC, "oidc_connections") < 0 ||
	    apply_connections(&c, doc, SE_KIND_EXTERNAL, "external_connections") < 0 ||
	    apply_connections(&c, doc, SE_KIND_SCIM, "scim_connections") < 0 || apply_scim_users(&c, doc) < 0 ||
	    apply_groups(&c, doc) < 0 || check_org_links(&c) < 0)
		r = SE_EINVAL;
	/* Sign-in settings, JIT rules, trusted metadata and SSO registrations (SIGNIN.md section 6.6). */
	if (r == 0 && se_store_signin_apply(db, doc, ret_error) < 0) {
		if (!*ret_error)
			*ret_error = strdup("sign-in fields could not be stored");
		r = SE_EINVAL;
	}
	json_decref(c.owned_policy);
	return r;
}

/* --- export ------------------------------------------------------------------------------------ */

/* Appends item (stolen) to list; a NULL item is an allocation failure and stops the walk. */
static int push(json_t *list, json_t *item)
{
	return item && json_array_append_new(list, item) == 0 ? 0 : SE_ENOMEM;
}

static int export_org(const se_org *o, void *list)
{
	json_t *out = json_pack("{s:s, s:s, s:s, s:O, s:s, s:s, s:s, s:o}", "organization_id", o->organization_id,
				"organization_slug", o->organization_slug, "organization_name", o->organization_name,
				"email_allowed_domains", o->email_allowed_domains, "created_at", o->created_at,
				"updated_at", *o->updated_at ? o->updated_at : o->created_at, "organization_logo_url",
				o->organization_logo_url, "sso_default_connection_id",
				o->sso_default_connection_id ? json_string(o->sso_default_connection_id) : json_null());
	if (out && o->organization_external_id &&
	    json_object_set_new(out, "organization_external_id", json_string(o->organization_external_id)) < 0) {
		json_decref(out);
		out = NULL;
	}
	/* In the table's order, whatever order they were set in, so that the text round-trips. */
	for (const se_org_setting *s = se_org_settings; out && s->name; s++) {
		json_t *v = json_object_get(o->settings, s->name);
		if (v && json_object_set(out, s->name, v) < 0) {
			json_decref(out);
			out = NULL;
		}
	}
	return push(list, out);
}

static int export_member(const se_member *m, void *list)
{
	return push(list, json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s}", "member_id", m->member_id, "organization_id",
				    m->organization_id, "email_address", m->email_address, "name", m->name, "roles",
				    m->roles, "created_at", m->created_at, "status", m->status ? m->status : "active"));
}

static int export_session(const se_session *s, void *list)
{
	return push(list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "session_token", s->session_token,
				    "member_session_id", s->member_session_id, "member_id", s->member_id, "started_at",
				    s->started_at, "expires_at", s->expires_at ? json_string(s->expires_at) : json_null()));
}

static int export_group(const se_scim_group_full *g, void *list)
{
	return push(list, json_pack("{s:s, s:s, s:s, s:s, s:O, s:s, s:s}", "group_id", g->group_id, "connection_id",
				    g->connection_id, "group_name", g->group_name, "external_id", g->external_id, "members",
				    g->members, "created_at", g->created_at, "updated_at", g->updated_at));
}

static int export_scim_user(const se_scim_user *u, void *list)
{
	return push(list, json_pack("{s:s, s:s, s:s, s:s, s:s, s:O}", "connection_id", u->connection_id, "member_id",
				    u->member_id, "registration_id", u->registration_id, "created_at", u->created_at,
				    "updated_at", u->updated_at, "resource", u->resource));
}

typedef struct export_ctx {
	const se_kind *kind;
	json_t *list;
} export_ctx;

/* Every field of the kind's table under its API name, the stored secrets (hashes) included. */
static int export_conn(void *obj, void *v)
{
	export_ctx *c = v;
	json_t *o = json_object();
	if (!o)
		return SE_ENOMEM;
	for (size_t i = 0; i < c->kind->n_fields; i++) {
		const se_field *f = &c->kind->fields[i];
		const void *at = (const char *)obj + f->offset;
		json_t *val = NULL;
		switch (f->type) {
		case SE_FIELD_TEXT:
			val = se_json_str_or_empty(*(char *const *)at);
			break;
		case SE_FIELD_BOOL:
			val = json_boolean(*(const bool *)at);
			break;
		case SE_FIELD_JSON:
			val = *(json_t *const *)at ? json_deep_copy(*(json_t *const *)at) : json_loads(f->json_default, 0, NULL);
			break;
		}
		if (!val || json_object_set_new(o, f->json_name ? f->json_name : f->column, val) < 0) {
			json_decref(o);
			return SE_ENOMEM;
		}
	}
	return push(c->list, o);
}

static int export_kind(se_db *db, json_t *doc, se_kind_id kind, const char *key)
{
	export_ctx c = {se_kind_get(kind), json_array()};
	if (!c.list || json_object_set_new(doc, key, c.list) < 0)
		return SE_ENOMEM;
	return se_store_conn_each(db, c.kind, NULL, export_conn, &c);
}

/* Adds an empty list under key; returns it (borrowed), or NULL. */
static json_t *add_list(json_t *doc, const char *key)
{
	json_t *list = json_array();
	return list && json_object_set_new(doc, key, list) == 0 ? list : NULL;
}

int se_fixtures_export(se_db *db, json_t **ret)
{
	se_project *p = NULL;
	json_t *l;
	int r = se_store_project_get(db, &p);
	if (r < 0)
		return r;
	json_t *doc = json_pack("{s:{s:s, s:s, s:s, s:b, s:O}, s:O}", "project", "project_id", p->project_id, "secret",
				p->secret, "public_token", p->public_token, "sdk_member_actions_enabled",
				p->sdk_member_actions_enabled, "admin_portal", p->admin_portal, "rbac_policy",
				p->rbac_policy);
	if (doc && *p->project_name)
		json_object_set_new(json_object_get(doc, "project"), "project_name", json_string(p->project_name));
	se_project_unref(p);
	if (!doc)
		return SE_ENOMEM;
	/* Same order as se_fixtures_apply() reads them: each list only refers to earlier ones. */
	r = (l = add_list(doc, "organizations")) ? se_store_org_each(db, export_org, l) : SE_ENOMEM;
	if (r == 0)
		r = (l = add_list(doc, "members")) ? se_store_member_each(db, export_member, l) : SE_ENOMEM;
	if (r == 0)
		r = (l = add_list(doc, "sessions")) ? se_store_session_each(db, export_session, l) : SE_ENOMEM;
	if (r == 0)
		r = export_kind(db, doc, SE_KIND_SAML, "saml_connections");
	if (r == 0)
		r = export_kind(db, doc, SE_KIND_OIDC, "oidc_connections");
	if (r == 0)
		r = export_kind(db, doc, SE_KIND_EXTERNAL, "external_connections");
	if (r == 0)
		r = export_kind(db, doc, SE_KIND_SCIM, "scim_connections");
	if (r == 0)
		r = (l = add_list(doc, "scim_users")) ? se_store_scim_user_each(db, NULL, export_scim_user, l) : SE_ENOMEM;
	if (r == 0)
		r = (l = add_list(doc, "scim_groups")) ? se_store_scim_group_full_each(db, NULL, export_group, l) : SE_ENOMEM;
	if (r == 0)
		r = se_store_signin_export(db, doc);
	if (r < 0) {
		json_decref(doc);
		return r;
	}
	*ret = doc;
	return 0;
}
