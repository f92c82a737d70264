/* Queries of the project row, organizations, members and sessions. */
#include <stdlib.h>
#include <string.h>

#include "model/model.h"
#include "util/errors_code.h"
#include "store/cache.h"
#include "store/rows.h"
#include "store/store.h"

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

/* Binds the JSON text of list, or "[]" when it is NULL. Returns 0 or SE_ENOMEM. */
static int bind_list(sqlite3_stmt *st, int i, const json_t *list)
{
	if (!list) {
		bind(st, i, "[]");
		return 0;
	}
	return se_db_bind_json(st, i, list) < 0 ? SE_ENOMEM : 0;
}

int se_store_project_get(se_db *db, se_project **ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT project_id, secret, public_token, sdk_member_actions_enabled, "
					  "rbac_policy, admin_portal, project_name FROM project WHERE id = 1");
	if (!st)
		return SE_EDB;
	int rc = sqlite3_step(st), r = SE_ENOMEM;
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	}
	se_project *p = calloc(1, sizeof *p);
	if (!p)
		goto done;
	atomic_init(&p->refs, 1);
	p->project_id = se_db_col_text(st, 0);
	p->secret = se_db_col_text(st, 1);
	p->public_token = se_db_col_text(st, 2);
	p->sdk_member_actions_enabled = sqlite3_column_int(st, 3) != 0;
	p->rbac_policy = se_db_col_json(st, 4);
	p->admin_portal = se_db_col_json(st, 5);
	p->project_name = se_db_col_text(st, 6);
	if (!p->project_id || !p->secret || !p->public_token || !p->rbac_policy || !p->admin_portal || !p->project_name) {
		se_project_unref(p);
		goto done;
	}
	*ret = p;
	r = 0;
done:
	sqlite3_reset(st);
	return r;
}

int se_store_project_put(se_db *db, const se_project *p)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT OR REPLACE INTO project (id, project_id, secret, public_token, "
					  "sdk_member_actions_enabled, rbac_policy, admin_portal, project_name) VALUES (1, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, p->project_id);
	bind(st, 2, p->secret);
	bind(st, 3, p->public_token);
	sqlite3_bind_int(st, 4, p->sdk_member_actions_enabled);
	if (se_db_bind_json(st, 5, p->rbac_policy) < 0)
		return SE_ENOMEM;
	if (p->admin_portal ? se_db_bind_json(st, 6, p->admin_portal) < 0
			    : sqlite3_bind_text(st, 6, "{}", -1, SQLITE_STATIC) != SQLITE_OK)
		return SE_ENOMEM;
	bind(st, 7, p->project_name ? p->project_name : "");
	return step_done(st);
}

/* --- organizations ---------------------------------------------------------------------------- */

#define ORG_COLS                                                                                                       \
	"organization_id, organization_slug, organization_name, email_allowed_domains, created_at, "                   \
	"organization_external_id, organization_logo_url, sso_default_connection_id, settings, updated_at"

static int org_load(sqlite3_stmt *st, se_org *o)
{
	memset(o, 0, sizeof *o);
	o->organization_id = se_db_col_text(st, 0);
	o->organization_slug = se_db_col_text(st, 1);
	o->organization_name = se_db_col_text(st, 2);
	o->email_allowed_domains = se_db_col_json(st, 3);
	o->created_at = se_db_col_text(st, 4);
	bool no_external = sqlite3_column_type(st, 5) == SQLITE_NULL, no_default = sqlite3_column_type(st, 7) == SQLITE_NULL;
	o->organization_external_id = no_external ? NULL : se_db_col_text(st, 5);
	o->organization_logo_url = se_db_col_text(st, 6);
	o->sso_default_connection_id = no_default ? NULL : se_db_col_text(st, 7);
	o->settings = se_db_col_json(st, 8);
	o->updated_at = se_db_col_text(st, 9);
	if (!o->organization_id || !o->organization_slug || !o->organization_name || !o->email_allowed_domains ||
	    !o->created_at || (!no_external && !o->organization_external_id) || !o->organization_logo_url ||
	    (!no_default && !o->sso_default_connection_id) || !o->settings || !o->updated_at) {
		se_org_release(o);
		return SE_ENOMEM;
	}
	return 0;
}

/* Looks up the one row of sql whose ?1 is key and loads it with load; SE_ENOTFOUND for no row. */
static int get_by(se_db *db, const char *sql, const char *key, int (*load)(sqlite3_stmt *, void *), void *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, sql);
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), r;
	if (rc == SQLITE_ROW)
		r = load(st, ret);
	else
		r = rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	sqlite3_reset(st);
	return r;
}

