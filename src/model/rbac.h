/* Role-based access: whether a member's roles grant resource:action under the project's policy. No state: the
 * policy and roles are borrowed; only a validation failure's field name is malloc'd for the caller. */
#ifndef SE_RBAC_H
#define SE_RBAC_H

#include <jansson.h>
#include <stdbool.h>

/* Every member holds this role besides the ones it is given. */
#define SE_RBAC_DEFAULT_ROLE "stytch_member"

/* True when one of roles (a JSON array of role ids; stytch_member is implied) has a permission on
 * resource whose actions hold action or "*". */
bool se_rbac_allows(const json_t *policy, const json_t *roles, const char *resource, const char *action);

/* True when the policy defines role_id. */
bool se_rbac_role_exists(const json_t *policy, const char *role_id);

/* Checks that policy has the shape {"roles": [{"role_id", "permissions": [{"resource_id",
 * "actions": [..]}]}], "resources": [...]}. On failure *ret_field (malloc'd) names the field. */
int se_rbac_policy_validate(const json_t *policy, char **ret_field);

#endif
