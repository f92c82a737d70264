/* /Groups (SCIM.md 5): create, get, list with filter, replace, PATCH in Okta's and Entra's shapes,
 * delete; a SCIM group is a row of the connection's scim_groups (SCIM.md 6.3). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/ids.h"
#include "scim/filter.h"
#include "scim/internal.h"
#include "scim/patch.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

/* The Group as returned. New reference. */
static json_t *render(se_scim_req *r, const se_scim_group_full *g)
{
	json_t *res = json_pack("{s:[s], s:s, s:s}", "schemas", SE_SCIM_URN_GROUP, "id", g->group_id, "displayName",
	                        g->group_name);
	json_t *members = json_array();
	if (!res || !members)
		goto fail;
	if (*g->external_id)
		json_object_set_new(res, "externalId", json_string(g->external_id));
	size_t i;
	json_t *m;
	json_array_foreach (g->members, i, m) {
		se_scim_user u;
		if (se_store_scim_user_get(r->db, g->connection_id, json_string_value(m), &u) < 0)
			continue;
		char *ref = se_asprintf("%s/Users/%s", r->base, u.member_id);
		json_t *o = ref ? json_pack("{s:s, s:s, s:s, s:s}", "value", u.member_id, "display",
		                            json_string_value(json_object_get(u.resource, "userName")), "$ref", ref,
		                            "type", "User")
		                : NULL;
		free(ref);
		se_scim_user_release(&u);
		if (!o || json_array_append_new(members, o) < 0)
			goto fail;
	}
	if (json_array_size(members))
		json_object_set_new(res, "members", members);
	else
		json_decref(members);
	members = NULL;
	char *path = se_asprintf("Groups/%s", g->group_id);
	json_t *meta = path ? se_scim_meta(r, "Group", path, g->created_at, g->updated_at) : NULL;
	free(path);
	if (!meta)
		goto fail;
	json_object_set_new(res, "meta", meta);
	return res;
fail:
	json_decref(res);
	json_decref(members);
	return NULL;
}

static int answer(se_scim_req *r, const se_scim_group_full *g, int status)
{
	json_t *res = render(r, g);
	if (!res)
		return se_scim_req_internal(r);
	if (se_scim_project(r, &se_scim_group_type, res) < 0) {
		json_decref(res);
		return -1;
	}
	r->out = res;
	r->status = status;
	return 0;
}

/* The document PATCH works on: displayName, externalId, members as {value}. New reference. */
static json_t *doc_of(const se_scim_group_full *g)
{
	json_t *doc = json_pack("{s:s}", "displayName", g->group_name), *members = json_array();
	if (!doc || !members) {
		json_decref(doc);
		json_decref(members);
		return NULL;
	}
	if (*g->external_id)
		json_object_set_new(doc, "externalId", json_string(g->external_id));
	size_t i;
	json_t *m;
	json_array_foreach (g->members, i, m)
		json_array_append_new(members, json_pack("{s:O}", "value", m));
	if (json_array_size(members))
		json_object_set_new(doc, "members", members);
	else
		json_decref(members);
	return doc;
}

/* From a document back to the group's fields: displayName required and unique, members users of the
 * connection (deduplicated, in order). When members_given is false the members are kept. */
