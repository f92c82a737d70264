/* Queries of the SCIM service provider: SCIM users, SCIM groups with their members, and what
 * provisioning does to Members (status, sessions, roles from groups). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "store/store.h"
#include "util/errors_code.h"

#define EMAIL_MAX 254

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return SE_ECONFLICT;
	return rc == SQLITE_DONE ? 0 : SE_EDB;
}

static void bind(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

/* Reads the one row of st with load, or SE_ENOTFOUND. Resets st. */
static int one_row(sqlite3_stmt *st, int (*load)(sqlite3_stmt *, void *), void *ret)
{
	int rc = sqlite3_step(st), r;
	if (rc == SQLITE_ROW)
		r = load(st, ret);
	else
		r = rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	sqlite3_reset(st);
	return r;
}

/* Runs the rows of st through load, fn, release; a private statement when the cached one is busy. */
static int rows(se_db *db, const char *sql, const char *arg, int (*load)(sqlite3_stmt *, void *), void *obj,
                void (*release)(void *), int (*fn)(const void *, void *), void *ctx)
{
	sqlite3_stmt *st = se_db_stmt_idle(db, sql);
	bool own = false;
	if (!st) {
		if (sqlite3_prepare_v2(se_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
			return SE_EDB;
		own = true;
	}
	if (arg)
		sqlite3_bind_text(st, 1, arg, -1, SQLITE_TRANSIENT);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = load(st, obj)) < 0)
			break;
		r = fn(obj, ctx);
		release(obj);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE && rc != SQLITE_ROW)
		r = SE_EDB;
	if (own)
		sqlite3_finalize(st);
	else
		sqlite3_reset(st);
	return r;
}

/* --- users ------------------------------------------------------------------------------------- */

#define USER_COLS "member_id, connection_id, registration_id, resource, created_at, updated_at"

void se_scim_user_release(se_scim_user *u)
{
	if (!u)
		return;
	free(u->member_id);
	free(u->connection_id);
	free(u->registration_id);
	json_decref(u->resource);
	free(u->created_at);
	free(u->updated_at);
	memset(u, 0, sizeof *u);
}

static int user_load(sqlite3_stmt *st, void *v)
{
	se_scim_user *u = v;
	memset(u, 0, sizeof *u);
	u->member_id = se_db_col_text(st, 0);
	u->connection_id = se_db_col_text(st, 1);
	u->registration_id = se_db_col_text(st, 2);
	u->resource = se_db_col_json(st, 3);
	u->created_at = se_db_col_text(st, 4);
	u->updated_at = se_db_col_text(st, 5);
	if (!u->member_id || !u->connection_id || !u->registration_id || !u->resource || !u->created_at ||
	    !u->updated_at) {
		se_scim_user_release(u);
		return SE_ENOMEM;
	}
	return 0;
}

static void user_release_v(void *u)
{
	se_scim_user_release(u);
}

int se_store_scim_user_get(se_db *db, const char *connection_id, const char *member_id, se_scim_user *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT " USER_COLS " FROM scim_users WHERE member_id = ?1 AND "
	                                  "(?2 IS NULL OR connection_id = ?2)");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_id);
	bind(st, 2, connection_id);
	return one_row(st, user_load, ret);
}

static int text_load(sqlite3_stmt *st, void *v)
{
	char *t = se_db_col_text(st, 0);
	if (!t)
		return SE_ENOMEM;
	*(char **)v = t;
	return 0;
}

int se_store_scim_user_by_name(se_db *db, const char *connection_id, const char *user_name, char **ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT member_id FROM scim_users WHERE connection_id = ? AND "
	                                  "user_name_key = lower(?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, user_name);
	return one_row(st, text_load, ret);
}

int se_store_scim_user_put(se_db *db, const se_scim_user *u)
{
	sqlite3_stmt *st = se_db_stmt(
	    db,
	    "INSERT INTO scim_users (member_id, connection_id, registration_id, user_name_key, resource, created_at, "
	    "updated_at) VALUES (?1, ?2, ?3, lower(json_extract(?4, '$.userName')), ?4, ?5, ?6) "
	    "ON CONFLICT (member_id) DO UPDATE SET connection_id = ?2, registration_id = ?3, "
	    "user_name_key = lower(json_extract(?4, '$.userName')), resource = ?4, updated_at = ?6");
	if (!st)
		return SE_EDB;
	bind(st, 1, u->member_id);
	bind(st, 2, u->connection_id);
	bind(st, 3, u->registration_id);
	if (se_db_bind_json(st, 4, u->resource) < 0)
		return SE_ENOMEM;
	bind(st, 5, u->created_at);
	bind(st, 6, u->updated_at);
	return step_done(st);
}

