/* Role-based access checks against the project's RBAC policy (API.md section 5). */
#include "model/rbac.h"

#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

static const json_t *find_role(const json_t *policy, const char *role_id)
{
	size_t i;
	json_t *role;
	json_array_foreach(json_object_get(policy, "roles"), i, role) {
		const char *id = se_json_str(role, "role_id");
		if (id && strcmp(id, role_id) == 0)
			return role;
	}
	return NULL;
}

static bool role_allows(const json_t *role, const char *resource, const char *action)
{
	size_t i, j;
	json_t *perm, *a;
	json_array_foreach(json_object_get(role, "permissions"), i, perm) {
		const char *res = se_json_str(perm, "resource_id");
		if (!res || strcmp(res, resource) != 0)
			continue;
		json_array_foreach(json_object_get(perm, "actions"), j, a) {
			const char *s = json_string_value(a);
			if (s && (strcmp(s, "*") == 0 || strcmp(s, action) == 0))
				return true;
		}
	}
	return false;
}

bool se_rbac_allows(const json_t *policy, const json_t *roles, const char *resource, const char *action)
{
	const json_t *base = find_role(policy, SE_RBAC_DEFAULT_ROLE);
	if (base && role_allows(base, resource, action))
		return true;
	size_t i;
	json_t *id;
	json_array_foreach(roles, i, id) {
		const char *s = json_string_value(id);
		const json_t *role = s ? find_role(policy, s) : NULL;
		if (role && role_allows(role, resource, action))
			return true;
	}
	return false;
}

bool se_rbac_role_exists(const json_t *policy, const char *role_id)
{
	return role_id && find_role(policy, role_id) != NULL;
}

int se_rbac_policy_validate(const json_t *policy, char **ret_field)
{
	if (!json_is_object(policy)) {
		*ret_field = strdup("rbac_policy");
		return SE_EINVAL;
	}
	json_t *roles = json_object_get(policy, "roles");
	if (!json_is_array(roles)) {
		*ret_field = strdup("rbac_policy.roles");
		return SE_EINVAL;
	}
	size_t i, j, k;
	json_t *role, *perm, *a;
	json_array_foreach(roles, i, role) {
		if (!se_json_str(role, "role_id") || !*se_json_str(role, "role_id")) {
			*ret_field = se_asprintf("rbac_policy.roles[%zu].role_id", i);
			return SE_EINVAL;
		}
		json_t *perms = json_object_get(role, "permissions");
		if (perms && !json_is_array(perms)) {
			*ret_field = se_asprintf("rbac_policy.roles[%zu].permissions", i);
			return SE_EINVAL;
		}
		json_array_foreach(perms, j, perm) {
			if (!se_json_str(perm, "resource_id")) {
				*ret_field = se_asprintf("rbac_policy.roles[%zu].permissions[%zu].resource_id", i, j);
				return SE_EINVAL;
			}
			json_t *actions = json_object_get(perm, "actions");
			if (!json_is_array(actions)) {
				*ret_field = se_asprintf("rbac_policy.roles[%zu].permissions[%zu].actions", i, j);
				return SE_EINVAL;
			}
			json_array_foreach(actions, k, a) {
				if (!json_is_string(a)) {
					*ret_field = se_asprintf("rbac_policy.roles[%zu].permissions[%zu].actions[%zu]", i,
								 j, k);
					return SE_EINVAL;
				}
			}
		}
	}
	json_t *resources = json_object_get(policy, "resources");
	if (resources && !json_is_array(resources)) {
		*ret_field = strdup("rbac_policy.resources");
		return SE_EINVAL;
	}
	return 0;
}

/* --- Stytch's default policy (ORG.md section 4) -------------------------------------------------- */

/* The reserved actions of each default resource, as @stytch/react 20.1.0's Admin Portal names them
 * (adminPortal/utils/useRbac.ts, RbacMap). */
static const char *const org_actions[] = {
	"update.info.name", "update.info.slug", "update.info.logo-url", "update.settings.allowed-auth-methods",
	"update.settings.allowed-mfa-methods", "update.settings.email-jit-provisioning", "update.settings.email-invites",
	"update.settings.allowed-domains", "update.settings.default-sso-connection", "update.settings.sso-jit-provisioning",
	"update.settings.mfa-policy", "update.settings.implicit-roles", "update.settings.oauth-tenant-jit-provisioning",
	"update.settings.allowed-oauth-tenants", "delete", NULL,
};
static const char *const member_actions[] = {
	"create", "update.info.name", "update.info.email", "update.info.untrusted-metadata", "update.info.mfa-phone",
	"update.info.delete.mfa-phone", "update.info.delete.mfa-totp", "update.info.delete.password",
	"update.settings.is-breakglass", "update.settings.mfa-enrolled", "update.settings.default-mfa-method",
	"update.settings.roles", "search", "delete", "revoke-sessions", NULL,
};
static const char *const self_actions[] = {
	"update.info.name", "update.info.untrusted-metadata", "update.info.mfa-phone", "update.info.delete.mfa-phone",
	"update.info.delete.password", "update.info.delete.mfa-totp", "update.settings.mfa-enrolled",
	"update.settings.default-mfa-method", "delete", "revoke-sessions", NULL,
};
static const char *const crud_actions[] = {"create", "get", "update", "delete", NULL};

