/* The caller's organization (get and update, with per-field RBAC), the Admin Portal's configuration and
 * the project's RBAC policy (ORG.md sections 1 to 4). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "model/rbac.h"
#include "model/render.h"
#include "util/time.h"
#include "util/util.h"

#define ORG_RESOURCE "stytch.organization"
#define ORG_NAME_MAX 128
#define ORG_URL_MAX 2048
#define ORG_DOMAIN_MAX 253

int se_h_admin_portal_config(se_req *r)
{
	const json_t *p = r->project->admin_portal;
	r->out = json_pack("{s:{s:b, s:b, s:b}, s:{s:b}, s:{s:b}}", "sso_config", "sso_enabled",
	                   json_is_true(json_object_get(p, "sso_enabled")), "can_create_saml_connection",
	                   json_is_true(json_object_get(p, "can_create_saml_connection")), "can_create_oidc_connection",
	                   json_is_true(json_object_get(p, "can_create_oidc_connection")), "organization_config",
	                   "mfa_controls_enabled", json_is_true(json_object_get(p, "mfa_controls_enabled")),
	                   "scim_config", "scim_enabled", json_is_true(json_object_get(p, "scim_enabled")));
	return r->out ? 0 : se_req_internal(r);
}

int se_h_rbac_policy(se_req *r)
{
	r->out = json_pack("{s:O}", "policy", r->project->rbac_policy);
	return r->out ? 0 : se_req_internal(r);
}

static int out_org(se_req *r, const se_org *o)
{
	json_t *org = se_render_org(o);
	if (!org)
		return se_req_internal(r);
	r->out = json_pack("{s:o}", "organization", org);
	return r->out ? 0 : se_req_internal(r);
}

int se_h_org_get(se_req *r)
{
	if (se_store_org_links(r->db, &r->org) < 0)
		return se_req_internal(r);
	return out_org(r, &r->org);
}

/* The fields an update may carry besides the settings of se_org_settings[], and the action of
 * stytch.organization each needs. */
static const struct {
	const char *field;
	const char *action;
} column_fields[] = {
    {"organization_name", "update.info.name"},
    {"organization_slug", "update.info.slug"},
    {"organization_logo_url", "update.info.logo-url"},
    {"sso_default_connection_id", "update.settings.default-sso-connection"},
    {"email_allowed_domains", "update.settings.allowed-domains"},
};

/* Whether the body changes field: present, not null and not "". */
static bool changes(const se_req *r, const char *field)
{
	json_t *v = json_object_get(r->body, field);
	return v && !json_is_null(v) && !(json_is_string(v) && json_string_length(v) == 0);
}

/* Permission comes before validation: every field the body changes needs its own action. */
static int check_permissions(se_req *r)
{
	if (!r->has_member)
		return 0;
	const json_t *policy = r->project->rbac_policy;
	for (size_t i = 0; i < sizeof column_fields / sizeof column_fields[0]; i++)
		if (changes(r, column_fields[i].field) &&
		    !se_rbac_allows(policy, r->member.roles, ORG_RESOURCE, column_fields[i].action))
			return se_req_fail(r, SE_ERR_SESSION_AUTHORIZATION, NULL);
	for (const se_org_setting *s = se_org_settings; s->name; s++)
		if (s->action && changes(r, s->name) &&
		    !se_rbac_allows(policy, r->member.roles, ORG_RESOURCE, s->action))
			return se_req_fail(r, SE_ERR_SESSION_AUTHORIZATION, NULL);
	return 0;
}

static bool http_url(const char *s)
{
	return (strncmp(s, "https://", 8) == 0 && s[8]) || (strncmp(s, "http://", 7) == 0 && s[7]);
}