int se_store_scim_user_delete(se_db *db, const char *member_id)
{
	return se_db_exec(db, "DELETE FROM scim_users WHERE member_id = ?", member_id, NULL);
}

int se_store_scim_user_each(se_db *db, const char *connection_id, int (*fn)(const se_scim_user *u, void *ctx),
                            void *ctx)
{
	se_scim_user u;
	return rows(db, "SELECT " USER_COLS " FROM scim_users WHERE ?1 IS NULL OR connection_id = ?1 ORDER BY rowid",
	            connection_id, user_load, &u, user_release_v, (int (*)(const void *, void *))fn, ctx);
}

/* --- groups ------------------------------------------------------------------------------------ */

#define FULL_GROUP_COLS                                                                                                \
	"group_id, organization_id, connection_id, group_name, external_id, members, created_at, updated_at"

void se_scim_group_full_release(se_scim_group_full *g)
{
	if (!g)
		return;
	free(g->group_id);
	free(g->organization_id);
	free(g->connection_id);
	free(g->group_name);
	free(g->external_id);
	json_decref(g->members);
	free(g->created_at);
	free(g->updated_at);
	memset(g, 0, sizeof *g);
}

static int group_load(sqlite3_stmt *st, void *v)
{
	se_scim_group_full *g = v;
	memset(g, 0, sizeof *g);
	g->group_id = se_db_col_text(st, 0);
	g->organization_id = se_db_col_text(st, 1);
	g->connection_id = se_db_col_text(st, 2);
	g->group_name = se_db_col_text(st, 3);
	g->external_id = se_db_col_text(st, 4);
	g->members = se_db_col_json(st, 5);
	g->created_at = se_db_col_text(st, 6);
	g->updated_at = se_db_col_text(st, 7);
	if (!g->group_id || !g->organization_id || !g->connection_id || !g->group_name || !g->external_id ||
	    !json_is_array(g->members) || !g->created_at || !g->updated_at) {
		se_scim_group_full_release(g);
		return SE_ENOMEM;
	}
	return 0;
}

static void group_release_v(void *g)
{
	se_scim_group_full_release(g);
}

int se_store_scim_group_get(se_db *db, const char *connection_id, const char *group_id, se_scim_group_full *ret)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT " FULL_GROUP_COLS " FROM scim_groups WHERE connection_id = ? AND group_id = ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, group_id);
	return one_row(st, group_load, ret);
}

int se_store_scim_group_by_name(se_db *db, const char *connection_id, const char *name, char **ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT group_id FROM scim_groups WHERE connection_id = ? AND "
	                                  "lower(group_name) = lower(?) ORDER BY rowid LIMIT 1");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, name);
	return one_row(st, text_load, ret);
}

int se_store_scim_group_put(se_db *db, const se_scim_group_full *g)
{
	sqlite3_stmt *st = se_db_stmt(
	    db,
	    "INSERT INTO scim_groups (" FULL_GROUP_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
	    "ON CONFLICT (group_id) DO UPDATE SET group_name = ?4, external_id = ?5, members = ?6, created_at = ?7, "
	    "updated_at = ?8");
	if (!st)
		return SE_EDB;
	bind(st, 1, g->group_id);
	bind(st, 2, g->organization_id);
	bind(st, 3, g->connection_id);
	bind(st, 4, g->group_name);
	bind(st, 5, g->external_id ? g->external_id : "");
	if (se_db_bind_json(st, 6, g->members) < 0)
		return SE_ENOMEM;
	bind(st, 7, g->created_at);
	bind(st, 8, g->updated_at);
	int r = step_done(st);
	if (r < 0)
		return r;
	/* The role assignments show the group's name (API.md section 2). */
	return se_db_exec(
	    db,
	    "UPDATE scim_connections SET group_role_assignments = (SELECT json_group_array(CASE WHEN "
	    "json_extract(value, '$.group_id') = ?2 THEN json_set(value, '$.group_name', ?3) ELSE json(value) "
	    "END) FROM json_each(group_role_assignments)) WHERE connection_id = ?1 AND EXISTS (SELECT 1 FROM "
	    "json_each(group_role_assignments) WHERE json_extract(value, '$.group_id') = ?2)",
	    g->connection_id, g->group_id, g->group_name, NULL);
}

