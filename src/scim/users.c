/* /Users (SCIM.md 4): create, get, list with filter and paging, replace, PATCH and delete, and what
 * each write does to the connection organization's Member (SCIM.md 6.1, 6.2). */
#include <ctype.h>
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

#define REGISTRATION_PREFIX "scim-member-registration-test-"

/* The User as returned: the stored document with schemas, id, groups and meta. New reference. */
static json_t *render(se_scim_req *r, const se_scim_user *u)
{
	json_t *res = json_deep_copy(u->resource), *groups = json_array();
	json_t *schemas = json_pack("[s]", SE_SCIM_URN_USER);
	if (!res || !groups || !schemas)
		goto fail;
	if (json_object_get(res, SE_SCIM_URN_ENTERPRISE))
		json_array_append_new(schemas, json_string(SE_SCIM_URN_ENTERPRISE));
	if (se_store_scim_groups_of(r->db, u->connection_id, u->member_id, groups) < 0)
		goto fail;
	size_t i;
	json_t *g;
	json_array_foreach (groups, i, g) {
		char *ref = se_asprintf("%s/Groups/%s", r->base, json_string_value(json_object_get(g, "value")));
		if (!ref)
			goto fail;
		json_object_set_new(g, "$ref", json_string(ref));
		json_object_set_new(g, "type", json_string("direct"));
		free(ref);
	}
	char *path = se_asprintf("Users/%s", u->member_id);
	json_t *meta = path ? se_scim_meta(r, "User", path, u->created_at, u->updated_at) : NULL;
	free(path);
	if (!meta)
		goto fail;
	json_object_set_new(res, "schemas", schemas);
	json_object_set_new(res, "id", json_string(u->member_id));
	if (json_array_size(groups))
		json_object_set_new(res, "groups", groups);
	else
		json_decref(groups);
	json_object_set_new(res, "meta", meta);
	return res;
fail:
	json_decref(res);
	json_decref(groups);
	json_decref(schemas);
	return NULL;
}

/* Answers status with the rendered user, projected by attributes / excludedAttributes. */
static int answer(se_scim_req *r, const se_scim_user *u, int status)
{
	json_t *res = render(r, u);
	if (!res)
		return se_scim_req_internal(r);
	if (se_scim_project(r, &se_scim_user_type, res) < 0) {
		json_decref(res);
		return -1;
	}
	r->out = res;
	r->status = status;
	return 0;
}