static int apply_doc(se_scim_req *r, se_scim_group_full *g, const json_t *doc, bool members_given)
{
	json_t *dn = json_object_get(doc, "displayName"), *ext = json_object_get(doc, "externalId");
	if (!json_is_string(dn) || json_string_length(dn) == 0)
		return se_scim_req_fail(r, 400, "invalidValue", "displayName is required.");
	if (ext && !json_is_string(ext))
		return se_scim_req_fail(r, 400, "invalidValue", "externalId must be a string.");
	char *other = NULL;
	int f = se_store_scim_group_by_name(r->db, r->conn.connection_id, json_string_value(dn), &other);
	if (f == 0 && strcmp(other, g->group_id) != 0) {
		free(other);
		return se_scim_req_fail(r, 409, "uniqueness", "A group named %s already exists in this connection.",
		                        json_string_value(dn));
	}
	free(other);
	if (f < 0 && f != SE_ENOTFOUND)
		return se_scim_req_internal(r);
	if (members_given) {
		json_t *ids = json_array();
		if (!ids)
			return se_scim_req_internal(r);
		size_t i;
		json_t *m;
		json_array_foreach (json_object_get(doc, "members"), i, m) {
			const char *id = json_string_value(json_object_get(m, "value"));
			if (!id)
				continue;
			se_scim_user u;
			int g2 = se_store_scim_user_get(r->db, r->conn.connection_id, id, &u);
			if (g2 == SE_ENOTFOUND) {
				json_decref(ids);
				return se_scim_req_fail(r, 400, "invalidValue",
				                        "Member %s is not a user of this connection.", id);
			}
			if (g2 < 0) {
				json_decref(ids);
				return se_scim_req_internal(r);
			}
			se_scim_user_release(&u);
			bool dup = false;
			size_t k;
			json_t *x;
			json_array_foreach (ids, k, x)
				if (strcmp(json_string_value(x), id) == 0)
					dup = true;
			if (!dup)
				json_array_append_new(ids, json_string(id));
		}
		json_decref(g->members);
		g->members = ids;
	}
	char *name = strdup(json_string_value(dn)), *eid = strdup(ext ? json_string_value(ext) : "");
	if (!name || !eid) {
		free(name);
		free(eid);
		return se_scim_req_internal(r);
	}
	free(g->group_name);
	free(g->external_id);
	g->group_name = name;
	g->external_id = eid;
	char now[21];
	se_time_format(r->now, now);
	free(g->updated_at);
	g->updated_at = strdup(now);
	if (!g->updated_at)
		return se_scim_req_internal(r);
	if (se_store_scim_group_put(r->db, g) < 0)
		return se_scim_req_internal(r);
	return 0;
}

static int load(se_scim_req *r, se_scim_group_full *ret)
{
	int g = se_store_scim_group_get(r->db, r->conn.connection_id, r->id, ret);
	if (g == SE_ENOTFOUND)
		return se_scim_req_fail(r, 404, NULL, "Group %s not found.", r->id);
	return g < 0 ? se_scim_req_internal(r) : 0;
}

static int id_matches(se_scim_req *r, const char *id)
{
	json_t *v = se_scim_ci_get(r->body, "id", NULL);
	if (v && !json_is_null(v) && (!json_is_string(v) || strcmp(json_string_value(v), id) != 0))
		return se_scim_req_fail(r, 400, "mutability", "id is read-only: it cannot change.");
	return 0;
}

static int do_create(se_scim_req *r)
{
	se_scim_group_full g = {0};
	json_t *doc = NULL;
	int rc = -1;
	char now[21];
	se_time_format(r->now, now);
	if (se_scim_check_schemas(r, SE_SCIM_URN_GROUP) < 0 ||
	    se_scim_doc_from_body(&se_scim_group_type, r->body, &doc, &r->err) < 0)
		goto done;
	if (se_id_new(SE_ID_SCIM_GROUP, &g.group_id) < 0 || !(g.organization_id = strdup(r->conn.organization_id)) ||
	    !(g.connection_id = strdup(r->conn.connection_id)) || !(g.members = json_array()) ||
	    !(g.created_at = strdup(now)) || !(g.group_name = strdup("")) || !(g.external_id = strdup(""))) {
		se_scim_req_internal(r);
		goto done;
	}
	if (apply_doc(r, &g, doc, true) < 0 || answer(r, &g, 201) < 0)
		goto done;
	r->location = se_asprintf("%s/Groups/%s", r->base, g.group_id);
	rc = 0;
done:
	json_decref(doc);
	se_scim_group_full_release(&g);
	return rc;
}

int se_scim_groups_create(se_scim_req *r)
{
	return se_scim_tx(r, do_create);
}

int se_scim_groups_get(se_scim_req *r)
{
	se_scim_group_full g;
	if (load(r, &g) < 0)
		return -1;
	int rc = answer(r, &g, 200);
	se_scim_group_full_release(&g);
	return rc;
}