int se_store_scim_group_delete(se_db *db, const char *connection_id, const char *group_id)
{
	if (se_db_exec(db, "DELETE FROM scim_groups WHERE connection_id = ? AND group_id = ?", connection_id, group_id,
	               NULL) < 0)
		return SE_EDB;
	return se_db_exec(
	    db,
	    "UPDATE scim_connections SET group_role_assignments = (SELECT json_group_array(json(value)) FROM "
	    "json_each(group_role_assignments) WHERE json_extract(value, '$.group_id') IS NOT ?2) WHERE "
	    "connection_id = ?1",
	    connection_id, group_id, NULL);
}

int se_store_scim_group_full_each(se_db *db, const char *connection_id,
                                  int (*fn)(const se_scim_group_full *g, void *ctx), void *ctx)
{
	se_scim_group_full g;
	return rows(db,
	            "SELECT " FULL_GROUP_COLS " FROM scim_groups WHERE ?1 IS NULL OR connection_id = ?1 ORDER BY rowid",
	            connection_id, group_load, &g, group_release_v, (int (*)(const void *, void *))fn, ctx);
}

int se_store_scim_groups_of(se_db *db, const char *connection_id, const char *member_id, json_t *arr)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT g.group_id, g.group_name FROM scim_groups g WHERE g.connection_id = ?1 "
	                   "AND EXISTS (SELECT 1 FROM json_each(g.members) WHERE value = ?2) ORDER BY g.rowid");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, member_id);
	int rc, r = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o = json_pack("{s:s, s:s}", "value", (const char *)sqlite3_column_text(st, 0), "display",
		                      (const char *)sqlite3_column_text(st, 1));
		if (!o || json_array_append_new(arr, o) < 0) {
			r = SE_ENOMEM;
			break;
		}
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SE_EDB;
	sqlite3_reset(st);
	return r;
}

int se_store_scim_groups_drop_member(se_db *db, const char *connection_id, const char *member_id)
{
	return se_db_exec(
	    db,
	    "UPDATE scim_groups SET members = (SELECT json_group_array(value) FROM json_each(members) WHERE "
	    "value IS NOT ?2) WHERE connection_id = ?1 AND EXISTS (SELECT 1 FROM json_each(members) WHERE "
	    "value = ?2)",
	    connection_id, member_id, NULL);
}

/* --- members ----------------------------------------------------------------------------------- */

static int member_load(sqlite3_stmt *st, void *v)
{
	se_member *m = v;
	memset(m, 0, sizeof *m);
	m->member_id = se_db_col_text(st, 0);
	m->organization_id = se_db_col_text(st, 1);
	m->email_address = se_db_col_text(st, 2);
	m->name = se_db_col_text(st, 3);
	m->roles = se_db_col_json(st, 4);
	m->created_at = se_db_col_text(st, 5);
	m->status = se_db_col_text(st, 6);
	if (!m->member_id || !m->organization_id || !m->email_address || !m->name || !m->roles || !m->created_at ||
	    !m->status) {
		se_member_release(m);
		return SE_ENOMEM;
	}
	return 0;
}

int se_store_member_in_org_by_email(se_db *db, const char *org_id, const char *email, se_member *ret)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT member_id, organization_id, email_address, name, roles, created_at, "
	                   "status FROM members WHERE organization_id = ? AND lower(email_address) = lower(?) "
	                   "ORDER BY rowid LIMIT 1");
	if (!st)
		return SE_EDB;
	bind(st, 1, org_id);
	bind(st, 2, email);
	return one_row(st, member_load, ret);
}

int se_store_member_update_scim(se_db *db, const se_member *m)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "UPDATE members SET email_address = ?2, name = ?3, status = ?4 WHERE member_id = ?1");
	if (!st)
		return SE_EDB;
	bind(st, 1, m->member_id);
	bind(st, 2, m->email_address);
	bind(st, 3, m->name ? m->name : "");
	bind(st, 4, m->status ? m->status : "active");
	return step_done(st);
}

