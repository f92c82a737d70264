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

/* A copy of a validated policy completed as Stytch's always is: the default resources
 * (stytch.organization, stytch.member, stytch.self, stytch.sso, stytch.scim with their reserved
 * actions) and roles (stytch_member, stytch_admin) it lacks, a description on every role and
 * resource, permissions on every role and a scopes list. What the policy defines is kept as it is.
 * Idempotent. *ret is a new reference. Returns 0 or SE_ENOMEM. */
int se_rbac_policy_complete(const json_t *policy, json_t **ret);

#endif