/* get_by() through the row cache (store/rows.h): outside a write transaction a committed row read before is
 * copied from memory, and a row read from SQLite is kept for the next time. */
static int get_cached(se_db *db, se_row_kind kind, const char *sql, const char *key,
		      int (*load)(sqlite3_stmt *, void *), void *ret)
{
	if (se_db_in_tx(db))
		return get_by(db, sql, key, load, ret);
	const void *owner = se_db_store(db);
	int r = se_rows_get(owner, kind, key, ret);
	if (r != SE_ENOTFOUND)
		return r;
	/* Read before the row: a commit in between makes what is kept stale at once. */
	uint64_t gen = se_cache_generation();
	r = get_by(db, sql, key, load, ret);
	if (r == 0)
		se_rows_put(owner, kind, key, gen, ret);
	return r;
}

/* Walks every row of a statement of its own, so that fn may query too. */
static int each(se_db *db, const char *sql, int (*load)(sqlite3_stmt *, void *), void (*release)(void *),
		int (*fn)(const void *, void *), void *ctx)
{
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(se_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return SE_EDB;
	int r = 0, rc;
	union {
		se_org o;
		se_member m;
		se_session s;
		se_scim_group g;
	} obj;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = load(st, &obj)) < 0)
			break;
		r = fn(&obj, ctx);
		release(&obj);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SE_EDB;
	sqlite3_finalize(st);
	return r;
}

static int org_load_v(sqlite3_stmt *st, void *o)
{
	return org_load(st, o);
}

static void org_release_v(void *o)
{
	se_org_release(o);
}

int se_store_org_get(se_db *db, const char *id_or_slug, bool by_slug, se_org *ret)
{
	int r = se_store_org_find(db, id_or_slug, by_slug, ret);
	if (r == 0 && (r = se_store_org_links(db, ret)) < 0)
		se_org_release(ret);
	return r;
}

int se_store_org_find(se_db *db, const char *id_or_slug, bool by_slug, se_org *ret)
{
	/* An id wins over a slug or external id that happens to spell another organization's id. */
	return get_cached(db, by_slug ? SE_ROW_ORG_ID_SLUG : SE_ROW_ORG_ID,
			  by_slug ? "SELECT " ORG_COLS " FROM organizations WHERE organization_id = ?1 OR organization_slug = ?1 "
				    "OR organization_external_id = ?1 ORDER BY organization_id = ?1 DESC, "
				    "organization_slug = ?1 DESC LIMIT 1"
				  : "SELECT " ORG_COLS " FROM organizations WHERE organization_id = ?1",
			  id_or_slug, org_load_v, ret);
}

/* Binds the columns of o from index 1 in ORG_COLS order. */
static int org_bind(sqlite3_stmt *st, const se_org *o)
{
	bind(st, 1, o->organization_id);
	bind(st, 2, o->organization_slug);
	bind(st, 3, o->organization_name ? o->organization_name : "");
	if (bind_list(st, 4, o->email_allowed_domains) < 0)
		return SE_ENOMEM;
	bind(st, 5, o->created_at);
	bind(st, 6, o->organization_external_id && *o->organization_external_id ? o->organization_external_id : NULL);
	bind(st, 7, o->organization_logo_url ? o->organization_logo_url : "");
	bind(st, 8, o->sso_default_connection_id && *o->sso_default_connection_id ? o->sso_default_connection_id : NULL);
	if (o->settings) {
		if (se_db_bind_json(st, 9, o->settings) < 0)
			return SE_ENOMEM;
	} else {
		bind(st, 9, "{}");
	}
	bind(st, 10, o->updated_at && *o->updated_at ? o->updated_at : o->created_at);
	return 0;
}

int se_store_org_update(se_db *db, const se_org *o)
{
	sqlite3_stmt *st = se_db_stmt(db, "UPDATE organizations SET organization_slug = ?2, organization_name = ?3, "
					  "email_allowed_domains = ?4, created_at = ?5, organization_external_id = ?6, "
					  "organization_logo_url = ?7, sso_default_connection_id = ?8, settings = ?9, "
					  "updated_at = ?10 WHERE organization_id = ?1");
	if (!st)
		return SE_EDB;
	int r = org_bind(st, o);
	if (r < 0)
		return r;
	r = step_done(st);
	if (r == 0 && sqlite3_changes(se_db_handle(db)) == 0)
		return SE_ENOTFOUND;
	return r;
}