int se_store_member_deprovision(se_db *db, const char *member_id)
{
	if (se_db_exec(db, "UPDATE members SET status = 'deleted', roles = '[]' WHERE member_id = ?", member_id, NULL) <
	    0)
		return SE_EDB;
	return se_db_exec(db, "DELETE FROM sessions WHERE member_id = ?", member_id, NULL);
}

/* A string field of src, "" when absent. */
static json_t *str_or_empty(const json_t *src, const char *key)
{
	const char *v = json_string_value(json_object_get(src, key));
	return json_string(v ? v : "");
}

/* A multi-valued attribute as [{value, type, primary}]. */
static json_t *plain_list(const json_t *doc, const char *key)
{
	json_t *out = json_array();
	size_t i;
	json_t *el;
	json_array_foreach (json_object_get(doc, key), i, el) {
		json_t *o =
		    json_pack("{s:o, s:o, s:b}", "value", str_or_empty(el, "value"), "type", str_or_empty(el, "type"),
		              "primary", json_is_true(json_object_get(el, "primary")));
		if (o)
			json_array_append_new(out, o);
	}
	return out;
}

/* Stytch's SCIMRegistration for a user (SCIM.md 6.4). New reference, NULL on allocation failure. */
static json_t *registration(const se_scim_user *u, json_t *groups)
{
	const json_t *d = u->resource;
	const json_t *name = json_object_get(d, "name");
	const json_t *ent = json_object_get(d, "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User");
	const json_t *mgr = json_object_get(ent, "manager");
	json_t *addresses = json_array();
	size_t i;
	json_t *el;
	json_array_foreach (json_object_get(d, "addresses"), i, el) {
		json_t *o =
		    json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:b}", "formatted", str_or_empty(el, "formatted"),
		              "street_address", str_or_empty(el, "streetAddress"), "locality",
		              str_or_empty(el, "locality"), "region", str_or_empty(el, "region"), "postal_code",
		              str_or_empty(el, "postalCode"), "country", str_or_empty(el, "country"), "type",
		              str_or_empty(el, "type"), "primary", json_is_true(json_object_get(el, "primary")));
		if (o && addresses)
			json_array_append_new(addresses, o);
	}
	json_t *attrs = json_pack(
	    "{s:o, s:s, s:o, s:b, s:O, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o,"
	    " s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}}}",
	    "user_name", str_or_empty(d, "userName"), "id", u->member_id, "external_id", str_or_empty(d, "externalId"),
	    "active", json_is_true(json_object_get(d, "active")), "groups", groups, "display_name",
	    str_or_empty(d, "displayName"), "nick_name", str_or_empty(d, "nickName"), "profile_url",
	    str_or_empty(d, "profileUrl"), "user_type", str_or_empty(d, "userType"), "title", str_or_empty(d, "title"),
	    "preferred_language", str_or_empty(d, "preferredLanguage"), "locale", str_or_empty(d, "locale"), "timezone",
	    str_or_empty(d, "timezone"), "emails", plain_list(d, "emails"), "phone_numbers",
	    plain_list(d, "phoneNumbers"), "ims", plain_list(d, "ims"), "photos", plain_list(d, "photos"),
	    "entitlements", plain_list(d, "entitlements"), "roles", plain_list(d, "roles"), "x509certificates",
	    plain_list(d, "x509Certificates"), "addresses", addresses ? addresses : json_array(), "name", "formatted",
	    str_or_empty(name, "formatted"), "family_name", str_or_empty(name, "familyName"), "given_name",
	    str_or_empty(name, "givenName"), "middle_name", str_or_empty(name, "middleName"), "honorific_prefix",
	    str_or_empty(name, "honorificPrefix"), "honorific_suffix", str_or_empty(name, "honorificSuffix"),
	    "enterprise_extension", "employee_number", str_or_empty(ent, "employeeNumber"), "cost_center",
	    str_or_empty(ent, "costCenter"), "division", str_or_empty(ent, "division"), "department",
	    str_or_empty(ent, "department"), "organization", str_or_empty(ent, "organization"), "manager", "value",
	    str_or_empty(mgr, "value"), "ref", str_or_empty(mgr, "$ref"), "display_name",
	    str_or_empty(mgr, "displayName"));
	if (!attrs)
		return NULL;
	return json_pack("{s:s, s:s, s:o, s:o}", "connection_id", u->connection_id, "registration_id",
	                 u->registration_id, "external_id", str_or_empty(d, "externalId"), "scim_attributes", attrs);
}

