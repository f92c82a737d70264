/* Field tables of the connection kinds and the lifecycle of the stored objects. */
#include "model/model.h"

#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

#define F(st, col, jname, type, flags, def) {#col, jname, type, offsetof(st, col), flags, def}

static const se_field saml_fields[] = {
	F(se_saml, connection_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_saml, organization_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_saml, display_name, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, identity_provider, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, idp_entity_id, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, idp_sso_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, alternative_audience_uri, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, alternative_acs_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, nameid_format, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_saml, idp_initiated_auth_disabled, NULL, SE_FIELD_BOOL, 0, NULL),
	F(se_saml, allow_gateway_callback, NULL, SE_FIELD_BOOL, 0, NULL),
	F(se_saml, attribute_mapping, NULL, SE_FIELD_JSON, 0, "{}"),
	F(se_saml, signing_certificates, NULL, SE_FIELD_JSON, 0, "[]"),
	F(se_saml, verification_certificates, NULL, SE_FIELD_JSON, 0, "[]"),
	F(se_saml, encryption_private_keys, NULL, SE_FIELD_JSON, 0, "[]"),
	F(se_saml, connection_role_assignments, "saml_connection_implicit_role_assignments", SE_FIELD_JSON, 0, "[]"),
	F(se_saml, group_role_assignments, "saml_group_implicit_role_assignments", SE_FIELD_JSON, 0, "[]"),
};

static const se_field oidc_fields[] = {
	F(se_oidc, connection_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_oidc, organization_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_oidc, display_name, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, identity_provider, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, client_id, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, client_secret, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, issuer, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, authorization_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, token_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, userinfo_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, jwks_url, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, custom_scopes, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_oidc, attribute_mapping, NULL, SE_FIELD_JSON, 0, "{}"),
};

static const se_field external_fields[] = {
	F(se_external, connection_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_external, organization_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_external, external_organization_id, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_external, external_connection_id, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_external, display_name, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_external, connection_role_assignments, "external_connection_implicit_role_assignments", SE_FIELD_JSON, 0, "[]"),
	F(se_external, group_role_assignments, "external_group_implicit_role_assignments", SE_FIELD_JSON, 0, "[]"),
};

static const se_field scim_fields[] = {
	F(se_scim, connection_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_scim, organization_id, NULL, SE_FIELD_TEXT, SE_FIELD_KEY, NULL),
	F(se_scim, display_name, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, identity_provider, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, bearer_token_hash, NULL, SE_FIELD_TEXT, SE_FIELD_SECRET, NULL),
	F(se_scim, bearer_token_last_four, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, bearer_token_expires_at, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, next_bearer_token_hash, NULL, SE_FIELD_TEXT, SE_FIELD_SECRET, NULL),
	F(se_scim, next_bearer_token_last_four, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, next_bearer_token_expires_at, NULL, SE_FIELD_TEXT, 0, NULL),
	F(se_scim, group_role_assignments, "scim_group_implicit_role_assignments", SE_FIELD_JSON, 0, "[]"),
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const se_kind kinds[SE_KIND__COUNT] = {
	{SE_KIND_SAML, "saml_connections", "saml-connection-test-", saml_fields, N(saml_fields), sizeof(se_saml)},
	{SE_KIND_OIDC, "oidc_connections", "oidc-connection-test-", oidc_fields, N(oidc_fields), sizeof(se_oidc)},
	{SE_KIND_EXTERNAL, "external_connections", "external-connection-test-", external_fields, N(external_fields),
	 sizeof(se_external)},
	{SE_KIND_SCIM, "scim_connections", "scim-connection-test-", scim_fields, N(scim_fields), sizeof(se_scim)},
};

const char *const se_sso_idps[] = {
	"classlink", "cyberark", "duo", "generic", "google-workspace", "jumpcloud", "keycloak", "miniorange",
	"microsoft-entra", "okta", "onelogin", "pingfederate", "rippling", "salesforce", "shibboleth", NULL,
};

const char *const se_scim_idps[] = {
	"generic", "okta", "microsoft-entra", "cyberark", "jumpcloud", "onelogin", "pingfederate", "rippling", NULL,
};

const se_kind *se_kind_get(se_kind_id id)
{
	return &kinds[id];
}

void se_conn_release(const se_kind *k, void *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < k->n_fields; i++) {
		void *at = (char *)obj + k->fields[i].offset;
		if (k->fields[i].type == SE_FIELD_TEXT)
			free(*(char **)at);
		else if (k->fields[i].type == SE_FIELD_JSON)
			json_decref(*(json_t **)at);
	}
	memset(obj, 0, k->size);
}