/* Appends {connection_id, display_name, identity_provider} to list. */
static int push_active(json_t *list, const char *id, const char *name, const char *idp)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "connection_id", id, "display_name", name, "identity_provider", idp);
	return o && json_array_append_new(list, o) == 0 ? 0 : SE_ENOMEM;
}

static int active_saml(void *obj, void *list)
{
	const se_saml *c = obj;
	if (strcmp(se_saml_status(c), "active") != 0)
		return 0;
	return push_active(list, c->connection_id, c->display_name, c->identity_provider);
}

static int active_oidc(void *obj, void *list)
{
	const se_oidc *c = obj;
	if (strcmp(se_oidc_status(c), "active") != 0)
		return 0;
	return push_active(list, c->connection_id, c->display_name, c->identity_provider);
}

int se_store_org_links(se_db *db, se_org *o)
{
	json_t *sso = json_array(), *scim = NULL;
	int r = sso ? 0 : SE_ENOMEM;
	if (r == 0)
		r = se_store_conn_each(db, se_kind_get(SE_KIND_SAML), o->organization_id, active_saml, sso);
	if (r == 0)
		r = se_store_conn_each(db, se_kind_get(SE_KIND_OIDC), o->organization_id, active_oidc, sso);
	/* An External connection is always active, with the identity provider of what it points at. */
	sqlite3_stmt *st = r == 0 ? se_db_stmt(db, "SELECT e.connection_id, e.display_name, coalesce(s.identity_provider, "
							"d.identity_provider, 'generic') FROM external_connections e "
							"LEFT JOIN saml_connections s ON s.connection_id = e.external_connection_id "
							"LEFT JOIN oidc_connections d ON d.connection_id = e.external_connection_id "
							"WHERE e.organization_id = ? ORDER BY e.rowid")
				  : NULL;
	if (r == 0 && !st)
		r = SE_EDB;
	if (r == 0) {
		int rc;
		sqlite3_bind_text(st, 1, o->organization_id, -1, SQLITE_STATIC);
		while (r == 0 && (rc = sqlite3_step(st)) == SQLITE_ROW)
			r = push_active(sso, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
					(const char *)sqlite3_column_text(st, 2));
		if (r == 0 && rc != SQLITE_DONE)
			r = SE_EDB;
		sqlite3_reset(st);
	}
	st = r == 0 ? se_db_stmt(db, "SELECT connection_id, display_name, bearer_token_last_four, "
					  "bearer_token_expires_at FROM scim_connections WHERE organization_id = ?")
		    : NULL;
	if (r == 0 && !st)
		r = SE_EDB;
	if (r == 0) {
		sqlite3_bind_text(st, 1, o->organization_id, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			scim = json_pack("{s:s, s:s, s:s, s:s}", "connection_id", sqlite3_column_text(st, 0), "display_name",
					 sqlite3_column_text(st, 1), "bearer_token_last_four", sqlite3_column_text(st, 2),
					 "bearer_token_expires_at", sqlite3_column_text(st, 3));
		else if (rc == SQLITE_DONE)
			scim = json_null();
		r = rc == SQLITE_ROW || rc == SQLITE_DONE ? (scim ? 0 : SE_ENOMEM) : SE_EDB;
		sqlite3_reset(st);
	}
	if (r < 0) {
		json_decref(sso);
		json_decref(scim);
		return r;
	}
	json_decref(o->sso_active_connections);
	json_decref(o->scim_active_connection);
	o->sso_active_connections = sso;
	o->scim_active_connection = scim;
	return 0;
}

int se_store_org_insert(se_db *db, const se_org *o)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO organizations (" ORG_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	int r = org_bind(st, o);
	return r < 0 ? r : step_done(st);
}

int se_store_org_each(se_db *db, int (*fn)(const se_org *o, void *ctx), void *ctx)
{
	return each(db, "SELECT " ORG_COLS " FROM organizations ORDER BY rowid", org_load_v, org_release_v,
		    (int (*)(const void *, void *))fn, ctx);
}

/* --- members ---------------------------------------------------------------------------------- */

#define MEMBER_COLS "member_id, organization_id, email_address, name, roles, created_at, status"

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

static void member_release_v(void *m)
{
	se_member_release(m);
}

int se_store_member_get(se_db *db, const char *member_id, se_member *ret)
{
	return get_cached(db, SE_ROW_MEMBER, "SELECT " MEMBER_COLS " FROM members WHERE member_id = ?", member_id,
			  member_load, ret);
}

int se_store_member_by_email(se_db *db, const char *email, se_member *ret)
{
	return get_by(db,
		      "SELECT " MEMBER_COLS " FROM members WHERE lower(email_address) = lower(?) ORDER BY rowid LIMIT 1",
		      email, member_load, ret);
}

int se_store_member_insert(se_db *db, const se_member *m)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO members (" MEMBER_COLS ") VALUES (?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, m->member_id);
	bind(st, 2, m->organization_id);
	bind(st, 3, m->email_address);
	bind(st, 4, m->name ? m->name : "");
	if (bind_list(st, 5, m->roles) < 0)
		return SE_ENOMEM;
	bind(st, 6, m->created_at);
	bind(st, 7, m->status ? m->status : "active");
	return step_done(st);
}

