/* SQLite connections (one per server thread), migrations, cached statements and transactions. */
#include "store/store.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "store/cache.h"
#include "store/rows.h"
#include "util/errors_code.h"
#include "util/util.h"

extern const char *const se_schema_sql[];
extern const char *const se_schema_sql_names[];

#define STMT_CACHE 128
/* About 40 MB of WAL at 4 kB pages. */
#define WAL_CHECKPOINT_PAGES 10000

struct se_db {
	sqlite3 *h;
	se_store *store;
	se_db *next;
	bool in_tx;
	bool loose_write; /* a row changed outside a transaction since the last statement (see row_changed()) */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
};

static void row_changed(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 rowid);

struct se_store {
	char *uri;
	pthread_key_t key;
	pthread_mutex_t write_lock;
	pthread_mutex_t list_lock;
	se_db *all;
	se_db *main;
};

/* A migration's number is the leading number of its file name (003_scim.sql is 3), so that the
 * version a database records does not depend on which other migrations a build holds. */
static int migration_number(int i)
{
	return atoi(se_schema_sql_names[i]);
}

int se_store_schema_version(void)
{
	int n = 0;
	while (se_schema_sql[n])
		n++;
	return n ? migration_number(n - 1) : 0;
}

static void db_free(se_db *db)
{
	for (size_t i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(db->cache[i].st);
	sqlite3_close(db->h);
	free(db);
}

static void list_remove(se_store *s, se_db *db)
{
	pthread_mutex_lock(&s->list_lock);
	for (se_db **p = &s->all; *p; p = &(*p)->next) {
		if (*p == db) {
			*p = db->next;
			break;
		}
	}
	pthread_mutex_unlock(&s->list_lock);
}

/* Runs when a server thread ends: its connection goes with it. */
static void thread_db_destroy(void *v)
{
	se_db *db = v;
	list_remove(db->store, db);
	db_free(db);
}

/* Waits for a lock another connection holds. A :memory: (memdb) database has no WAL: a commit waits
 * for the readers to finish and new readers wait for the commit, each for microseconds, while
 * SQLite's own handler sleeps whole milliseconds and leaves the server idle. So yield first, then
 * sleep in short steps; give up after about 10 s, as before. */
static int busy_wait(void *arg, int count)
{
	(void)arg;
	if (count < 200) {
		sched_yield();
		return 1;
	}
	struct timespec step = {0, 100 * 1000};
	nanosleep(&step, NULL);
	return count < 200 + 100000;
}

static int db_new(se_store *s, se_db **ret)
{
	se_db *db = calloc(1, sizeof *db);
	if (!db)
		return SE_ENOMEM;
	db->store = s;
	int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
	if (sqlite3_open_v2(s->uri, &db->h, flags, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_busy_handler(db->h, busy_wait, NULL);
	sqlite3_update_hook(db->h, row_changed, db);
	/* A file database checkpoints its WAL every WAL_CHECKPOINT_PAGES pages instead of every 1000:
	 * each checkpoint syncs the disk inside a commit, which every writer then waits for. */
	sqlite3_wal_autocheckpoint(db->h, WAL_CHECKPOINT_PAGES);
	/* synchronous is per connection: every thread's connection, not only the main one, gets the
	 * NORMAL of WAL mode that se_store_open explains (no effect on :memory:). */
	if (sqlite3_exec(db->h, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	pthread_mutex_lock(&s->list_lock);
	db->next = s->all;
	s->all = db;
	pthread_mutex_unlock(&s->list_lock);
	*ret = db;
	return 0;
fail:
	db_free(db);
	return SE_EDB;
}

static int migrate(se_store *s, const char *path, bool *ret_fresh, char **ret_error)
{
	sqlite3 *h = s->main->h;
	sqlite3_stmt *st = NULL;
	int version = 0, tables = 0, r = SE_EDB;

	if (sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto db_error;
	version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		goto db_error;
	tables = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	st = NULL;

	int latest = se_store_schema_version();
	if (version > latest) {
		*ret_error = se_asprintf("database %s has schema version %d, newer than this program's %d", path, version,
					 latest);
		return SE_EINVAL;
	}
	if (version == 0 && tables > 0) {
		*ret_error = se_asprintf("database %s is not an ssoemu database (it has tables but no schema version)", path);
		return SE_EINVAL;
	}
	for (int i = 0; se_schema_sql[i]; i++) {
		if (migration_number(i) <= version)
			continue;
		char pragma[64];
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %d", migration_number(i));
		if (sqlite3_exec(h, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
			goto db_error;
		if (sqlite3_exec(h, se_schema_sql[i], NULL, NULL, NULL) != SQLITE_OK ||
		    sqlite3_exec(h, pragma, NULL, NULL, NULL) != SQLITE_OK) {
			*ret_error = se_asprintf("database %s: migration %s failed: %s", path, se_schema_sql_names[i],
						 sqlite3_errmsg(h));
			sqlite3_exec(h, "ROLLBACK", NULL, NULL, NULL);
			return SE_EDB;
		}
		if (sqlite3_exec(h, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
			goto db_error;
	}
	*ret_fresh = version == 0;
	return 0;
db_error:
	sqlite3_finalize(st);
	*ret_error = se_asprintf("database %s: %s", path, sqlite3_errmsg(h));
	return r;
}

/* Process-wide SQLite settings, before its first use. Memory statistics take a global mutex on every
 * allocation, which the server threads would otherwise all queue on. */
static void sqlite_config(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int se_store_open(const char *path, se_store **ret, bool *ret_fresh, char **ret_error)
{
	static atomic_uint counter;
	static pthread_once_t config_once = PTHREAD_ONCE_INIT;
	pthread_once(&config_once, sqlite_config);
	se_store *s = calloc(1, sizeof *s);
	bool fresh = false;
	int r = SE_ENOMEM;
	*ret_error = NULL;
	se_cache_invalidate();
	if (!s)
		goto fail;
	pthread_mutex_init(&s->write_lock, NULL);
	pthread_mutex_init(&s->list_lock, NULL);
	if (pthread_key_create(&s->key, thread_db_destroy) != 0) {
		free(s);
		s = NULL;
		goto fail;
	}
	bool memory = strcmp(path, ":memory:") == 0;
	if (memory) {
		/* A memdb database whose name starts with '/' is shared by every connection of the
		 * process, so each server thread can have its own connection to it. */
		s->uri = se_asprintf("file:/ssoemu-%ld-%u?vfs=memdb", (long)getpid(), atomic_fetch_add(&counter, 1));
	} else {
		char *enc = sqlite3_mprintf("%s", path);
		s->uri = enc ? se_asprintf("file:%s", enc) : NULL;
		sqlite3_free(enc);
		/* A literal '?' or '#' in a path would start a URI query: open those by plain path. */
		if (s->uri && strpbrk(path, "?#%")) {
			free(s->uri);
			s->uri = strdup(path);
		}
	}
	if (!s->uri)
		goto fail;
	r = db_new(s, &s->main);
	if (r < 0) {
		*ret_error = se_asprintf("cannot open database %s", path);
		goto fail;
	}
	if (!memory) {
		char *mode = NULL;
		sqlite3_stmt *st = NULL;
		if (sqlite3_prepare_v2(s->main->h, "PRAGMA journal_mode = WAL", -1, &st, NULL) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			mode = se_strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
		bool wal = mode && strcmp(mode, "wal") == 0;
		free(mode);
		/* NORMAL in WAL mode: a committed write survives the process being killed (the OS
		 * still holds it); only a power loss can drop the last transactions. */
		if (!wal || sqlite3_exec(s->main->h, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK) {
			*ret_error = se_asprintf("database %s: cannot use WAL mode: %s", path, sqlite3_errmsg(s->main->h));
			r = SE_EDB;
			goto fail;
		}
	}
	r = migrate(s, path, &fresh, ret_error);
	if (r < 0)
		goto fail;
	*ret = s;
	*ret_fresh = fresh;
	return 0;
fail:
	if (r == SE_ENOMEM && !*ret_error)
		*ret_error = strdup("out of memory");
	se_store_close(s);
	return r;
}

void se_store_close(se_store *s)
{
	if (!s)
		return;
	se_cache_clear();
	se_rows_clear();
	se_cache_invalidate();
	pthread_key_delete(s->key);
	/* The main connection goes last: a memdb database lives as long as one connection does. */
	se_db *main = s->main;
	while (s->all) {
		se_db *db = s->all;
		s->all = db->next;
		if (db != main)
			db_free(db);
	}
	if (main)
		db_free(main);
	pthread_mutex_destroy(&s->write_lock);
	pthread_mutex_destroy(&s->list_lock);
	free(s->uri);
	free(s);
}

se_db *se_store_db(se_store *s)
{
	se_db *db = pthread_getspecific(s->key);
	if (db)
		return db;
	if (db_new(s, &db) < 0)
		return NULL;
	if (pthread_setspecific(s->key, db) != 0) {
		list_remove(s, db);
		db_free(db);
		return NULL;
	}
	return db;
}

/* SQLite's update hook. Writes belong in transactions (se_db_commit() makes the caches stale), but one made outside
 * them (autocommit) must not leave the caches serving old rows either: they are made stale now and again at this
 * connection's next statement, once the write is committed. */
static void row_changed(void *arg, int op, const char *dbname, const char *table, sqlite3_int64 rowid)
{
	(void)op;
	(void)dbname;
	(void)table;
	(void)rowid;
	se_db *db = arg;
	if (!db->in_tx) {
		db->loose_write = true;
		se_cache_invalidate();
	}
}

/* The cache slot that holds sql, or else the first free one on its probe sequence; -1 when the cache is full. */
static int cache_slot(const se_db *db, const char *sql)
{
	size_t h = ((uintptr_t)sql >> 3) % STMT_CACHE;
	for (size_t i = 0; i < STMT_CACHE; i++) {
		size_t at = (h + i) % STMT_CACHE;
		if (db->cache[at].sql == sql || !db->cache[at].sql)
			return (int)at;
	}
	return -1;
}

sqlite3_stmt *se_db_stmt(se_db *db, const char *sql)
{
	if (db->loose_write) {
		/* The write that row_changed() saw is committed by now. */
		db->loose_write = false;
		se_cache_invalidate();
	}
	int at = cache_slot(db, sql);
	if (at < 0)
		return NULL;
	if (db->cache[at].sql == sql) {
		sqlite3_reset(db->cache[at].st);
		sqlite3_clear_bindings(db->cache[at].st);
		return db->cache[at].st;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
		return NULL;
	db->cache[at].sql = sql;
	db->cache[at].st = st;
	return st;
}

sqlite3_stmt *se_db_stmt_idle(se_db *db, const char *sql)
{
	int at = cache_slot(db, sql);
	if (at >= 0 && db->cache[at].sql == sql && sqlite3_stmt_busy(db->cache[at].st))
		return NULL;
	return se_db_stmt(db, sql);
}

sqlite3 *se_db_handle(se_db *db)
{
	return db->h;
}

/* Runs a statement without result rows from the statement cache: BEGIN and COMMIT run on every
 * write, and sqlite3_exec would parse them each time. */
static int exec_cached(se_db *db, const char *sql)
{
	sqlite3_stmt *st = se_db_stmt(db, sql);
	if (!st)
		return SQLITE_ERROR;
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

se_store *se_db_store(se_db *db)
{
	return db->store;
}

bool se_db_in_tx(const se_db *db)
{
	return db->in_tx;
}

int se_db_begin(se_db *db)
{
	pthread_mutex_lock(&db->store->write_lock);
	if (exec_cached(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
		pthread_mutex_unlock(&db->store->write_lock);
		return SE_EDB;
	}
	db->in_tx = true;
	return 0;
}

int se_db_commit(se_db *db)
{
	int r = exec_cached(db, "COMMIT") == SQLITE_OK ? 0 : SE_EDB;
	if (r < 0)
		exec_cached(db, "ROLLBACK");
	/* After the commit, so that whoever sees the new generation also sees the new rows. */
	se_cache_invalidate();
	db->in_tx = false;
	pthread_mutex_unlock(&db->store->write_lock);
	return r;
}

void se_db_rollback(se_db *db)
{
	if (!db->in_tx)
		return;
	exec_cached(db, "ROLLBACK");
	db->in_tx = false;
	pthread_mutex_unlock(&db->store->write_lock);
}

int se_db_exec(se_db *db, const char *sql, ...)
{
	sqlite3_stmt *st = se_db_stmt(db, sql);
	if (!st)
		return SE_EDB;
	va_list ap;
	va_start(ap, sql);
	const char *v;
	for (int i = 1; (v = va_arg(ap, const char *)); i++)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	va_end(ap);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : SE_EDB;
}

char *se_db_col_text(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return strdup(t ? t : "");
}

json_t *se_db_col_json(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);
	return t ? json_loads(t, 0, NULL) : NULL;
}

int se_db_bind_json(sqlite3_stmt *st, int i, const json_t *v)
{
	char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (!text)
		return SE_ENOMEM;
	sqlite3_bind_text(st, i, text, -1, free);
	return 0;
}

int se_store_clear(se_db *db)
{
	static const char *const sql[] = {
		/* Sign-in (SIGNIN.md): tables no foreign key empties. */
		"DELETE FROM saml_replay",       "DELETE FROM signin_settings",
		"DELETE FROM scim_users",       "DELETE FROM scim_groups",      "DELETE FROM scim_connections",
		"DELETE FROM external_connections", "DELETE FROM oidc_connections", "DELETE FROM saml_connections",
		"DELETE FROM sessions",         "DELETE FROM members",          "DELETE FROM organizations",
		"DELETE FROM project",
	};
	for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
		if (se_db_exec(db, sql[i], NULL) < 0)
			return SE_EDB;
	return 0;
}