int se_conn_fill_defaults(const se_kind *k, void *obj)
{
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		void *at = (char *)obj + f->offset;
		if (f->type == SE_FIELD_TEXT && !*(char **)at) {
			if (!(*(char **)at = strdup("")))
				return SE_ENOMEM;
		} else if (f->type == SE_FIELD_JSON && !*(json_t **)at) {
			if (!(*(json_t **)at = json_loads(f->json_default, 0, NULL)))
				return SE_ENOMEM;
		}
	}
	return 0;
}

int se_conn_copy(const se_kind *k, const void *obj, void *ret)
{
	memset(ret, 0, k->size);
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		const void *from = (const char *)obj + f->offset;
		void *to = (char *)ret + f->offset;
		if (f->type == SE_FIELD_BOOL) {
			*(bool *)to = *(const bool *)from;
		} else if (f->type == SE_FIELD_TEXT && *(char *const *)from) {
			if (!(*(char **)to = strdup(*(char *const *)from)))
				goto fail;
		} else if (f->type == SE_FIELD_JSON && *(json_t *const *)from) {
			if (!(*(json_t **)to = json_deep_copy(*(json_t *const *)from)))
				goto fail;
		}
	}
	return 0;
fail:
	se_conn_release(k, ret);
	return SE_ENOMEM;
}

char **se_conn_text_slot(const se_kind *k, void *obj, const char *column)
{
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		if (f->type == SE_FIELD_TEXT && strcmp(f->column, column) == 0)
			return (char **)((char *)obj + f->offset);
	}
	return NULL;
}

const char *se_conn_text(const se_kind *k, const void *obj, const char *column)
{
	char **slot = se_conn_text_slot(k, (void *)obj, column);
	return slot && *slot ? *slot : "";
}

void se_org_release(se_org *o)
{
	if (!o)
		return;
	free(o->organization_id);
	free(o->organization_slug);
	free(o->organization_name);
	json_decref(o->email_allowed_domains);
	free(o->created_at);
	free(o->organization_external_id);
	free(o->organization_logo_url);
	free(o->sso_default_connection_id);
	json_decref(o->settings);
	free(o->updated_at);
	json_decref(o->sso_active_connections);
	json_decref(o->scim_active_connection);
	memset(o, 0, sizeof *o);
}

void se_member_release(se_member *m)
{
	if (!m)
		return;
	free(m->member_id);
	free(m->organization_id);
	free(m->email_address);
	free(m->name);
	json_decref(m->roles);
	free(m->created_at);
	free(m->status);
	json_decref(m->scim_role_sources);
	json_decref(m->scim_registration);
	memset(m, 0, sizeof *m);
}

void se_session_release(se_session *s)
{
	if (!s)
		return;
	free(s->session_token);
	free(s->member_session_id);
	free(s->member_id);
	free(s->started_at);
	free(s->expires_at);
	memset(s, 0, sizeof *s);
}

static bool set(const char *s)
{
	return s && *s;
}

const char *se_saml_status(const se_saml *c)
{
	bool ok = set(c->idp_sso_url) && set(c->idp_entity_id) && set(se_json_str(c->attribute_mapping, "email")) &&
		  json_array_size(c->verification_certificates) > 0;
	return ok ? "active" : "pending";
}

const char *se_oidc_status(const se_oidc *c)
{
	/* userinfo_url is optional, as Stytch's required-field errors show (ORG.md section 6). */
	bool ok = set(c->issuer) && set(c->client_id) && set(c->client_secret) && set(c->authorization_url) &&
		  set(c->token_url) && set(c->jwks_url);
	return ok ? "active" : "pending";
}

void se_project_unref(se_project *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	free(p->project_id);
	free(p->secret);
	free(p->public_token);
	json_decref(p->rbac_policy);
	json_decref(p->admin_portal);
	free(p->project_name);
	free(p);
}

/* --- organization settings (ORG.md sections 2 and 3) --------------------------------------------- */