static int do_replace(se_scim_req *r)
{
	se_scim_group_full g;
	json_t *doc = NULL;
	if (load(r, &g) < 0)
		return -1;
	int rc = -1;
	if (se_scim_check_schemas(r, SE_SCIM_URN_GROUP) < 0 || id_matches(r, g.group_id) < 0 ||
	    se_scim_doc_from_body(&se_scim_group_type, r->body, &doc, &r->err) < 0)
		goto done;
	/* members set exactly when present (null or [] empties the group), kept when absent. */
	bool given = se_scim_ci_get(r->body, "members", NULL) != NULL;
	if (apply_doc(r, &g, doc, given) < 0 || answer(r, &g, 200) < 0)
		goto done;
	rc = 0;
done:
	json_decref(doc);
	se_scim_group_full_release(&g);
	return rc;
}

int se_scim_groups_replace(se_scim_req *r)
{
	return se_scim_tx(r, do_replace);
}

static int do_patch(se_scim_req *r)
{
	se_scim_group_full g;
	if (load(r, &g) < 0)
		return -1;
	int rc = -1;
	json_t *doc = doc_of(&g);
	if (!doc) {
		se_scim_req_internal(r);
		goto done;
	}
	if (se_scim_patch_apply(&se_scim_group_type, doc, r->body, g.group_id, &r->err) < 0 ||
	    apply_doc(r, &g, doc, true) < 0)
		goto done;
	if (se_scim_query(r, "attributes") || se_scim_query(r, "excludedAttributes")) {
		if (answer(r, &g, 200) < 0)
			goto done;
	} else {
		r->status = 204;
	}
	rc = 0;
done:
	json_decref(doc);
	se_scim_group_full_release(&g);
	return rc;
}

int se_scim_groups_patch(se_scim_req *r)
{
	return se_scim_tx(r, do_patch);
}

static int do_delete(se_scim_req *r)
{
	se_scim_group_full g;
	if (load(r, &g) < 0)
		return -1;
	int rc = se_store_scim_group_delete(r->db, g.connection_id, g.group_id) < 0 ? se_scim_req_internal(r) : 0;
	se_scim_group_full_release(&g);
	if (rc == 0)
		r->status = 204;
	return rc;
}

int se_scim_groups_delete(se_scim_req *r)
{
	return se_scim_tx(r, do_delete);
}

typedef struct list_ctx {
	se_scim_req *r;
	se_scim_filter *filter;
	long start, count, total;
	json_t *page;
	int err;
} list_ctx;

static int list_one(const se_scim_group_full *g, void *v)
{
	list_ctx *c = v;
	json_t *res = render(c->r, g);
	if (!res)
		return c->err = SE_ENOMEM;
	if (c->filter && !se_scim_filter_match(c->filter, res)) {
		json_decref(res);
		return 0;
	}
	c->total++;
	if (c->total >= c->start && (long)json_array_size(c->page) < c->count) {
		if (se_scim_project(c->r, &se_scim_group_type, res) < 0) {
			json_decref(res);
			return c->err = SE_EINVAL;
		}
		json_array_append(c->page, res);
	}
	json_decref(res);
	return 0;
}

int se_scim_groups_list(se_scim_req *r)
{
	list_ctx c = {.r = r};
	if (se_scim_paging(r, &c.start, &c.count) < 0)
		return -1;
	const char *f = se_scim_query(r, "filter");
	if (f && se_scim_filter_parse(&se_scim_group_type, NULL, f, strlen(f), &c.filter, &r->err) < 0)
		return -1;
	c.page = json_array();
	int g = c.page ? se_store_scim_group_full_each(r->db, r->conn.connection_id, list_one, &c) : SE_ENOMEM;
	se_scim_filter_free(c.filter);
	if (g < 0 || c.err) {
		json_decref(c.page);
		return c.err == SE_EINVAL ? -1 : se_scim_req_internal(r);
	}
	r->out = se_scim_list(c.page, c.total, c.start);
	r->status = 200;
	return r->out ? 0 : se_scim_req_internal(r);
}
