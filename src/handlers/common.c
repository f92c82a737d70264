/* Validation and response helpers shared by the connection handlers. */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "model/ids.h"
#include "model/rbac.h"
#include "util/util.h"

int se_h_idp(se_req *r, bool scim, const char **ret)
{
	json_t *v = json_object_get(r->body, "identity_provider");
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "identity_provider must be a string.");
	const char *s = json_string_value(v);
	if (!*s)
		return 0;
	if (!se_str_in(s, scim ? se_scim_idps : se_sso_idps))
		return se_req_fail(r, scim ? SE_ERR_INVALID_SCIM_IDP : SE_ERR_INVALID_SSO_IDP,
				   "identity_provider %s is not a supported %s identity provider.", s, scim ? "SCIM" : "SSO");
	*ret = s;
	return 0;
}

int se_h_set_str(se_req *r, const char *field, char **dst)
{
	json_t *v = json_object_get(r->body, field);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "%s must be a string.", field);
	if (json_string_length(v) == 0)
		return 0;
	char *copy = strdup(json_string_value(v));
	if (!copy)
		return se_req_internal(r);
	free(*dst);
	*dst = copy;
	return 0;
}

int se_h_role_assignments(se_req *r, const char *field, const char *alias, const char *group_key, json_t **ret)
{
	json_t *v = json_object_get(r->body, field);
	if ((!v || json_is_null(v)) && alias) {
		field = alias;
		v = json_object_get(r->body, alias);
	}
	if (!v || json_is_null(v))
		return 0;
	/* Role assignments are the organization's implicit roles (ORG.md section 4). */
	if (r->has_member && !se_rbac_allows(r->project->rbac_policy, r->member.roles, "stytch.organization",
					     "update.settings.implicit-roles"))
		return se_req_fail(r, SE_ERR_SESSION_AUTHORIZATION, NULL);
	if (!json_is_array(v))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "%s must be an array.", field);
	json_t *out = json_array();
	if (!out)
		return se_req_internal(r);
	size_t i;
	json_t *item;
	json_array_foreach(v, i, item) {
		const char *role = se_json_str(item, "role_id");
		const char *group = group_key ? se_json_str(item, group_key) : NULL;
		if (!json_is_object(item) || !role || !*role) {
			json_decref(out);
			return se_req_fail(r, SE_ERR_BAD_REQUEST, "%s[%zu].role_id is required.", field, i);
		}
		if (group_key && (!group || !*group)) {
			json_decref(out);
			/* SCIM's group assignments have an error of their own. */
			return se_req_fail(r, strcmp(group_key, "group_id") == 0 ? SE_ERR_SCIM_GROUP_ID_MISSING : SE_ERR_BAD_REQUEST,
					   "%s[%zu].%s is required.", field, i, group_key);
		}
		if (strcmp(role, SE_RBAC_DEFAULT_ROLE) == 0) {
			json_decref(out);
			return se_req_fail(r, SE_ERR_CANNOT_ASSIGN_DEFAULT_ROLE,
					   "%s[%zu].role_id: %s is given to every member and cannot be assigned.", field, i, role);
		}
		if (!se_rbac_role_exists(r->project->rbac_policy, role)) {
			json_decref(out);
			return se_req_fail(r, SE_ERR_INVALID_RBAC_ROLE_ID, "%s[%zu].role_id %s is not a role of the project.",
					   field, i, role);
		}
		json_t *norm = group_key ? json_pack("{s:s, s:s}", "role_id", role, group_key, group)
					 : json_pack("{s:s}", "role_id", role);
		if (!norm || json_array_append_new(out, norm) < 0) {
			json_decref(out);
			return se_req_internal(r);
		}
	}
	*ret = out;
	return 0;
}

int se_h_out_connection(se_req *r, json_t *c)
{
	if (!c)
		return se_req_internal(r);
	r->out = json_pack("{s:o}", "connection", c);
	return r->out ? 0 : se_req_internal(r);
}

int se_h_check_attribute_mapping(se_req *r)
{
	json_t *m = json_object_get(r->body, "attribute_mapping");
	const char *key;
	json_t *v;
	if (!json_is_object(m))
		return 0;
	json_object_foreach(m, key, v) {
		if (!json_is_string(v))
			return se_req_fail(r, SE_ERR_BAD_REQUEST, "attribute_mapping.%s must be a string.", key);
	}
	return 0;
}

int se_h_conn_new(se_req *r, const se_kind *k, void *obj)
{
	const char *idp = "generic";
	if (se_req_check_types(r, "display_name:s identity_provider:s") < 0 || se_h_idp(r, k->id == SE_KIND_SCIM, &idp) < 0)
		return -1;
	char **id = se_conn_text_slot(k, obj, "connection_id");
	char **org = se_conn_text_slot(k, obj, "organization_id");
	char **name = se_conn_text_slot(k, obj, "display_name");
	char **provider = se_conn_text_slot(k, obj, "identity_provider");
	*org = strdup(r->org.organization_id);
	*name = strdup(se_json_str(r->body, "display_name") ? se_json_str(r->body, "display_name") : "");
	*provider = strdup(idp);
	if (se_id_new(k->id_prefix, id) < 0 || !*org || !*name || !*provider)
		return se_req_internal(r);
	return 0;
}

int se_h_insert(se_req *r, const se_kind *k, const void *obj)
{
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	if (se_store_conn_insert(r->db, k, obj) < 0) {
		se_db_rollback(r->db);
		return se_req_internal(r);
	}
	return se_h_commit(r);
}

int se_h_commit(se_req *r)
{
	return se_db_commit(r->db) < 0 ? se_req_internal(r) : 0;
}