static const char *const jit3[] = {"ALL_ALLOWED", "RESTRICTED", "NOT_ALLOWED", NULL};
static const char *const all_or_restricted[] = {"ALL_ALLOWED", "RESTRICTED", NULL};
static const char *const restricted_or_not[] = {"RESTRICTED", "NOT_ALLOWED", NULL};
static const char *const mfa_policies[] = {"OPTIONAL", "REQUIRED_FOR_ALL", NULL};
static const char *const auth_methods[] = {"sso", "magic_link", "password", "google_oauth", "microsoft_oauth",
					   "hubspot_oauth", "slack_oauth", "github_oauth", "email_otp", NULL};
static const char *const mfa_methods[] = {"sms_otp", "totp", NULL};

#define ORG_ACTION(a) "update.settings." a

const se_org_setting se_org_settings[] = {
	{"trusted_metadata", SE_SETTING_OBJECT, NULL, "{}", NULL},
	{"sso_jit_provisioning", SE_SETTING_WORD, jit3, "\"ALL_ALLOWED\"", ORG_ACTION("sso-jit-provisioning")},
	{"sso_jit_provisioning_allowed_connections", SE_SETTING_WORDS, NULL, "[]", ORG_ACTION("sso-jit-provisioning")},
	{"email_jit_provisioning", SE_SETTING_WORD, jit3, "\"NOT_ALLOWED\"", ORG_ACTION("email-jit-provisioning")},
	{"email_invites", SE_SETTING_WORD, jit3, "\"ALL_ALLOWED\"", ORG_ACTION("email-invites")},
	{"oauth_tenant_jit_provisioning", SE_SETTING_WORD, restricted_or_not, "\"NOT_ALLOWED\"",
	 ORG_ACTION("oauth-tenant-jit-provisioning")},
	{"allowed_oauth_tenants", SE_SETTING_OBJECT, NULL, "{}", ORG_ACTION("allowed-oauth-tenants")},
	{"auth_methods", SE_SETTING_WORD, all_or_restricted, "\"ALL_ALLOWED\"", ORG_ACTION("allowed-auth-methods")},
	{"allowed_auth_methods", SE_SETTING_WORDS, auth_methods, "[]", ORG_ACTION("allowed-auth-methods")},
	{"mfa_methods", SE_SETTING_WORD, all_or_restricted, "\"ALL_ALLOWED\"", ORG_ACTION("allowed-mfa-methods")},
	{"allowed_mfa_methods", SE_SETTING_WORDS, mfa_methods, "[]", ORG_ACTION("allowed-mfa-methods")},
	{"mfa_policy", SE_SETTING_WORD, mfa_policies, "\"OPTIONAL\"", ORG_ACTION("mfa-policy")},
	{"rbac_email_implicit_role_assignments", SE_SETTING_EMAIL_ROLES, NULL, "[]", ORG_ACTION("implicit-roles")},
	{"claimed_email_domains", SE_SETTING_WORDS, NULL, "[]", NULL},
	{"first_party_connected_apps_allowed_type", SE_SETTING_WORD, jit3, "\"ALL_ALLOWED\"", NULL},
	{"allowed_first_party_connected_apps", SE_SETTING_WORDS, NULL, "[]", NULL},
	{"third_party_connected_apps_allowed_type", SE_SETTING_WORD, jit3, "\"ALL_ALLOWED\"", NULL},
	{"allowed_third_party_connected_apps", SE_SETTING_WORDS, NULL, "[]", NULL},
	{"custom_roles", SE_SETTING_OBJECT, NULL, "[]", NULL},
	{NULL, 0, NULL, NULL, NULL},
};

const se_org_setting *se_org_setting_get(const char *name)
{
	for (const se_org_setting *s = se_org_settings; name && s->name; s++)
		if (strcmp(s->name, name) == 0)
			return s;
	return NULL;
}