int se_store_member_each(se_db *db, int (*fn)(const se_member *m, void *ctx), void *ctx)
{
	return each(db, "SELECT " MEMBER_COLS " FROM members ORDER BY rowid", member_load, member_release_v,
		    (int (*)(const void *, void *))fn, ctx);
}

/* --- sessions --------------------------------------------------------------------------------- */

#define SESSION_COLS "session_token, member_session_id, member_id, started_at, expires_at"

static int session_load(sqlite3_stmt *st, void *v)
{
	se_session *s = v;
	memset(s, 0, sizeof *s);
	s->session_token = se_db_col_text(st, 0);
	s->member_session_id = se_db_col_text(st, 1);
	s->member_id = se_db_col_text(st, 2);
	s->started_at = se_db_col_text(st, 3);
	bool never = sqlite3_column_type(st, 4) == SQLITE_NULL;
	s->expires_at = never ? NULL : se_db_col_text(st, 4);
	if (!s->session_token || !s->member_session_id || !s->member_id || !s->started_at || (!never && !s->expires_at)) {
		se_session_release(s);
		return SE_ENOMEM;
	}
	return 0;
}

static void session_release_v(void *s)
{
	se_session_release(s);
}

int se_store_session_get(se_db *db, const char *session_token, se_session *ret)
{
	return get_cached(db, SE_ROW_SESSION, "SELECT " SESSION_COLS " FROM sessions WHERE session_token = ?",
			  session_token, session_load, ret);
}

int se_store_session_by_id(se_db *db, const char *member_session_id, se_session *ret)
{
	return get_by(db, "SELECT " SESSION_COLS " FROM sessions WHERE member_session_id = ?", member_session_id,
		      session_load, ret);
}

int se_store_session_insert(se_db *db, const se_session *s)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO sessions (" SESSION_COLS ") VALUES (?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, s->session_token);
	bind(st, 2, s->member_session_id);
	bind(st, 3, s->member_id);
	bind(st, 4, s->started_at);
	bind(st, 5, s->expires_at);
	return step_done(st);
}

int se_store_session_delete(se_db *db, const char *session_token)
{
	sqlite3_stmt *st = se_db_stmt(db, "DELETE FROM sessions WHERE session_token = ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, session_token, -1, SQLITE_STATIC);
	int r = step_done(st);
	if (r == 0 && sqlite3_changes(se_db_handle(db)) == 0)
		return SE_ENOTFOUND;
	return r;
}

int se_store_session_each(se_db *db, int (*fn)(const se_session *s, void *ctx), void *ctx)
{
	return each(db, "SELECT " SESSION_COLS " FROM sessions ORDER BY rowid", session_load, session_release_v,
		    (int (*)(const void *, void *))fn, ctx);
}

/* --- SCIM groups ------------------------------------------------------------------------------ */

#define GROUP_COLS "group_id, organization_id, connection_id, group_name"

void se_scim_group_release(se_scim_group *g)
{
	if (!g)
		return;
	free(g->group_id);
	free(g->organization_id);
	free(g->connection_id);
	free(g->group_name);
	memset(g, 0, sizeof *g);
}

static int group_load(sqlite3_stmt *st, void *v)
{
	se_scim_group *g = v;
	memset(g, 0, sizeof *g);
	g->group_id = se_db_col_text(st, 0);
	g->organization_id = se_db_col_text(st, 1);
	g->connection_id = se_db_col_text(st, 2);
	g->group_name = se_db_col_text(st, 3);
	if (!g->group_id || !g->organization_id || !g->connection_id || !g->group_name) {
		se_scim_group_release(g);
		return SE_ENOMEM;
	}
	return 0;
}

static void group_release_v(void *g)
{
	se_scim_group_release(g);
}

int se_store_scim_group_insert(se_db *db, const se_scim_group *g)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO scim_groups (" GROUP_COLS ") VALUES (?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, g->group_id);
	bind(st, 2, g->organization_id);
	bind(st, 3, g->connection_id);
	bind(st, 4, g->group_name);
	return step_done(st);
}

