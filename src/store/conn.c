/* Queries shared by the four connection kinds, generated once from their field tables. */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "store/store.h"

enum { Q_GET, Q_GET_ANY, Q_INSERT, Q_UPDATE, Q_DELETE, Q_LIST, Q_LIST_ALL, Q__COUNT };

static char sql[SE_KIND__COUNT][Q__COUNT][2048];
static pthread_once_t sql_once = PTHREAD_ONCE_INIT;

static void append(char *buf, const char *s)
{
	strncat(buf, s, 2047 - strlen(buf));
}

static void build_kind(const se_kind *k, char q[Q__COUNT][2048])
{
	char cols[1024] = "", marks[512] = "", sets[1536] = "";
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		if (i) {
			append(cols, ", ");
			append(marks, ", ");
		}
		append(cols, f->column);
		append(marks, "?");
		if (!(f->flags & SE_FIELD_KEY)) {
			if (sets[0])
				append(sets, ", ");
			append(sets, f->column);
			append(sets, " = ?");
		}
	}
	snprintf(q[Q_GET], 2048, "SELECT %s FROM %s WHERE organization_id = ?1 AND connection_id = ?2", cols, k->table);
	snprintf(q[Q_GET_ANY], 2048, "SELECT %s FROM %s WHERE connection_id = ?2", cols, k->table);
	snprintf(q[Q_INSERT], 2048, "INSERT INTO %s (%s) VALUES (%s)", k->table, cols, marks);
	/* The key fields come first in every table, so the SET list binds from ?1 and the keys follow. */
	snprintf(q[Q_UPDATE], 2048, "UPDATE %s SET %s WHERE connection_id = ? AND organization_id = ?", k->table, sets);
	snprintf(q[Q_DELETE], 2048, "DELETE FROM %s WHERE organization_id = ?1 AND connection_id = ?2", k->table);
	snprintf(q[Q_LIST], 2048, "SELECT %s FROM %s WHERE organization_id = ?1 ORDER BY rowid", cols, k->table);
	snprintf(q[Q_LIST_ALL], 2048, "SELECT %s FROM %s ORDER BY rowid", cols, k->table);
}

static void build_all(void)
{
	for (int i = 0; i < SE_KIND__COUNT; i++)
		build_kind(se_kind_get((se_kind_id)i), sql[i]);
}

static const char *query(const se_kind *k, int q)
{
	pthread_once(&sql_once, build_all);
	return sql[k->id][q];
}

static int load_row(const se_kind *k, sqlite3_stmt *st, void *obj)
{
	memset(obj, 0, k->size);
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		void *at = (char *)obj + f->offset;
		switch (f->type) {
		case SE_FIELD_TEXT:
			if (!(*(char **)at = se_db_col_text(st, (int)i)))
				goto fail;
			break;
		case SE_FIELD_BOOL:
			*(bool *)at = sqlite3_column_int(st, (int)i) != 0;
			break;
		case SE_FIELD_JSON:
			if (!(*(json_t **)at = se_db_col_json(st, (int)i)))
				goto fail;
			break;
		}
	}
	return 0;
fail:
	se_conn_release(k, obj);
	return SE_ENOMEM;
}

static int bind_field(sqlite3_stmt *st, int at, const se_field *f, const void *obj)
{
	const void *v = (const char *)obj + f->offset;
	switch (f->type) {
	case SE_FIELD_TEXT: {
		const char *s = *(char *const *)v;
		return sqlite3_bind_text(st, at, s ? s : "", -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : SE_EDB;
	}
	case SE_FIELD_BOOL:
		return sqlite3_bind_int(st, at, *(const bool *)v ? 1 : 0) == SQLITE_OK ? 0 : SE_EDB;
	case SE_FIELD_JSON: {
		const json_t *j = *(json_t *const *)v;
		if (!j)
			return sqlite3_bind_text(st, at, f->json_default, -1, SQLITE_STATIC) == SQLITE_OK ? 0 : SE_EDB;
		return se_db_bind_json(st, at, j);
	}
	}
	return SE_EINVAL;
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_CONSTRAINT)
		return SE_ECONFLICT;
	return rc == SQLITE_DONE ? 0 : SE_EDB;
}

