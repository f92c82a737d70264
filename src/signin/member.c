/* Members after an assertion, SSO tokens, implicit roles and the sign-in fields of Member and
 * Organization objects (SIGNIN.md sections 4 and 5). */
#include "signin/member.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "crypto/digest.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "model/ids.h"
#include "model/render.h"
#include "signin/urls.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

void se_signin_result_release(se_signin_result *res)
{
	free(res->token);
	free(res->member_id);
	free(res->organization_slug);
	free(res->redirect_url);
	memset(res, 0, sizeof *res);
}

static void b64url(const unsigned char *in, size_t len, char *out)
{
	int n = EVP_EncodeBlock((unsigned char *)out, in, (int)len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (char *p = out; *p; p++)
		*p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
}

int se_signin_random_token(char out[45])
{
	unsigned char b[33];
	if (se_crypto_random(b, sizeof b) < 0)
		return SE_ECRYPTO;
	char tmp[48];
	b64url(b, sizeof b, tmp);
	memcpy(out, tmp, 45);
	return 0;
}

void se_signin_s256(const char *s, char out[44])
{
	unsigned char d[SHA256_DIGEST_LENGTH];
	SHA256((const unsigned char *)s, strlen(s), d);
	char tmp[48];
	b64url(d, sizeof d, tmp);
	memcpy(out, tmp, 44);
}

/* The member of org_id with that email (case-insensitive); SE_ENOTFOUND when none. */
static int member_in_org(se_db *db, const char *org_id, const char *email, se_member *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT member_id FROM members WHERE organization_id = ? AND "
	                                  "lower(email_address) = lower(?) ORDER BY rowid LIMIT 1");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	char *id = rc == SQLITE_ROW ? se_db_col_text(st, 0) : NULL;
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return SE_ENOTFOUND;
	if (!id)
		return rc == SQLITE_ROW ? SE_ENOMEM : SE_EDB;
	int r = se_store_member_get(db, id, ret);
	free(id);
	return r;
}

static bool jit_allowed(const se_org_signin *os, const char *connection_id)
{
	if (strcmp(os->sso_jit_provisioning, "ALL_ALLOWED") == 0)
		return true;
	if (strcmp(os->sso_jit_provisioning, "RESTRICTED") != 0)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach (os->allowed_connections, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), connection_id) == 0)
			return true;
	return false;
}