static bool domain_valid(const char *d)
{
	size_t n = strlen(d);
	return n >= 3 && n <= ORG_DOMAIN_MAX && strchr(d, '.') && d[0] != '.' && d[n - 1] != '.' &&
	       strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

/* Whether id is an SSO connection (SAML, OIDC or External) of the caller's organization. */
static int sso_connection_exists(se_req *r, const char *id, bool *ret)
{
	se_kind_id kind;
	json_t *mapping = NULL;
	se_external ext;
	int g = se_store_sso_target(r->db, r->org.organization_id, id, &kind, &mapping);
	json_decref(mapping);
	if (g == SE_ENOTFOUND) {
		g = se_store_conn_get(r->db, se_kind_get(SE_KIND_EXTERNAL), r->org.organization_id, id, &ext);
		if (g == 0)
			se_conn_release(se_kind_get(SE_KIND_EXTERNAL), &ext);
	}
	if (g < 0 && g != SE_ENOTFOUND)
		return se_req_internal(r);
	*ret = g == 0;
	return 0;
}

static bool is_active(const se_org *o, const char *id)
{
	size_t i;
	json_t *c;
	json_array_foreach (o->sso_active_connections, i, c) {
		const char *have = se_json_str(c, "connection_id");
		if (have && strcmp(have, id) == 0)
			return true;
	}
	return false;
}

static int check_default_connection(se_req *r)
{
	const char *id = se_json_str(r->body, "sso_default_connection_id");
	bool exists = false;
	if (!id || !*id)
		return 0;
	if (!r->org.sso_active_connections && se_store_org_links(r->db, &r->org) < 0)
		return se_req_internal(r);
	if (is_active(&r->org, id))
		return 0;
	if (sso_connection_exists(r, id, &exists) < 0)
		return -1;
	if (!exists)
		return se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND, "SSO connection %s could not be found.", id);
	return se_req_fail(r, SE_ERR_BAD_REQUEST, "sso_default_connection_id %s is not an active SSO connection.", id);
}

/* Checks one setting of the body; for role assignments also the roles. */
static int check_setting(se_req *r, const se_org_setting *s, const json_t *v)
{
	const char *why = NULL;
	int at = -1;
	if (se_org_setting_check(s, v, &why, &at) < 0)
		return at < 0 ? se_req_fail(r, SE_ERR_BAD_REQUEST, "%s %s.", s->name, why)
		              : se_req_fail(r, SE_ERR_BAD_REQUEST, "%s[%d] %s.", s->name, at, why);
	size_t i;
	json_t *item;
	if (s->type == SE_SETTING_EMAIL_ROLES) {
		json_array_foreach (v, i, item) {
			const char *role = se_json_str(item, "role_id");
			if (strcmp(role, SE_RBAC_DEFAULT_ROLE) == 0)
				return se_req_fail(
				    r, SE_ERR_CANNOT_ASSIGN_DEFAULT_ROLE,
				    "%s[%zu].role_id: %s is given to every member and cannot be assigned.", s->name, i,
				    role);
			if (!se_rbac_role_exists(r->project->rbac_policy, role))
				return se_req_fail(r, SE_ERR_INVALID_RBAC_ROLE_ID,
				                   "%s[%zu].role_id %s is not a role of the project.", s->name, i,
				                   role);
		}
	}
	if (strcmp(s->name, "sso_jit_provisioning_allowed_connections") == 0) {
		json_array_foreach (v, i, item) {
			bool exists = false;
			if (sso_connection_exists(r, json_string_value(item), &exists) < 0)
				return -1;
			if (!exists)
				return se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND,
				                   "SSO connection %s could not be found.", json_string_value(item));
		}
	}
	return 0;
}