int se_store_conn_get(se_db *db, const se_kind *k, const char *org_id, const char *id, void *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, query(k, org_id ? Q_GET : Q_GET_ANY));
	if (!st)
		return SE_EDB;
	if (org_id)
		sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int rc = sqlite3_step(st), r;
	if (rc == SQLITE_ROW)
		r = load_row(k, st, ret);
	else
		r = rc == SQLITE_DONE ? SE_ENOTFOUND : SE_EDB;
	sqlite3_reset(st);
	return r;
}

int se_store_conn_insert(se_db *db, const se_kind *k, const void *obj)
{
	sqlite3_stmt *st = se_db_stmt(db, query(k, Q_INSERT));
	if (!st)
		return SE_EDB;
	for (size_t i = 0; i < k->n_fields; i++)
		if (bind_field(st, (int)i + 1, &k->fields[i], obj) < 0)
			return SE_EDB;
	return step_done(st);
}

int se_store_conn_update(se_db *db, const se_kind *k, const void *obj)
{
	sqlite3_stmt *st = se_db_stmt(db, query(k, Q_UPDATE));
	if (!st)
		return SE_EDB;
	int at = 1;
	const se_field *key_id = NULL, *key_org = NULL;
	for (size_t i = 0; i < k->n_fields; i++) {
		const se_field *f = &k->fields[i];
		if (f->flags & SE_FIELD_KEY) {
			if (strcmp(f->column, "connection_id") == 0)
				key_id = f;
			else
				key_org = f;
			continue;
		}
		if (bind_field(st, at++, f, obj) < 0)
			return SE_EDB;
	}
	if (bind_field(st, at++, key_id, obj) < 0 || bind_field(st, at, key_org, obj) < 0)
		return SE_EDB;
	int r = step_done(st);
	if (r == 0 && sqlite3_changes(se_db_handle(db)) == 0)
		return SE_ENOTFOUND;
	return r;
}

int se_store_conn_delete(se_db *db, const se_kind *k, const char *org_id, const char *id)
{
	sqlite3_stmt *st = se_db_stmt(db, query(k, Q_DELETE));
	if (!st)
		return SE_EDB;
	sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	int r = step_done(st);
	if (r == 0 && sqlite3_changes(se_db_handle(db)) == 0)
		return SE_ENOTFOUND;
	return r;
}

int se_store_conn_each(se_db *db, const se_kind *k, const char *org_id, int (*fn)(void *obj, void *ctx), void *ctx)
{
	/* The cached statement, unless it is already iterating (fn may run queries of the same kind):
	 * then a statement of its own. */
	const char *sql = query(k, org_id ? Q_LIST : Q_LIST_ALL);
	sqlite3_stmt *st = se_db_stmt_idle(db, sql);
	bool own = !st;
	if (own && sqlite3_prepare_v2(se_db_handle(db), sql, -1, &st, NULL) != SQLITE_OK)
		return SE_EDB;
	if (org_id)
		sqlite3_bind_text(st, 1, org_id, -1, SQLITE_STATIC);
	int r = 0, rc;
	union {
		se_saml saml;
		se_oidc oidc;
		se_external external;
		se_scim scim;
	} obj;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((r = load_row(k, st, &obj)) < 0)
			break;
		r = fn(&obj, ctx);
		se_conn_release(k, &obj);
		if (r != 0)
			break;
	}
	if (r == 0 && rc != SQLITE_DONE)
		r = SE_EDB;
	if (own)
		sqlite3_finalize(st);
	else
		sqlite3_reset(st);
	return r;
}