int se_signin_complete(se_req *r, const se_signin_target *t, const se_signin_identity *id, const char *pkce_challenge,
                       int lifetime, se_signin_result *ret)
{
	memset(ret, 0, sizeof *ret);
	se_member m = {0};
	se_org org = {0};
	se_org_signin os = {0};
	json_t *trusted = NULL;
	char *registration = NULL;
	char token[45], hash[65], member_id[80], reg_id[96], now_text[21];
	bool created = false, verified = false;
	int rc = -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	if (se_store_org_get(r->db, t->organization_id, false, &org) < 0 ||
	    se_store_org_signin_get(r->db, t->organization_id, &os) < 0) {
		se_req_internal(r);
		goto fail;
	}
	int g = member_in_org(r->db, t->organization_id, id->email, &m);
	if (g < 0 && g != SE_ENOTFOUND) {
		se_req_internal(r);
		goto fail;
	}
	se_time_format(r->now, now_text);
	if (g == SE_ENOTFOUND) {
		if (!jit_allowed(&os, t->connection_id)) {
			se_req_fail(
			    r, SE_ERR_SI_INVALID_CONNECTION_FOR_JIT_PROVISIONING,
			    "%s has no member %s, and its sso_jit_provisioning (%s) does not allow creating one "
			    "through connection %s.",
			    org.organization_id, id->email, os.sso_jit_provisioning, t->connection_id);
			goto fail;
		}
		if (se_id_format(SE_ID_MEMBER, member_id, sizeof member_id) < 0) {
			se_req_internal(r);
			goto fail;
		}
		se_member nm = {.member_id = member_id,
		                .organization_id = org.organization_id,
		                .email_address = (char *)id->email,
		                .name = (char *)(id->name ? id->name : ""),
		                .roles = json_array(),
		                .created_at = now_text};
		int ins = nm.roles ? se_store_member_insert(r->db, &nm) : SE_ENOMEM;
		json_decref(nm.roles);
		if (ins < 0 || se_store_member_get(r->db, member_id, &m) < 0) {
			se_req_internal(r);
			goto fail;
		}
		created = true;
	} else if (id->name && *id->name && strcmp(id->name, m.name) != 0) {
		/* Each sign-in replaces the name when one is asserted (chosen). */
		if (se_db_exec(r->db, "UPDATE members SET name = ? WHERE member_id = ?", id->name, m.member_id, NULL) <
		    0) {
			se_req_internal(r);
			goto fail;
		}
	}
	if (se_store_member_signin_get(r->db, m.member_id, &trusted, &verified) < 0 ||
	    json_object_update(trusted, (json_t *)id->trusted) < 0 ||
	    se_store_member_signin_put(r->db, m.member_id, trusted, true) < 0 ||
	    se_id_format("sso-registration-test-", reg_id, sizeof reg_id) < 0 ||
	    se_store_registration_upsert(r->db, m.member_id, t->connection_id, id->external_id, id->sso_attributes,
	                                 id->groups, reg_id, &registration) < 0 ||
	    se_signin_random_token(token) < 0) {
		se_req_internal(r);
		goto fail;
	}
	const char *target = t->no_redirect ? "" : created ? t->signup_url : t->login_url;
	if (!target) {
		se_req_fail(r,
		            created ? SE_ERR_SI_NO_DEFAULT_SIGNUP_REDIRECT_URL_SET
		                    : SE_ERR_SI_NO_DEFAULT_LOGIN_REDIRECT_URL_SET,
		            NULL);
		goto fail;
	}
	char *e_slug = se_signin_escape(org.organization_slug);
	char *params = e_slug ? se_asprintf("stytch_token_type=sso&token=%s&slug=%s", token, e_slug) : NULL;
	ret->redirect_url = params ? t->no_redirect ? strdup("") : se_signin_url_add(target, params) : NULL;
	if (params)
		OPENSSL_cleanse(params, strlen(params));
	free(params);
	free(e_slug);
	if (!ret->redirect_url) {
		se_req_internal(r);
		goto fail;
	}
	se_crypto_sha256_hex(token, strlen(token), hash);
	se_sso_token tk = {.member_id = m.member_id,
	                   .organization_id = org.organization_id,
	                   .connection_id = (char *)t->connection_id,
	                   .protocol = (char *)t->protocol,
	                   .external_id = (char *)id->external_id,
	                   .registration_id = registration,
	                   .pkce_code_challenge = (char *)(pkce_challenge ? pkce_challenge : ""),
	                   .is_new_member = created,
	                   .expires_at = r->now + lifetime};
	if (se_store_sso_token_insert(r->db, hash, &tk) < 0 || se_db_commit(r->db) < 0) {
		se_req_internal(r);
		goto fail;
	}
	ret->token = strdup(token);
	ret->member_id = strdup(m.member_id);
	ret->organization_slug = strdup(org.organization_slug);
	ret->is_new_member = created;
	ret->expires_at = tk.expires_at;
	rc = ret->token && ret->member_id && ret->organization_slug ? 0 : se_req_internal(r);
	goto done;
fail:
	se_db_rollback(r->db);
	se_signin_result_release(ret);
done:
	OPENSSL_cleanse(token, sizeof token);
	free(registration);
	json_decref(trusted);
	se_member_release(&m);
	se_org_release(&org);
	se_org_signin_release(&os);
	return rc;
}

/* --- roles ------------------------------------------------------------------------------------- */

/* Adds source to role_id's entry of roles ({role_id: [sources]} in insertion order). */
static void add_role(json_t *roles, const char *role_id, json_t *source)
{
	json_t *list = json_object_get(roles, role_id);
	if (!list) {
		list = json_array();
		json_object_set_new(roles, role_id, list);
	}
	json_array_append_new(list, source);
}

/* The implicit roles one registration grants (section 4.2): from the SAML or External connection's
 * current assignments and the groups stored with the registration. */
static void implicit_roles(se_db *db, const char *connection_id, const json_t *groups, json_t *roles)
{
	const se_kind *ks[] = {se_kind_get(SE_KIND_SAML), se_kind_get(SE_KIND_EXTERNAL)};
	for (size_t k = 0; k < 2; k++) {
		union {
			se_saml s;
			se_external e;
		} c;
		if (se_store_conn_get(db, ks[k], NULL, connection_id, &c) < 0)
			continue;
		json_t *conn = k == 0 ? c.s.connection_role_assignments : c.e.connection_role_assignments;
		json_t *grp = k == 0 ? c.s.group_role_assignments : c.e.group_role_assignments;
		size_t i, j;
		json_t *a, *g;
		json_array_foreach (conn, i, a) {
			const char *role = se_json_str(a, "role_id");
			if (role)
				add_role(roles, role,
				         json_pack("{s:s, s:{s:s}}", "type", "sso_connection", "details",
				                   "connection_id", connection_id));
		}
		json_array_foreach (grp, i, a) {
			const char *role = se_json_str(a, "role_id"), *group = se_json_str(a, "group");
			json_array_foreach (groups, j, g) {
				if (role && group && json_is_string(g) && strcmp(json_string_value(g), group) == 0)
					add_role(roles, role,
					         json_pack("{s:s, s:{s:s, s:s}}", "type", "sso_connection_group",
					                   "details", "connection_id", connection_id, "group", group));
			}
		}
		se_conn_release(ks[k], &c);
		return;
	}
}