static int validate(se_req *r)
{
	if (se_req_check_types(r, "organization_name:s organization_slug:s organization_logo_url:s "
	                          "sso_default_connection_id:s email_allowed_domains:a") < 0)
		return -1;
	const char *name = se_json_str(r->body, "organization_name");
	if (name && strlen(name) > ORG_NAME_MAX)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "organization_name must be at most %d characters.",
		                   ORG_NAME_MAX);
	const char *slug = se_json_str(r->body, "organization_slug");
	if (slug && *slug && !se_org_slug_valid(slug))
		return se_req_fail(r, SE_ERR_BAD_REQUEST,
		                   "organization_slug %.64s must be 2 to 128 of a-z, 0-9, '.', '_', '~' and '-'.",
		                   slug);
	const char *logo = se_json_str(r->body, "organization_logo_url");
	if (logo && *logo && (strlen(logo) > ORG_URL_MAX || !http_url(logo)))
		return se_req_fail(r, SE_ERR_BAD_REQUEST,
		                   "organization_logo_url must be an http or https URL of at most %d characters.",
		                   ORG_URL_MAX);
	size_t i;
	json_t *d;
	json_array_foreach (json_object_get(r->body, "email_allowed_domains"), i, d) {
		if (!json_is_string(d) || !domain_valid(json_string_value(d)))
			return se_req_fail(r, SE_ERR_BAD_REQUEST, "email_allowed_domains[%zu] must be a domain name.",
			                   i);
	}
	if (check_default_connection(r) < 0)
		return -1;
	for (const se_org_setting *s = se_org_settings; s->name; s++) {
		json_t *v = json_object_get(r->body, s->name);
		if (s->action && v && !json_is_null(v) && check_setting(r, s, v) < 0)
			return -1;
	}
	return 0;
}

/* Update semantics of API.md section 1: absent or "" keeps a string; a present list replaces. */
static int apply(se_req *r, se_org *o)
{
	if (se_h_set_str(r, "organization_name", &o->organization_name) < 0 ||
	    se_h_set_str(r, "organization_slug", &o->organization_slug) < 0 ||
	    se_h_set_str(r, "organization_logo_url", &o->organization_logo_url) < 0)
		return -1;
	const char *dflt = se_json_str(r->body, "sso_default_connection_id");
	if (dflt && *dflt) {
		char *copy = strdup(dflt);
		if (!copy)
			return se_req_internal(r);
		free(o->sso_default_connection_id);
		o->sso_default_connection_id = copy;
	}
	json_t *domains = json_object_get(r->body, "email_allowed_domains");
	if (json_is_array(domains)) {
		json_t *lower = json_array();
		size_t i;
		json_t *d;
		json_array_foreach (domains, i, d) {
			char *l = strdup(json_string_value(d));
			for (char *p = l; p && *p; p++)
				*p = (char)tolower((unsigned char)*p);
			if (!l || !lower || json_array_append_new(lower, json_string(l)) < 0) {
				free(l);
				json_decref(lower);
				return se_req_internal(r);
			}
			free(l);
		}
		json_decref(o->email_allowed_domains);
		o->email_allowed_domains = lower;
	}
	for (const se_org_setting *s = se_org_settings; s->name; s++) {
		json_t *v = json_object_get(r->body, s->name);
		if (s->action && v && !json_is_null(v) &&
		    json_object_set_new(o->settings, s->name, json_deep_copy(v)) < 0)
			return se_req_internal(r);
	}
	char now[21];
	se_time_format(r->now, now);
	free(o->updated_at);
	o->updated_at = strdup(now);
	return o->updated_at ? 0 : se_req_internal(r);
}

int se_h_org_update(se_req *r)
{
	se_org o = {0};
	int rc = -1;
	if (check_permissions(r) < 0 || validate(r) < 0)
		return -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	int g = se_store_org_get(r->db, r->org.organization_id, false, &o);
	if (g < 0) {
		se_db_rollback(r->db);
		return g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_ORGANIZATION_NOT_FOUND, NULL) : se_req_internal(r);
	}
	if (apply(r, &o) < 0) {
		se_db_rollback(r->db);
		goto done;
	}
	g = se_store_org_update(r->db, &o);
	if (g < 0) {
		se_db_rollback(r->db);
		if (g == SE_ECONFLICT)
			se_req_fail(r, SE_ERR_ORGANIZATION_SLUG_USED,
			            "organization_slug %s is already used by another organization.",
			            o.organization_slug);
		else
			se_req_internal(r);
		goto done;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = out_org(r, &o);
done:
	se_org_release(&o);
	return rc;
}