int se_org_setting_check(const se_org_setting *s, const json_t *v, const char **ret_why, int *ret_index)
{
	size_t i;
	json_t *item;
	*ret_index = -1;
	switch (s->type) {
	case SE_SETTING_WORD:
		if (!json_is_string(v) || !se_str_in(json_string_value(v), s->words)) {
			*ret_why = "must be one of the documented values";
			return SE_EINVAL;
		}
		return 0;
	case SE_SETTING_WORDS:
		if (!json_is_array(v)) {
			*ret_why = "must be an array of strings";
			return SE_EINVAL;
		}
		json_array_foreach(v, i, item) {
			if (!json_is_string(item) || !json_string_length(item) ||
			    (s->words && !se_str_in(json_string_value(item), s->words))) {
				*ret_why = s->words ? "must be one of the documented values" : "must be a non-empty string";
				*ret_index = (int)i;
				return SE_EINVAL;
			}
		}
		return 0;
	case SE_SETTING_OBJECT:
		/* custom_roles is the one list among them; the rest are objects. */
		if (s->json_default[0] == '[' ? !json_is_array(v) : !json_is_object(v)) {
			*ret_why = s->json_default[0] == '[' ? "must be an array" : "must be an object";
			return SE_EINVAL;
		}
		return 0;
	case SE_SETTING_EMAIL_ROLES:
		if (!json_is_array(v)) {
			*ret_why = "must be an array of {role_id, domain}";
			return SE_EINVAL;
		}
		json_array_foreach(v, i, item) {
			const char *role = se_json_str(item, "role_id"), *domain = se_json_str(item, "domain");
			if (!json_is_object(item) || !role || !*role || !domain || !*domain) {
				*ret_why = "must be an object with a role_id and a domain";
				*ret_index = (int)i;
				return SE_EINVAL;
			}
		}
		return 0;
	}
	*ret_why = "is not a known setting";
	return SE_EINVAL;
}

bool se_org_slug_valid(const char *slug)
{
	size_t n = slug ? strlen(slug) : 0;
	return n >= 2 && n <= 128 && strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789._~-") == n;
}

/* ---- copies (the store's row cache hands these out) ------------------------------------------ */

/* Adding a field to se_org, se_member or se_session? Copy it below too, then update the count. */
_Static_assert(sizeof(se_org) == 12 * sizeof(void *), "se_org_copy() must copy every field of se_org");
_Static_assert(sizeof(se_member) == 9 * sizeof(void *) + sizeof(size_t),
	       "se_member_copy() must copy every field of se_member");
_Static_assert(sizeof(se_session) == 5 * sizeof(void *), "se_session_copy() must copy every field of se_session");

/* *dst = a copy of src (NULL stays NULL); false when out of memory. */
static bool copy_text(char **dst, const char *src)
{
	*dst = src ? strdup(src) : NULL;
	return !src || *dst;
}

static bool copy_json(json_t **dst, const json_t *src)
{
	*dst = src ? json_deep_copy(src) : NULL;
	return !src || *dst;
}

int se_org_copy(const se_org *src, se_org *ret)
{
	memset(ret, 0, sizeof *ret);
	if (copy_text(&ret->organization_id, src->organization_id) &&
	    copy_text(&ret->organization_slug, src->organization_slug) &&
	    copy_text(&ret->organization_name, src->organization_name) &&
	    copy_json(&ret->email_allowed_domains, src->email_allowed_domains) &&
	    copy_text(&ret->created_at, src->created_at) &&
	    copy_text(&ret->organization_external_id, src->organization_external_id) &&
	    copy_text(&ret->organization_logo_url, src->organization_logo_url) &&
	    copy_text(&ret->sso_default_connection_id, src->sso_default_connection_id) &&
	    copy_json(&ret->settings, src->settings) && copy_text(&ret->updated_at, src->updated_at) &&
	    copy_json(&ret->sso_active_connections, src->sso_active_connections) &&
	    copy_json(&ret->scim_active_connection, src->scim_active_connection))
		return 0;
	se_org_release(ret);
	return SE_ENOMEM;
}

int se_member_copy(const se_member *src, se_member *ret)
{
	memset(ret, 0, sizeof *ret);
	if (copy_text(&ret->member_id, src->member_id) && copy_text(&ret->organization_id, src->organization_id) &&
	    copy_text(&ret->email_address, src->email_address) && copy_text(&ret->name, src->name) &&
	    copy_json(&ret->roles, src->roles) && copy_text(&ret->created_at, src->created_at) &&
	    copy_text(&ret->status, src->status) && copy_json(&ret->scim_role_sources, src->scim_role_sources) &&
	    copy_json(&ret->scim_registration, src->scim_registration)) {
		ret->n_scim_roles = src->n_scim_roles;
		return 0;
	}
	se_member_release(ret);
	return SE_ENOMEM;
}

int se_session_copy(const se_session *src, se_session *ret)
{
	memset(ret, 0, sizeof *ret);
	if (copy_text(&ret->session_token, src->session_token) &&
	    copy_text(&ret->member_session_id, src->member_session_id) && copy_text(&ret->member_id, src->member_id) &&
	    copy_text(&ret->started_at, src->started_at) && copy_text(&ret->expires_at, src->expires_at))
		return 0;
	se_session_release(ret);
	return SE_ENOMEM;
}