/* {role_id: [sources]}: stytch_member and direct roles, then implicit ones of registrations whose
 * connection passes (all when only is NULL). */
static json_t *role_map(se_db *db, const se_member *m, const json_t *regs, const json_t *only)
{
	json_t *roles = json_object();
	if (!roles)
		return NULL;
	add_role(roles, "stytch_member", json_pack("{s:s}", "type", "direct_assignment"));
	size_t i;
	json_t *v;
	json_array_foreach (m->roles, i, v)
		if (json_is_string(v))
			add_role(roles, json_string_value(v), json_pack("{s:s}", "type", "direct_assignment"));
	json_array_foreach (regs, i, v) {
		const char *cid = se_json_str(v, "connection_id");
		if (!cid)
			continue;
		if (only) {
			bool listed = false;
			size_t k;
			json_t *f;
			json_array_foreach (only, k, f) {
				const char *pid = se_json_str(json_object_get(f, "saml_sso_factor"), "provider_id");
				if (!pid)
					pid = se_json_str(json_object_get(f, "oidc_sso_factor"), "provider_id");
				listed = listed || (pid && strcmp(pid, cid) == 0);
			}
			if (!listed)
				continue;
		}
		implicit_roles(db, cid, json_object_get(v, "groups"), roles);
	}
	return roles;
}

json_t *se_signin_session_roles(se_db *db, const se_member *m, const json_t *factors)
{
	json_t *regs = NULL;
	if (se_store_registrations_of(db, m->member_id, &regs) < 0)
		return NULL;
	json_t *map = role_map(db, m, regs, factors ? factors : json_array());
	json_t *out = map ? json_array() : NULL;
	const char *k;
	json_t *v;
	/* stytch_member is added by the renderers and the JWT. */
	json_object_foreach (map, k, v)
		if (strcmp(k, "stytch_member") != 0)
			json_array_append_new(out, json_string(k));
	json_decref(map);
	json_decref(regs);
	return out;
}

int se_signin_apply_session_roles(se_db *db, const se_session *s, se_member *m)
{
	json_t *factors = NULL;
	int r = se_store_session_factors_get(db, s->member_session_id, &factors);
	if (r < 0 || json_array_size(factors) == 0) {
		json_decref(factors);
		return r;
	}
	json_t *roles = se_signin_session_roles(db, m, factors);
	json_decref(factors);
	json_t *out = roles ? json_array() : NULL;
	if (!out) {
		json_decref(roles);
		return SE_ENOMEM;
	}
	/* Direct roles, then the implicit ones not already there, then the SCIM tail (n_scim_roles), so
	 * the SCIM store's count of the last roles still holds. */
	size_t n = json_array_size(m->roles), n_direct = n - (m->n_scim_roles <= n ? m->n_scim_roles : n);
	for (size_t i = 0; i < n_direct; i++)
		json_array_append(out, json_array_get(m->roles, i));
	size_t i;
	json_t *v;
	json_array_foreach (roles, i, v) {
		bool known = false;
		for (size_t k = 0; k < n && !known; k++)
			known = json_equal(json_array_get(m->roles, k), v);
		if (!known)
			json_array_append(out, v);
	}
	for (size_t k = n_direct; k < n; k++)
		json_array_append(out, json_array_get(m->roles, k));
	json_decref(roles);
	json_decref(m->roles);
	m->roles = out;
	return 0;
}