int se_store_scim_member_complete(se_db *db, se_member *m)
{
	se_scim_user u;
	int g = se_store_scim_user_get(db, NULL, m->member_id, &u);
	if (g == SE_ENOTFOUND)
		return 0;
	if (g < 0)
		return g;
	json_t *groups = json_array(), *sources = json_array();
	int r = groups && sources ? se_store_scim_groups_of(db, u.connection_id, u.member_id, groups) : SE_ENOMEM;
	json_t *reg = r == 0 ? registration(&u, groups) : NULL;
	if (r == 0 && !reg)
		r = SE_ENOMEM;
	sqlite3_stmt *st =
	    r == 0
	        ? se_db_stmt(
	              db,
	              "SELECT json_extract(ra.value, '$.role_id'), g.group_id FROM scim_users u JOIN members mem ON "
	              "mem.member_id = u.member_id AND mem.status = 'active' JOIN scim_groups g ON g.connection_id = "
	              "u.connection_id JOIN scim_connections c ON c.connection_id = g.connection_id, "
	              "json_each(c.group_role_assignments) ra WHERE u.member_id = ?1 AND json_extract(ra.value, "
	              "'$.group_id') "
	              "= g.group_id AND EXISTS (SELECT 1 FROM json_each(g.members) WHERE value = ?1) ORDER BY g.rowid, "
	              "ra.id")
	        : NULL;
	if (r == 0 && !st)
		r = SE_EDB;
	size_t added = 0;
	if (st) {
		bind(st, 1, m->member_id);
		int rc;
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *role = (const char *)sqlite3_column_text(st, 0);
			const char *gid = (const char *)sqlite3_column_text(st, 1);
			bool have = false;
			size_t i;
			json_t *v;
			if (!role || !gid)
				continue;
			json_array_foreach (m->roles, i, v)
				if (json_is_string(v) && strcmp(json_string_value(v), role) == 0)
					have = true;
			if (!have) {
				if (json_array_append_new(m->roles, json_string(role)) < 0) {
					r = SE_ENOMEM;
					break;
				}
				added++;
			}
			json_t *src = json_pack("{s:s, s:s, s:s}", "role_id", role, "connection_id", u.connection_id,
			                        "group_id", gid);
			if (!src || json_array_append_new(sources, src) < 0) {
				r = SE_ENOMEM;
				break;
			}
		}
		if (r == 0 && rc != SQLITE_DONE)
			r = SE_EDB;
		sqlite3_reset(st);
	}
	if (r == 0) {
		m->n_scim_roles = added;
		json_decref(m->scim_role_sources);
		json_decref(m->scim_registration);
		m->scim_role_sources = sources;
		m->scim_registration = reg;
		sources = reg = NULL;
	}
	json_decref(groups);
	json_decref(sources);
	json_decref(reg);
	se_scim_user_release(&u);
	return r;
}

/* --- the Member email a SCIM User yields (SCIM.md 6.1) ----------------------------------------- */

static bool email_ok(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > EMAIL_MAX)
		return false;
	for (const char *p = s; *p; p++)
		if (isspace((unsigned char)*p) || (unsigned char)*p < 0x20)
			return false;
	return true;
}

static const char *str_of(const json_t *v)
{
	return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

/* The Member's email (SCIM.md 6.1) as a new lower-case string, or NULL when none is usable. */
char *se_store_scim_derive_email(const json_t *doc)
{
	json_t *emails = json_object_get(doc, "emails");
	const char *cands[4] = {NULL, NULL, NULL, str_of(json_object_get(doc, "userName"))};
	size_t i;
	json_t *el;
	json_array_foreach (emails, i, el) {
		const char *v = str_of(json_object_get(el, "value"));
		if (!v)
			continue;
		if (!cands[0] && json_is_true(json_object_get(el, "primary")))
			cands[0] = v;
		const char *t = str_of(json_object_get(el, "type"));
		if (!cands[1] && t && strcasecmp(t, "work") == 0)
			cands[1] = v;
		if (!cands[2])
			cands[2] = v;
	}
	for (i = 0; i < 4; i++) {
		if (cands[i] && email_ok(cands[i])) {
			char *e = strdup(cands[i]);
			for (char *p = e; p && *p; p++)
				*p = (char)tolower((unsigned char)*p);
			return e;
		}
	}
	return NULL;
}