static const char *str_of(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

static char *derive_name(const json_t *doc)
{
	json_t *name = json_object_get(doc, "name");
	const char *f = str_of(json_object_get(name, "formatted"));
	const char *g = str_of(json_object_get(name, "givenName")), *fa = str_of(json_object_get(name, "familyName"));
	const char *d = str_of(json_object_get(doc, "displayName"));
	if (f)
		return strdup(f);
	if (g && fa)
		return se_asprintf("%s %s", g, fa);
	if (g || fa)
		return strdup(g ? g : fa);
	return strdup(d ? d : "");
}

/* Checks what every write needs: userName, a usable email. *ret_email, *ret_name malloc'd. */
static int validate(se_scim_req *r, const json_t *doc, char **ret_email, char **ret_name)
{
	if (!str_of(json_object_get(doc, "userName")))
		return se_scim_req_fail(r, 400, "invalidValue", "userName is required.");
	char *email = se_store_scim_derive_email(doc);
	if (!email)
		return se_scim_req_fail(
		    r, 400, "invalidValue",
		    "No email address could be derived from emails or userName: a Member needs one.");
	char *name = derive_name(doc);
	if (!name) {
		free(email);
		return se_scim_req_internal(r);
	}
	*ret_email = email;
	*ret_name = name;
	return 0;
}

/* The document written: active kept (or true) when absent. */
static int settle_active(json_t *doc, const json_t *previous)
{
	if (json_object_get(doc, "active"))
		return 0;
	json_t *old = previous ? json_object_get(previous, "active") : NULL;
	return json_object_set_new(doc, "active", json_boolean(old ? json_is_true(old) : true));
}

/* Writes user u (doc stolen into it) and its Member inside the request's transaction: uniqueness,
 * adoption on create, deprovisioning and reactivation. */
static int write_user(se_scim_req *r, se_scim_user *u, json_t *doc, bool create, bool was_active)
{
	char *email = NULL, *name = NULL, *other = NULL;
	se_member m = {0}, found = {0};
	int rc = -1;
	json_decref(u->resource);
	u->resource = doc;
	if (validate(r, doc, &email, &name) < 0)
		goto done;
	const char *user_name = json_string_value(json_object_get(doc, "userName"));
	int g = se_store_scim_user_by_name(r->db, r->conn.connection_id, user_name, &other);
	if (g < 0 && g != SE_ENOTFOUND) {
		se_scim_req_internal(r);
		goto done;
	}
	if (g == 0 && (create || strcmp(other, u->member_id) != 0)) {
		se_scim_req_fail(r, 409, "uniqueness", "userName %s is already taken in this connection.", user_name);
		goto done;
	}
	bool active = json_is_true(json_object_get(doc, "active"));
	g = se_store_member_in_org_by_email(r->db, r->conn.organization_id, email, &found);
	if (g < 0 && g != SE_ENOTFOUND) {
		se_scim_req_internal(r);
		goto done;
	}
	bool taken = g == 0 && (create || strcmp(found.member_id, u->member_id) != 0);
	if (taken) {
		se_scim_user su;
		int s = se_store_scim_user_get(r->db, r->conn.connection_id, found.member_id, &su);
		if (s == 0)
			se_scim_user_release(&su);
		if (s == 0 || !create) {
			se_scim_req_fail(r, 409, "uniqueness", "The email address %s belongs to another %s.", email,
			                 s == 0 ? "user of this connection" : "member of the organization");
			goto done;
		}
		if (s != SE_ENOTFOUND) {
			se_scim_req_internal(r);
			goto done;
		}
	}
	const char *status = active ? "active" : "deleted";
	if (create && taken) {
		/* Adoption: the Member keeps its id, creation time and explicit roles. */
		free(u->member_id);
		u->member_id = strdup(found.member_id);
		if (!u->member_id) {
			se_scim_req_internal(r);
			goto done;
		}
		m = (se_member){
		    .member_id = found.member_id, .email_address = email, .name = name, .status = (char *)status};
		if (se_store_member_update_scim(r->db, &m) < 0) {
			se_scim_req_internal(r);
			goto done;
		}
	} else if (create) {
		char created[21];
		se_time_format(r->now, created);
		m = (se_member){.member_id = u->member_id,
		                .organization_id = r->conn.organization_id,
		                .email_address = email,
		                .name = name,
		                .created_at = created,
		                .status = (char *)status};
		if (se_store_member_insert(r->db, &m) < 0) {
			se_scim_req_internal(r);
			goto done;
		}
	} else {
		m = (se_member){
		    .member_id = u->member_id, .email_address = email, .name = name, .status = (char *)status};
		int w = se_store_member_update_scim(r->db, &m);
		if (w == SE_ECONFLICT) {
			se_scim_req_fail(r, 409, "uniqueness", "The email address %s belongs to another member.",
			                 email);
			goto done;
		}
		if (w < 0) {
			se_scim_req_internal(r);
			goto done;
		}
	}
	(void)was_active;
	if (!active && se_store_member_deprovision(r->db, u->member_id) < 0) {
		se_scim_req_internal(r);
		goto done;
	}
	int w = se_store_scim_user_put(r->db, u);
	if (w == SE_ECONFLICT) {
		se_scim_req_fail(r, 409, "uniqueness", "userName %s is already taken in this connection.", user_name);
		goto done;
	}
	if (w < 0) {
		se_scim_req_internal(r);
		goto done;
	}
	rc = 0;
done:
	free(email);
	free(name);
	free(other);
	se_member_release(&found);
	return rc;
}

static int load(se_scim_req *r, se_scim_user *ret)
{
	int g = se_store_scim_user_get(r->db, r->conn.connection_id, r->id, ret);
	if (g == SE_ENOTFOUND)
		return se_scim_req_fail(r, 404, NULL, "User %s not found.", r->id);
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
	se_scim_user u = {0};
	json_t *doc = NULL;
	int rc = -1;
	if (se_scim_check_schemas(r, SE_SCIM_URN_USER) < 0)
		return -1;
	if (se_scim_doc_from_body(&se_scim_user_type, r->body, &doc, &r->err) < 0)
		return -1;
	if (settle_active(doc, NULL) < 0 || se_id_new(SE_ID_MEMBER, &u.member_id) < 0 ||
	    se_id_new(REGISTRATION_PREFIX, &u.registration_id) < 0 ||
	    !(u.connection_id = strdup(r->conn.connection_id))) {
		json_decref(doc);
		se_scim_req_internal(r);
		goto done;
	}
	char now[21];
	se_time_format(r->now, now);
	u.created_at = strdup(now);
	u.updated_at = strdup(now);
	if (!u.created_at || !u.updated_at) {
		json_decref(doc);
		se_scim_req_internal(r);
		goto done;
	}
	if (write_user(r, &u, doc, true, true) < 0)
		goto done;
	if (answer(r, &u, 201) < 0)
		goto done;
	r->location = se_asprintf("%s/Users/%s", r->base, u.member_id);
	rc = 0;
done:
	se_scim_user_release(&u);
	return rc;
}

int se_scim_users_create(se_scim_req *r)
{
	return se_scim_tx(r, do_create);
}

int se_scim_users_get(se_scim_req *r)
{
	se_scim_user u;
	if (load(r, &u) < 0)
		return -1;
	int rc = answer(r, &u, 200);
	se_scim_user_release(&u);
	return rc;
}

/* Writes a changed document over the stored user and answers 200. */
static int update(se_scim_req *r, se_scim_user *u, json_t *doc)
{
	bool was_active = json_is_true(json_object_get(u->resource, "active"));
	char now[21];
	se_time_format(r->now, now);
	free(u->updated_at);
	u->updated_at = strdup(now);
	if (!u->updated_at) {
		json_decref(doc);
		return se_scim_req_internal(r);
	}
	if (write_user(r, u, doc, false, was_active) < 0)
		return -1;
	return answer(r, u, 200);
}

static int do_replace(se_scim_req *r)
{
	se_scim_user u;
	json_t *doc = NULL;
	if (load(r, &u) < 0)
		return -1;
	int rc = -1;
	if (se_scim_check_schemas(r, SE_SCIM_URN_USER) < 0 || id_matches(r, u.member_id) < 0 ||
	    se_scim_doc_from_body(&se_scim_user_type, r->body, &doc, &r->err) < 0)
		goto done;
	if (settle_active(doc, u.resource) < 0) {
		json_decref(doc);
		se_scim_req_internal(r);
		goto done;
	}
	rc = update(r, &u, doc);
done:
	se_scim_user_release(&u);
	return rc;
}

int se_scim_users_replace(se_scim_req *r)
{
	return se_scim_tx(r, do_replace);
}

static int do_patch(se_scim_req *r)
{
	se_scim_user u;
	if (load(r, &u) < 0)
		return -1;
	int rc = -1;
	json_t *doc = json_deep_copy(u.resource);
	if (!doc) {
		se_scim_req_internal(r);
		goto done;
	}
	if (se_scim_patch_apply(&se_scim_user_type, doc, r->body, u.member_id, &r->err) < 0) {
		json_decref(doc);
		goto done;
	}
	if (!json_is_boolean(json_object_get(doc, "active")))
		json_object_set_new(doc, "active", json_boolean(json_is_true(json_object_get(u.resource, "active"))));
	rc = update(r, &u, doc);
done:
	se_scim_user_release(&u);
	return rc;
}

int se_scim_users_patch(se_scim_req *r)
{
	return se_scim_tx(r, do_patch);
}

static int do_delete(se_scim_req *r)
{
	se_scim_user u;
	if (load(r, &u) < 0)
		return -1;
	int rc = 0;
	if (se_store_member_deprovision(r->db, u.member_id) < 0 ||
	    se_db_exec(r->db, "UPDATE members SET status = 'deleted' WHERE member_id = ?", u.member_id, NULL) < 0 ||
	    se_store_scim_groups_drop_member(r->db, u.connection_id, u.member_id) < 0 ||
	    se_store_scim_user_delete(r->db, u.member_id) < 0)
		rc = se_scim_req_internal(r);
	se_scim_user_release(&u);
	if (rc == 0)
		r->status = 204;
	return rc;
}

int se_scim_users_delete(se_scim_req *r)
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

static int list_one(const se_scim_user *u, void *v)
{
	list_ctx *c = v;
	json_t *res = render(c->r, u);
	if (!res)
		return c->err = SE_ENOMEM;
	if (c->filter && !se_scim_filter_match(c->filter, res)) {
		json_decref(res);
		return 0;
	}
	c->total++;
	if (c->total >= c->start && (long)json_array_size(c->page) < c->count) {
		if (se_scim_project(c->r, &se_scim_user_type, res) < 0) {
			json_decref(res);
			return c->err = SE_EINVAL;
		}
		json_array_append(c->page, res);
	}
	json_decref(res);
	return 0;
}

int se_scim_users_list(se_scim_req *r)
{
	list_ctx c = {.r = r};
	if (se_scim_paging(r, &c.start, &c.count) < 0)
		return -1;
	const char *f = se_scim_query(r, "filter");
	if (f && se_scim_filter_parse(&se_scim_user_type, NULL, f, strlen(f), &c.filter, &r->err) < 0)
		return -1;
	c.page = json_array();
	int g = c.page ? se_store_scim_user_each(r->db, r->conn.connection_id, list_one, &c) : SE_ENOMEM;
	se_scim_filter_free(c.filter);
	if (g < 0 || c.err) {
		json_decref(c.page);
		return c.err == SE_EINVAL ? -1 : se_scim_req_internal(r);
	}
	r->out = se_scim_list(c.page, c.total, c.start);
	r->status = 200;
	return r->out ? 0 : se_scim_req_internal(r);
}