json_t *se_signin_render_member(se_db *db, const se_member *m)
{
	json_t *o = se_render_member(m), *regs = NULL, *trusted = NULL;
	bool verified = false;
	if (!o || se_store_registrations_of(db, m->member_id, &regs) < 0 ||
	    se_store_member_signin_get(db, m->member_id, &trusted, &verified) < 0) {
		json_decref(o);
		json_decref(regs);
		return NULL;
	}
	/* The renderer's roles (direct and SCIM sources), with the implicit SSO sources added. */
	json_t *map = role_map(db, m, regs, NULL), *roles = json_deep_copy(json_object_get(o, "roles"));
	const char *k;
	json_t *v;
	json_object_foreach (map, k, v) {
		json_t *entry = NULL;
		size_t j;
		json_t *r;
		json_array_foreach (roles, j, r)
			if (strcmp(json_string_value(json_object_get(r, "role_id")), k) == 0)
				entry = r;
		size_t si;
		json_t *src;
		json_array_foreach (v, si, src) {
			const char *type = se_json_str(src, "type");
			if (type && strcmp(type, "direct_assignment") == 0)
				continue;
			if (!entry) {
				entry = json_pack("{s:s, s:[]}", "role_id", k, "sources");
				json_array_append_new(roles, entry);
			}
			json_array_append(json_object_get(entry, "sources"), src);
		}
	}
	json_t *out_regs = json_array();
	size_t i;
	json_array_foreach (regs, i, v) {
		json_array_append_new(out_regs, json_pack("{s:O, s:O, s:O, s:O}", "connection_id",
		                                          json_object_get(v, "connection_id"), "external_id",
		                                          json_object_get(v, "external_id"), "registration_id",
		                                          json_object_get(v, "registration_id"), "sso_attributes",
		                                          json_object_get(v, "sso_attributes")));
	}
	json_object_set_new(o, "roles", roles);
	json_object_set_new(o, "sso_registrations", out_regs);
	json_object_set_new(o, "trusted_metadata", trusted);
	json_object_set_new(o, "email_address_verified", json_boolean(verified));
	json_decref(map);
	json_decref(regs);
	return o;
}

typedef struct active_ctx {
	json_t *list;
	const se_kind *k;
	se_db *db;
} active_ctx;

static int add_active(void *obj, void *v)
{
	active_ctx *c = v;
	const char *id = se_conn_text(c->k, obj, "connection_id"), *name = se_conn_text(c->k, obj, "display_name");
	const char *idp = se_conn_text(c->k, obj, "identity_provider");
	if (c->k->id == SE_KIND_SAML && strcmp(se_saml_status(obj), "active") != 0)
		return 0;
	if (c->k->id == SE_KIND_OIDC && strcmp(se_oidc_status(obj), "active") != 0)
		return 0;
	if (c->k->id == SE_KIND_EXTERNAL) {
		const se_external *e = obj;
		idp = "generic";
		se_saml s;
		se_oidc o;
		if (se_store_conn_get(c->db, se_kind_get(SE_KIND_SAML), NULL, e->external_connection_id, &s) == 0) {
			json_array_append_new(c->list, json_pack("{s:s, s:s, s:s}", "connection_id", id, "display_name",
			                                         name, "identity_provider", s.identity_provider));
			se_conn_release(se_kind_get(SE_KIND_SAML), &s);
			return 0;
		}
		if (se_store_conn_get(c->db, se_kind_get(SE_KIND_OIDC), NULL, e->external_connection_id, &o) == 0) {
			json_array_append_new(c->list, json_pack("{s:s, s:s, s:s}", "connection_id", id, "display_name",
			                                         name, "identity_provider", o.identity_provider));
			se_conn_release(se_kind_get(SE_KIND_OIDC), &o);
			return 0;
		}
	}
	json_array_append_new(
	    c->list, json_pack("{s:s, s:s, s:s}", "connection_id", id, "display_name", name, "identity_provider", idp));
	return 0;
}

json_t *se_signin_render_org(se_db *db, const char *public_url, const se_org *o)
{
	(void)public_url;
	json_t *out = se_render_org(o);
	se_org_signin os;
	if (!out || se_store_org_signin_get(db, o->organization_id, &os) < 0) {
		json_decref(out);
		return NULL;
	}
	active_ctx c = {json_array(), NULL, db};
	se_kind_id kinds[] = {SE_KIND_SAML, SE_KIND_OIDC, SE_KIND_EXTERNAL};
	for (size_t i = 0; i < 3 && c.list; i++) {
		c.k = se_kind_get(kinds[i]);
		se_store_conn_each(db, c.k, o->organization_id, add_active, &c);
	}
	json_object_set_new(out, "sso_active_connections", c.list ? c.list : json_array());
	json_object_set_new(out, "sso_jit_provisioning", json_string(os.sso_jit_provisioning));
	json_object_set(out, "sso_jit_provisioning_allowed_connections", os.allowed_connections);
	json_object_set_new(out, "sso_default_connection_id",
	                    *os.sso_default_connection_id ? json_string(os.sso_default_connection_id) : json_null());
	se_org_signin_release(&os);
	return out;
}