int se_store_scim_group_name(se_db *db, const char *connection_id, const char *group_id, char **ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT group_name FROM scim_groups WHERE connection_id = ? AND group_id = ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, connection_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, group_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), r = 0;
	if (rc == SQLITE_ROW) {
		char *name = se_db_col_text(st, 0);
		if (name)
			*ret = name;
		else
			r = SE_ENOMEM;
	} else {
		r = rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	}
	sqlite3_reset(st);
	return r;
}

int se_store_scim_group_page(se_db *db, const char *connection_id, const char *after, int limit, json_t *arr,
			     bool *ret_more)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT " GROUP_COLS " FROM scim_groups WHERE connection_id = ?1 "
					  "AND group_id > ?2 ORDER BY group_id LIMIT ?3");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, connection_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, after ? after : "", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, limit + 1);
	int rc, n = 0, r = 0;
	bool more = false;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == limit) {
			more = true;
			break;
		}
		json_t *g = json_pack("{s:s, s:s, s:s, s:s}", "group_id", sqlite3_column_text(st, 0), "group_name",
				      sqlite3_column_text(st, 3), "organization_id", sqlite3_column_text(st, 1),
				      "connection_id", sqlite3_column_text(st, 2));
		if (!g || json_array_append_new(arr, g) < 0) {
			r = SE_ENOMEM;
			break;
		}
		n++;
	}
	if (r == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = SE_EDB;
	sqlite3_reset(st);
	if (r == 0)
		*ret_more = more;
	return r;
}

int se_store_scim_group_each(se_db *db, int (*fn)(const se_scim_group *g, void *ctx), void *ctx)
{
	return each(db, "SELECT " GROUP_COLS " FROM scim_groups ORDER BY rowid", group_load, group_release_v,
		    (int (*)(const void *, void *))fn, ctx);
}

/* --- External and SCIM lookups ------------------------------------------------------------------ */

int se_store_external_exists(se_db *db, const char *org_id, const char *target_connection_id, bool *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT 1 FROM external_connections WHERE organization_id = ? AND "
					  "external_connection_id = ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, target_connection_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SE_EDB;
	*ret = rc == SQLITE_ROW;
	return 0;
}

int se_store_sso_target(se_db *db, const char *org_id, const char *id, se_kind_id *ret_kind, json_t **ret_mapping)
{
	static const char *const sql[] = {
		"SELECT attribute_mapping FROM saml_connections WHERE organization_id = ? AND connection_id = ?",
		"SELECT NULL FROM oidc_connections WHERE organization_id = ? AND connection_id = ?",
	};
	static const se_kind_id kinds[] = {SE_KIND_SAML, SE_KIND_OIDC};
	for (size_t i = 0; i < 2; i++) {
		sqlite3_stmt *st = se_db_stmt(db, sql[i]);
		if (!st)
			return SE_EDB;
		sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
		int rc = sqlite3_step(st);
		if (rc == SQLITE_DONE) {
			sqlite3_reset(st);
			continue;
		}
		json_t *mapping = NULL;
		if (rc == SQLITE_ROW && kinds[i] == SE_KIND_SAML && !(mapping = se_db_col_json(st, 0)))
			rc = SQLITE_NOMEM;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return SE_EDB;
		*ret_kind = kinds[i];
		*ret_mapping = mapping;
		return 0;
	}
	return SE_ENOTFOUND;
}

int se_store_external_delete_by_target(se_db *db, const char *target_connection_id, int *ret_count)
{
	sqlite3_stmt *st = se_db_stmt(db, "DELETE FROM external_connections WHERE external_connection_id = ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, target_connection_id, -1, SQLITE_STATIC);
	int r = step_done(st);
	if (r == 0)
		*ret_count = sqlite3_changes(se_db_handle(db));
	return r;
}

int se_store_scim_by_org(se_db *db, const char *org_id, se_scim *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT connection_id FROM scim_connections WHERE organization_id = ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(st);
		return rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	}
	char *id = se_db_col_text(st, 0);
	sqlite3_reset(st);
	if (!id)
		return SE_ENOMEM;
	int r = se_store_conn_get(db, se_kind_get(SE_KIND_SCIM), org_id, id, ret);
	free(id);
	return r;
}
