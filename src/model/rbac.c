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