static const struct {
	const char *id;
	const char *description;
	const char *const *actions;
} default_resources[] = {
	{"stytch.organization", "The member's own organization: its name, slug, logo and settings.", org_actions},
	{"stytch.member", "The members of the organization.", member_actions},
	{"stytch.self", "The member itself.", self_actions},
	{"stytch.sso", "The organization's SSO connections.", crud_actions},
	{"stytch.scim", "The organization's SCIM connection.", crud_actions},
};

static const struct {
	const char *id;
	const char *description;
	const char *const *resources; /* each with "*" */
} default_roles[] = {
	{SE_RBAC_DEFAULT_ROLE,
	 "Granted to every member; grants what a signed-in member may do to itself. Cannot be deleted.",
	 (const char *const[]){"stytch.self", NULL}},
	{"stytch_admin", "Administers the organization: its settings, members, SSO and SCIM connections. Cannot be deleted.",
	 (const char *const[]){"stytch.organization", "stytch.member", "stytch.sso", "stytch.scim", NULL}},
};

static json_t *string_list(const char *const *items)
{
	json_t *a = json_array();
	for (size_t i = 0; a && items[i]; i++)
		if (json_array_append_new(a, json_string(items[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *find_by(json_t *list, const char *key, const char *id)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		const char *have = se_json_str(item, key);
		if (have && strcmp(have, id) == 0)
			return item;
	}
	return NULL;
}

/* Sets description to "" when an item has none (the SDKs type it as a string). */
static int describe(json_t *list)
{
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item) {
		if (!json_is_string(json_object_get(item, "description")) &&
		    json_object_set_new(item, "description", json_string("")) < 0)
			return SE_ENOMEM;
	}
	return 0;
}

/* Adds {resource_id, ["*"]} to role for each of resources it does not already hold "*" on. */
static int grant_all(json_t *role, const char *const *resources)
{
	json_t *perms = json_object_get(role, "permissions");
	if (!json_is_array(perms)) {
		if (json_object_set_new(role, "permissions", json_array()) < 0)
			return SE_ENOMEM;
		perms = json_object_get(role, "permissions");
	}
	for (size_t i = 0; resources[i]; i++) {
		if (role_allows(role, resources[i], "*"))
			continue;
		if (json_array_append_new(perms, json_pack("{s:s, s:[s]}", "resource_id", resources[i], "actions", "*")) < 0)
			return SE_ENOMEM;
	}
	return 0;
}

int se_rbac_policy_complete(const json_t *policy, json_t **ret)
{
	json_t *p = json_deep_copy(policy);
	int r = SE_ENOMEM;
	if (!p)
		return SE_ENOMEM;
	json_t *roles = json_object_get(p, "roles");
	json_t *resources = json_object_get(p, "resources");
	if (!resources && (json_object_set_new(p, "resources", json_array()) < 0 || !(resources = json_object_get(p, "resources"))))
		goto done;
	if (!json_is_array(json_object_get(p, "scopes")) && json_object_set_new(p, "scopes", json_array()) < 0)
		goto done;
	/* Defaults first, in Stytch's order, before the project's own. */
	size_t at = 0;
	for (size_t i = 0; i < sizeof default_resources / sizeof default_resources[0]; i++) {
		if (find_by(resources, "resource_id", default_resources[i].id))
			continue;
		json_t *res = json_pack("{s:s, s:s, s:o}", "resource_id", default_resources[i].id, "description",
					default_resources[i].description, "actions", string_list(default_resources[i].actions));
		if (!res || json_array_insert_new(resources, at++, res) < 0)
			goto done;
	}
	at = 0;
	for (size_t i = 0; i < sizeof default_roles / sizeof default_roles[0]; i++) {
		json_t *have = find_by(roles, "role_id", default_roles[i].id);
		if (have) {
			/* A default role always grants what Stytch's does; a policy may only add to it. */
			if (grant_all(have, default_roles[i].resources) < 0)
				goto done;
			continue;
		}
		json_t *perms = json_array();
		for (size_t j = 0; perms && default_roles[i].resources[j]; j++)
			if (json_array_append_new(perms, json_pack("{s:s, s:[s]}", "resource_id", default_roles[i].resources[j],
								   "actions", "*")) < 0) {
				json_decref(perms);
				perms = NULL;
			}
		json_t *role = perms ? json_pack("{s:s, s:s, s:o}", "role_id", default_roles[i].id, "description",
						 default_roles[i].description, "permissions", perms)
				     : NULL;
		if (!role || json_array_insert_new(roles, at++, role) < 0)
			goto done;
	}
	size_t i;
	json_t *role;
	json_array_foreach(roles, i, role) {
		if (!json_is_array(json_object_get(role, "permissions")) &&
		    json_object_set_new(role, "permissions", json_array()) < 0)
			goto done;
	}
	if (describe(roles) < 0 || describe(resources) < 0)
		goto done;
	*ret = p;
	p = NULL;
	r = 0;
done:
	json_decref(p);
	return r;
}
