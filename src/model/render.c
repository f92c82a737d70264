/* Pure renderers from stored objects to API objects. */
#include "model/render.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "model/rbac.h"
#include "util/util.h"

/* Whether an API field name is a time ("..._at"). */
static bool timestamp_name(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, "_at") == 0;
}

json_t *se_render_fields(const se_kind *k, const void *obj)
{
	json_t *o = json_object();
	if (!o)
		return NULL;
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		if (f->flags & SE_FIELD_SECRET)
			continue;
		const void *at = (const char *)obj + f->offset;
		const char *name = f->json_name ? f->json_name : f->column;
		json_t *v = NULL;
		switch (f->type) {
		case SE_FIELD_TEXT:
			/* An unset time is null, never "": the typed clients parse it as a date (ORG.md 5). */
			v = timestamp_name(name) && !(*(char *const *)at && **(char *const *)at)
				    ? json_null()
				    : se_json_str_or_empty(*(char *const *)at);
			break;
		case SE_FIELD_BOOL:
			v = json_boolean(*(const bool *)at);
			break;
		case SE_FIELD_JSON:
			v = *(json_t *const *)at ? json_deep_copy(*(json_t *const *)at) : json_loads(f->json_default, 0, NULL);
			break;
		}
		if (!v || json_object_set_new(o, name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static int set_str(json_t *o, const char *key, const char *value)
{
	return json_object_set_new(o, key, se_json_str_or_empty(value));
}

json_t *se_render_saml(const se_saml *c, const char *public_url)
{
	json_t *o = se_render_fields(se_kind_get(SE_KIND_SAML), c);
	if (!o)
		return NULL;
	char *callback = se_asprintf("%s/v1/b2b/sso/callback/%s", public_url, c->connection_id);
	json_t *keys = json_object_get(o, "encryption_private_keys");
	/* The private key behind a signing certificate signs AuthnRequests; it is never shown. */
	size_t i;
	json_t *sc;
	json_array_foreach(json_object_get(o, "signing_certificates"), i, sc) json_object_del(sc, "private_key");
	/* The frontend SDK's type names this list saml_encryption_private_keys. */
	if (!callback || set_str(o, "status", se_saml_status(c)) < 0 || set_str(o, "acs_url", callback) < 0 ||
	    set_str(o, "audience_uri", callback) < 0 ||
	    json_object_set_new(o, "saml_encryption_private_keys", json_deep_copy(keys)) < 0) {
		json_decref(o);
		o = NULL;
	}
	free(callback);
	return o;
}

json_t *se_render_oidc(const se_oidc *c, const char *public_url)
{
	json_t *o = se_render_fields(se_kind_get(SE_KIND_OIDC), c);
	char *callback = se_asprintf("%s/v1/b2b/sso/callback/%s", public_url, c->connection_id);
	if (!o || !callback || set_str(o, "status", se_oidc_status(c)) < 0 || set_str(o, "redirect_url", callback) < 0) {
		json_decref(o);
		o = NULL;
	}
	free(callback);
	return o;
}

json_t *se_render_external(const se_external *c)
{
	json_t *o = se_render_fields(se_kind_get(SE_KIND_EXTERNAL), c);
	if (o && set_str(o, "status", "active") < 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *se_render_scim(const se_scim *c, const char *public_url, const char *bearer_token,
		       const char *next_bearer_token)
{
	json_t *o = se_render_fields(se_kind_get(SE_KIND_SCIM), c);
	bool entra = c->identity_provider && strcmp(c->identity_provider, "microsoft-entra") == 0;
	char *base = se_asprintf("%s/v1/b2b/scim/%s%s", public_url, c->connection_id, entra ? "?aadOptscim062020" : "");
	int r = o && base ? 0 : -1;
	if (r == 0)
		r = set_str(o, "status", "active") | set_str(o, "base_url", base);
	if (r == 0 && bearer_token) {
		json_object_del(o, "bearer_token_last_four");
		r = set_str(o, "bearer_token", bearer_token);
	}
	if (r == 0 && next_bearer_token) {
		json_object_del(o, "next_bearer_token_last_four");
		r = set_str(o, "next_bearer_token", next_bearer_token);
	}
	free(base);
	if (r != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

json_t *se_render_conn(const se_kind *k, const void *obj, const char *public_url)
{
	switch (k->id) {
	case SE_KIND_SAML:
		return se_render_saml(obj, public_url);
	case SE_KIND_OIDC:
		return se_render_oidc(obj, public_url);
	case SE_KIND_EXTERNAL:
		return se_render_external(obj);
	case SE_KIND_SCIM:
		return se_render_scim(obj, public_url, NULL, NULL);
	default:
		return NULL;
	}
}

json_t *se_render_org(const se_org *o)
{
	const char *updated = o->updated_at && *o->updated_at ? o->updated_at : o->created_at;
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:o, s:O, s:o, s:o, s:s, s:s}", "organization_id", o->organization_id,
				"organization_name", o->organization_name, "organization_slug", o->organization_slug,
				"organization_logo_url", o->organization_logo_url ? o->organization_logo_url : "",
				"sso_default_connection_id",
				o->sso_default_connection_id ? json_string(o->sso_default_connection_id) : json_null(),
				"email_allowed_domains", o->email_allowed_domains, "sso_active_connections",
				o->sso_active_connections ? json_deep_copy(o->sso_active_connections) : json_array(),
				"scim_active_connection",
				o->scim_active_connection ? json_deep_copy(o->scim_active_connection) : json_null(),
				"created_at", o->created_at, "updated_at", updated);
	if (!out)
		return NULL;
	for (const se_org_setting *s = se_org_settings; s->name; s++) {
		json_t *have = json_object_get(o->settings, s->name);
		json_t *v = have ? json_deep_copy(have) : json_loads(s->json_default, JSON_DECODE_ANY, NULL);
		if (!v || json_object_set_new(out, s->name, v) < 0) {
			json_decref(out);
			return NULL;
		}
	}
	if (o->organization_external_id &&
	    json_object_set_new(out, "organization_external_id", json_string(o->organization_external_id)) < 0) {
		json_decref(out);
		return NULL;
	}
	return out;
}

/* The SCIM group sources of a role (SCIM.md 6.5) appended to its sources. */
static int add_scim_sources(const se_member *m, json_t *role)
{
	size_t i;
	json_t *src;
	json_t *list = json_object_get(role, "sources");
	const char *id = json_string_value(json_object_get(role, "role_id"));
	json_array_foreach(m->scim_role_sources, i, src) {
		if (!id || strcmp(json_string_value(json_object_get(src, "role_id")), id) != 0)
			continue;
		json_t *s = json_pack("{s:s, s:{s:O, s:O}}", "type", "scim_connection_group", "details", "connection_id",
				      json_object_get(src, "connection_id"), "group_id", json_object_get(src, "group_id"));
		if (!s || json_array_append_new(list, s) < 0)
			return -1;
	}
	return 0;
}

json_t *se_render_member(const se_member *m)
{
	json_t *roles = json_array();
	json_t *o = NULL;
	if (!roles)
		return NULL;
	json_t *direct = json_pack("{s:s, s:[{s:s}]}", "role_id", SE_RBAC_DEFAULT_ROLE, "sources", "type", "direct_assignment");
	if (!direct || json_array_append_new(roles, direct) < 0)
		goto done;
	size_t i;
	json_t *id;
	size_t n_direct = json_array_size(m->roles) - m->n_scim_roles;
	json_array_foreach(m->roles, i, id) {
		json_t *role = i < n_direct ? json_pack("{s:O, s:[{s:s}]}", "role_id", id, "sources", "type", "direct_assignment")
					    : json_pack("{s:O, s:[]}", "role_id", id, "sources");
		if (!role || json_array_append_new(roles, role) < 0 || add_scim_sources(m, role) < 0)
			goto done;
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:b, s:b, s:s, s:s, s:{}, s:{}, s:s, s:s}", "member_id", m->member_id,
		      "organization_id", m->organization_id, "email_address", m->email_address, "name", m->name, "status",
		      m->status ? m->status : "active", "roles", roles, "is_breakglass", 0, "mfa_enrolled", 0, "mfa_phone_number", "",
		      "default_mfa_method", "", "trusted_metadata", "untrusted_metadata", "created_at", m->created_at,
		      "updated_at", m->created_at);
	/* The rest of the Member of Stytch's published schema: what a member without passwords, OAuth, TOTP or
	 * locks has. Seeded members sign in, so their email counts as verified (chosen). is_admin is Stytch's
	 * shorthand for holding stytch_admin. */
	bool admin = false;
	json_array_foreach(m->roles, i, id) admin = admin || (json_is_string(id) && strcmp(json_string_value(id), "stytch_admin") == 0);
	if (o && json_object_update_new(o, json_pack("{s:[], s:s, s:[], s:b, s:b, s:b, s:s, s:[], s:b}", "sso_registrations",
						    "member_password_id", "", "oauth_registrations",
						    "email_address_verified", 1, "mfa_phone_number_verified", 0, "is_admin",
						    admin, "totp_registration_id", "", "retired_email_addresses", "is_locked",
						    0)) < 0) {
		json_decref(o);
		o = NULL;
	}
	if (o && m->scim_registration && json_object_set(o, "scim_registration", m->scim_registration) < 0) {
		json_decref(o);
		o = NULL;
	}
done:
	json_decref(roles);
	return o;
}

json_t *se_render_member_session(const se_session *s, const se_member *m, const se_org *o)
{
	json_t *roles = json_array();
	if (!roles || json_array_append_new(roles, json_string(SE_RBAC_DEFAULT_ROLE)) < 0 ||
	    json_array_extend(roles, m->roles) < 0) {
		json_decref(roles);
		return NULL;
	}
	/* Seeded sessions never expire: they show a date far ahead rather than null, as the SDK
	 * parses the field as a date. */
	json_t *out = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[], s:{}, s:o}", "member_session_id",
				s->member_session_id, "member_id", s->member_id, "organization_id", m->organization_id,
				"organization_slug", o->organization_slug, "started_at", s->started_at,
				"last_accessed_at", s->started_at, "expires_at",
				s->expires_at ? s->expires_at : "2099-12-31T23:59:59Z", "authentication_factors",
				"custom_claims", "roles", roles);
	return out;
}
