/* External connections: an organization's use of another organization's SAML or OIDC connection. */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "model/ids.h"
#include "model/render.h"
#include "util/util.h"

/* The connection an External connection points at. */
typedef struct target {
	se_kind_id kind; /* SE_KIND_SAML or SE_KIND_OIDC */
	json_t *attribute_mapping;
} target;

/* Finds external_connection_id among the SAML and OIDC connections of org_id; on create (need_active) it must be
 * active. */
static int find_target(se_req *r, const char *org_id, const char *id, bool need_active, target *ret)
{
	int rc = se_store_sso_target(r->db, org_id, id, &ret->kind, &ret->attribute_mapping);
	if (rc == 0 && !need_active)
		return 0;
	if (rc == 0) {
		/* Only an active connection can be shared (ORG.md section 6). */
		union {
			se_saml saml;
			se_oidc oidc;
		} c;
		const se_kind *k = se_kind_get(ret->kind);
		rc = se_store_conn_get(r->db, k, org_id, id, &c);
		if (rc < 0)
			return se_req_internal(r);
		bool active = strcmp(ret->kind == SE_KIND_SAML ? se_saml_status(&c.saml) : se_oidc_status(&c.oidc), "active") == 0;
		se_conn_release(k, &c);
		if (!active)
			return se_req_fail(r, SE_ERR_EXTERNAL_CONNECTION_NOT_ACTIVE,
					   "external_connection_id %s is not an active connection of organization %s.", id, org_id);
		return 0;
	}
	if (rc == SE_ENOTFOUND)
		return se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND,
				   "external_connection_id %s is not a SAML or OIDC connection of organization %s.", id, org_id);
	return se_req_internal(r);
}

/* Reads both role-assignment lists (either spelling) and checks them against the target. A list
 * that is absent stays NULL. */
static int role_assignments(se_req *r, const target *t, json_t **conn_roles, json_t **group_roles)
{
	if (se_h_role_assignments(r, "external_connection_implicit_role_assignments",
				  "connection_implicit_role_assignments", NULL, conn_roles) < 0 ||
	    se_h_role_assignments(r, "external_group_implicit_role_assignments", "group_implicit_role_assignments",
				  "group", group_roles) < 0)
		return -1;
	bool any = json_array_size(*conn_roles) > 0 || json_array_size(*group_roles) > 0;
	if (any && t->kind == SE_KIND_OIDC)
		return se_req_fail(r, SE_ERR_BAD_REQUEST,
				   "Implicit role assignments are not supported for External connections to an OIDC connection.");
	if (json_array_size(*group_roles) > 0 && !se_json_str(t->attribute_mapping, "groups"))
		return se_req_fail(r, SE_ERR_MISSING_GROUPS_KEY,
				   "external_group_implicit_role_assignments needs a groups key in the attribute_mapping of "
				   "the SAML connection it points at.");
	return 0;
}

int se_h_external_create(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_EXTERNAL);
	se_external c = {0};
	se_org ext_org = {0};
	target t = {0};
	int rc = -1;
	bool in_tx = false, dup = false;
	if (se_req_check_types(r, "display_name:s external_organization_id:s external_connection_id:s") < 0)
		goto done;
	const char *ext_org_id = se_json_str(r->body, "external_organization_id");
	const char *ext_conn_id = se_json_str(r->body, "external_connection_id");
	if (!ext_org_id || !*ext_org_id) {
		se_req_fail(r, SE_ERR_BAD_REQUEST, "external_organization_id is required.");
		goto done;
	}
	if (!ext_conn_id || !*ext_conn_id) {
		se_req_fail(r, SE_ERR_BAD_REQUEST, "external_connection_id is required.");
		goto done;
	}
	if (se_db_begin(r->db) < 0) {
		se_req_internal(r);
		goto done;
	}
	in_tx = true;
	int g = se_store_org_get(r->db, ext_org_id, false, &ext_org);
	if (g == SE_ENOTFOUND) {
		se_req_fail(r, SE_ERR_ORGANIZATION_NOT_FOUND, "external_organization_id %s could not be found.", ext_org_id);
		goto done;
	}
	if (g < 0) {
		se_req_internal(r);
		goto done;
	}
	if (strcmp(ext_org.organization_id, r->org.organization_id) == 0) {
		se_req_fail(r, SE_ERR_EXTERNAL_ORG_SAME, "external_organization_id %s is the organization creating the connection.",
			    ext_org_id);
		goto done;
	}
	if (find_target(r, ext_org.organization_id, ext_conn_id, true, &t) < 0)
		goto done;
	if (se_store_external_exists(r->db, r->org.organization_id, ext_conn_id, &dup) < 0) {
		se_req_internal(r);
		goto done;
	}
	if (dup) {
		se_req_fail(r, SE_ERR_DUPLICATE_EXTERNAL, "This organization already has an External connection to %s.",
			    ext_conn_id);
		goto done;
	}
	if (role_assignments(r, &t, &c.connection_role_assignments, &c.group_role_assignments) < 0)
		goto done;
	c.organization_id = strdup(r->org.organization_id);
	c.external_organization_id = strdup(ext_org.organization_id);
	c.external_connection_id = strdup(ext_conn_id);
	c.display_name = se_strdup(se_json_str(r->body, "display_name"));
	if (se_id_new(k->id_prefix, &c.connection_id) < 0 || !c.organization_id || !c.external_organization_id ||
	    !c.external_connection_id || se_conn_fill_defaults(k, &c) < 0 || se_store_conn_insert(r->db, k, &c) < 0) {
		se_req_internal(r);
		goto done;
	}
	in_tx = false;
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_external(&c));
done:
	if (in_tx)
		se_db_rollback(r->db);
	json_decref(t.attribute_mapping);
	se_org_release(&ext_org);
	se_conn_release(k, &c);
	return rc;
}

int se_h_external_update(se_req *r)
{
	const se_kind *k = se_kind_get(SE_KIND_EXTERNAL);
	se_external c = {0};
	target t = {0};
	json_t *conn_roles = NULL, *group_roles = NULL;
	int rc = -1;
	const char *id = se_req_arg(r, "connection_id");
	if (se_req_check_types(r, "display_name:s") < 0)
		return -1;
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	int g = se_store_conn_get(r->db, k, r->org.organization_id, id, &c);
	if (g < 0) {
		if (g == SE_ENOTFOUND)
			se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND, "External connection %s could not be found.", id);
		else
			se_req_internal(r);
		goto fail;
	}
	if (find_target(r, c.external_organization_id, c.external_connection_id, false, &t) < 0 ||
	    role_assignments(r, &t, &conn_roles, &group_roles) < 0 || se_h_set_str(r, "display_name", &c.display_name) < 0)
		goto fail;
	if (conn_roles) {
		json_decref(c.connection_role_assignments);
		c.connection_role_assignments = conn_roles;
		conn_roles = NULL;
	}
	if (group_roles) {
		json_decref(c.group_role_assignments);
		c.group_role_assignments = group_roles;
		group_roles = NULL;
	}
	if (se_store_conn_update(r->db, k, &c) < 0) {
		se_req_internal(r);
		goto fail;
	}
	if (se_h_commit(r) < 0)
		goto done;
	rc = se_h_out_connection(r, se_render_external(&c));
	goto done;
fail:
	se_db_rollback(r->db);
done:
	json_decref(conn_roles);
	json_decref(group_roles);
	json_decref(t.attribute_mapping);
	se_conn_release(k, &c);
	return rc;
}
