/* Unit tests for store/: opening (:memory: and files), migrations and the schema version check,
 * connections of every kind through their field tables, transactions and per-thread connections. */
#include <check.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/errors_code.h"
#include "model/model.h"
#include "store/store.h"
#include "testutil.h"
#include "util/util.h"

static int scalar_int(se_db *db, const char *sql)
{
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(se_db_handle(db), sql, -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	int v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static char tmpdir[64];

static void tmp_setup(void)
{
	t_tmpdir_make(tmpdir, sizeof tmpdir, "store");
}

static void tmp_teardown(void)
{
	t_tmpdir_remove(tmpdir);
}

START_TEST(test_open_memory)
{
	se_db *db;
	se_store *s = t_store(false, &db);
	ck_assert_int_ge(se_store_schema_version(), 1);
	ck_assert_int_eq(scalar_int(db, "PRAGMA user_version"), se_store_schema_version());
	static const char *const tables[] = {
	    "project",          "organizations",        "members",          "sessions",   "saml_connections",
	    "oidc_connections", "external_connections", "scim_connections", "scim_groups"};
	for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '%s'",
		         tables[i]);
		ck_assert_msg(scalar_int(db, sql) == 1, "table %s missing", tables[i]);
	}
	ck_assert_int_eq(scalar_int(db, "PRAGMA foreign_keys"), 1);
	/* Nothing in it yet. */
	se_project *p = NULL;
	ck_assert_int_eq(se_store_project_get(db, &p), SE_ENOTFOUND);
	se_store_close(s);
	se_store_close(NULL);
}
END_TEST

START_TEST(test_memory_stores_are_private)
{
	se_db *a_db, *b_db;
	se_store *a = t_store(true, &a_db);
	se_store *b = t_store(false, &b_db);
	se_org o;
	ck_assert_int_eq(se_store_org_get(a_db, T_ORG_ACME, false, &o), 0);
	se_org_release(&o);
	ck_assert_int_eq(se_store_org_get(b_db, T_ORG_ACME, false, &o), SE_ENOTFOUND);
	se_store_close(a);
	se_store_close(b);
}
END_TEST

START_TEST(test_open_file)
{
	char path[128], *err = NULL;
	snprintf(path, sizeof path, "%s/state.db", tmpdir);
	se_store *s = NULL;
	bool fresh = false;
	ck_assert_int_eq(se_store_open(path, &s, &fresh, &err), 0);
	ck_assert(fresh);
	se_db *db = se_store_db(s);
	ck_assert_int_eq(scalar_int(db, "PRAGMA user_version"), se_store_schema_version());
	se_org org = {.organization_id = (char *)"organization-test-file",
	              .organization_slug = (char *)"file",
	              .organization_name = (char *)"File",
	              .created_at = (char *)"2026-01-01T00:00:00Z"};
	org.email_allowed_domains = json_array();
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_org_insert(db, &org), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	json_decref(org.email_allowed_domains);
	se_store_close(s);
	ck_assert_int_eq(access(path, F_OK), 0);

	/* Reopened: not fresh, the data is there, nothing migrated twice. */
	s = NULL;
	ck_assert_int_eq(se_store_open(path, &s, &fresh, &err), 0);
	ck_assert(!fresh);
	db = se_store_db(s);
	se_org got;
	ck_assert_int_eq(se_store_org_get(db, "file", true, &got), 0);
	ck_assert_str_eq(got.organization_id, "organization-test-file");
	ck_assert_str_eq(got.organization_name, "File");
	se_org_release(&got);
	se_store_close(s);
}
END_TEST

/* Makes a database file with the given user_version and one table (or none). */
static void make_db(const char *path, int version, bool table)
{
	sqlite3 *h = NULL;
	char sql[128];
	ck_assert_int_eq(sqlite3_open(path, &h), SQLITE_OK);
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", version);
	ck_assert_int_eq(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
	if (table)
		ck_assert_int_eq(sqlite3_exec(h, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
}

/* Expects opening path to fail with a message that names the file; returns the message (caller frees). */
static char *expect_open_refused(const char *path)
{
	se_store *s = NULL;
	bool fresh = false;
	char *err = NULL;
	ck_assert_int_lt(se_store_open(path, &s, &fresh, &err), 0);
	ck_assert_ptr_null(s);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, path) != NULL, "message does not name the file: %s", err);
	return err;
}

START_TEST(test_newer_schema_refused)
{
	char path[128];
	snprintf(path, sizeof path, "%s/newer.db", tmpdir);
	make_db(path, se_store_schema_version() + 1, true);
	char *err = expect_open_refused(path);
	ck_assert_msg(strstr(err, "newer") != NULL, "message does not say why: %s", err);
	free(err);
}
END_TEST

START_TEST(test_foreign_db_refused)
{
	char path[128];
	snprintf(path, sizeof path, "%s/foreign.db", tmpdir);
	make_db(path, 0, true);
	free(expect_open_refused(path));
}
END_TEST

START_TEST(test_unopenable_file)
{
	char path[160];
	snprintf(path, sizeof path, "%s/no/such/dir/x.db", tmpdir);
	free(expect_open_refused(path));
}
END_TEST

static se_saml saml_new(const char *id, const char *org)
{
	se_saml c = {0};
	c.connection_id = strdup(id);
	c.organization_id = strdup(org);
	c.display_name = strdup("Unit SAML");
	c.identity_provider = strdup("okta");
	c.idp_initiated_auth_disabled = true;
	c.attribute_mapping = json_pack("{s:s}", "email", "mail");
	c.verification_certificates = json_pack("[{s:s}]", "certificate_id", "v1");
	ck_assert_int_eq(se_conn_fill_defaults(se_kind_get(SE_KIND_SAML), &c), 0);
	return c;
}

START_TEST(test_conn_crud)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	se_saml c = saml_new("saml-connection-test-unit", T_ORG_ACME), got;

	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, k, &c), 0);
	ck_assert_int_eq(se_db_commit(db), 0);

	ck_assert_int_eq(se_store_conn_get(db, k, T_ORG_ACME, "saml-connection-test-unit", &got), 0);
	ck_assert_str_eq(got.display_name, "Unit SAML");
	ck_assert_str_eq(got.identity_provider, "okta");
	ck_assert_str_eq(got.idp_sso_url, "");
	ck_assert(got.idp_initiated_auth_disabled);
	ck_assert(!got.allow_gateway_callback);
	ck_assert(json_equal(got.attribute_mapping, c.attribute_mapping));
	ck_assert(json_equal(got.verification_certificates, c.verification_certificates));
	ck_assert_uint_eq(json_array_size(got.signing_certificates), 0);
	ck_assert(json_is_array(got.connection_role_assignments));
	se_conn_release(k, &got);

	/* Another organization's connection is not found; NULL means any organization. */
	ck_assert_int_eq(se_store_conn_get(db, k, T_ORG_GLOBEX, "saml-connection-test-unit", &got), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_conn_get(db, k, NULL, "saml-connection-test-unit", &got), 0);
	se_conn_release(k, &got);
	/* Another kind's table does not have it. */
	se_oidc o;
	ck_assert_int_eq(se_store_conn_get(db, se_kind_get(SE_KIND_OIDC), T_ORG_ACME, "saml-connection-test-unit", &o),
	                 SE_ENOTFOUND);

	/* Update rewrites the non-key fields. */
	free(c.display_name);
	c.display_name = strdup("Renamed");
	json_decref(c.group_role_assignments);
	c.group_role_assignments = json_pack("[{s:s, s:s}]", "role_id", "stytch_admin", "group", "g");
	c.idp_initiated_auth_disabled = false;
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_update(db, k, &c), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(se_store_conn_get(db, k, T_ORG_ACME, "saml-connection-test-unit", &got), 0);
	ck_assert_str_eq(got.display_name, "Renamed");
	ck_assert(!got.idp_initiated_auth_disabled);
	ck_assert(json_equal(got.group_role_assignments, c.group_role_assignments));
	ck_assert_str_eq(got.organization_id, T_ORG_ACME);
	se_conn_release(k, &got);

	/* A duplicate id is a conflict. */
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, k, &c), SE_ECONFLICT);
	se_db_rollback(db);

	/* Update and delete of what is not there. */
	se_saml ghost = saml_new("saml-connection-test-ghost", T_ORG_ACME);
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_update(db, k, &ghost), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_conn_delete(db, k, T_ORG_GLOBEX, "saml-connection-test-unit"), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_conn_delete(db, k, T_ORG_ACME, "saml-connection-test-unit"), 0);
	ck_assert_int_eq(se_store_conn_delete(db, k, T_ORG_ACME, "saml-connection-test-unit"), SE_ENOTFOUND);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(se_store_conn_get(db, k, NULL, "saml-connection-test-unit", &got), SE_ENOTFOUND);

	se_conn_release(k, &ghost);
	se_conn_release(k, &c);
	se_store_close(s);
}
END_TEST

typedef struct collect {
	const se_kind *k;
	json_t *ids;
	int stop_after;
} collect;

static int collect_one(void *obj, void *ctx)
{
	collect *c = ctx;
	json_array_append_new(c->ids, json_string(se_conn_text(c->k, obj, "connection_id")));
	return c->stop_after && (int)json_array_size(c->ids) >= c->stop_after ? 1 : 0;
}

START_TEST(test_conn_each)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	static const char *const ids[] = {"saml-connection-test-3", "saml-connection-test-1", "saml-connection-test-2"};
	ck_assert_int_eq(se_db_begin(db), 0);
	for (size_t i = 0; i < 3; i++) {
		se_saml c = saml_new(ids[i], T_ORG_ACME);
		ck_assert_int_eq(se_store_conn_insert(db, k, &c), 0);
		se_conn_release(k, &c);
	}
	ck_assert_int_eq(se_db_commit(db), 0);

	/* Creation order, not id order; only the organization asked for. */
	collect c = {k, json_array(), 0};
	ck_assert_int_eq(se_store_conn_each(db, k, T_ORG_ACME, collect_one, &c), 0);
	ck_assert_uint_eq(json_array_size(c.ids), 3);
	for (size_t i = 0; i < 3; i++)
		ck_assert_str_eq(json_string_value(json_array_get(c.ids, i)), ids[i]);
	json_array_clear(c.ids);
	ck_assert_int_eq(se_store_conn_each(db, k, T_ORG_GLOBEX, collect_one, &c), 0);
	ck_assert_uint_eq(json_array_size(c.ids), 1);
	ck_assert_str_eq(json_string_value(json_array_get(c.ids, 0)), T_GLOBEX_SAML);
	json_array_clear(c.ids);
	ck_assert_int_eq(se_store_conn_each(db, k, NULL, collect_one, &c), 0);
	ck_assert_uint_eq(json_array_size(c.ids), 4);
	ck_assert_str_eq(json_string_value(json_array_get(c.ids, 0)), T_GLOBEX_SAML);
	/* A non-zero return stops the walk and is passed on. */
	json_array_clear(c.ids);
	c.stop_after = 2;
	ck_assert_int_eq(se_store_conn_each(db, k, NULL, collect_one, &c), 1);
	ck_assert_uint_eq(json_array_size(c.ids), 2);
	json_decref(c.ids);
	se_store_close(s);
}
END_TEST

START_TEST(test_conn_other_kinds)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	const se_kind *ke = se_kind_get(SE_KIND_EXTERNAL), *ks = se_kind_get(SE_KIND_SCIM),
	              *ko = se_kind_get(SE_KIND_OIDC);

	/* The pending OIDC connection of the fixtures: unset text fields read as "". */
	se_oidc o;
	ck_assert_int_eq(se_store_conn_get(db, ko, T_ORG_GLOBEX, T_GLOBEX_OIDC, &o), 0);
	ck_assert_str_eq(o.display_name, "Globex Google");
	ck_assert_str_eq(o.identity_provider, "google-workspace");
	ck_assert_str_eq(o.client_secret, "");
	ck_assert_str_eq(o.userinfo_url, "");
	se_conn_release(ko, &o);

	se_external e = {0};
	e.connection_id = strdup("external-connection-test-unit");
	e.organization_id = strdup(T_ORG_ACME);
	e.external_organization_id = strdup(T_ORG_GLOBEX);
	e.external_connection_id = strdup(T_GLOBEX_SAML);
	e.connection_role_assignments = json_pack("[{s:s}]", "role_id", "stytch_admin");
	ck_assert_int_eq(se_conn_fill_defaults(ke, &e), 0);

	se_scim sc = {0};
	sc.connection_id = strdup("scim-connection-test-unit");
	sc.organization_id = strdup(T_ORG_ACME);
	sc.identity_provider = strdup("okta");
	sc.bearer_token_hash = strdup("00");
	sc.bearer_token_last_four = strdup("abcd");
	sc.bearer_token_expires_at = strdup("2027-01-01T00:00:00Z");
	ck_assert_int_eq(se_conn_fill_defaults(ks, &sc), 0);

	bool exists = true;
	ck_assert_int_eq(se_store_external_exists(db, T_ORG_ACME, T_GLOBEX_SAML, &exists), 0);
	ck_assert(!exists);
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, ke, &e), 0);
	ck_assert_int_eq(se_store_conn_insert(db, ks, &sc), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(se_store_external_exists(db, T_ORG_ACME, T_GLOBEX_SAML, &exists), 0);
	ck_assert(exists);
	ck_assert_int_eq(se_store_external_exists(db, T_ORG_GLOBEX, T_GLOBEX_SAML, &exists), 0);
	ck_assert(!exists);

	se_external eg;
	ck_assert_int_eq(se_store_conn_get(db, ke, T_ORG_ACME, "external-connection-test-unit", &eg), 0);
	ck_assert_str_eq(eg.external_connection_id, T_GLOBEX_SAML);
	ck_assert(json_equal(eg.connection_role_assignments, e.connection_role_assignments));
	ck_assert_uint_eq(json_array_size(eg.group_role_assignments), 0);
	se_conn_release(ke, &eg);

	/* The SCIM connection of an organization, secret fields included in the stored struct. */
	se_scim sg;
	ck_assert_int_eq(se_store_scim_by_org(db, T_ORG_ACME, &sg), 0);
	ck_assert_str_eq(sg.connection_id, "scim-connection-test-unit");
	ck_assert_str_eq(sg.bearer_token_hash, "00");
	ck_assert_str_eq(sg.next_bearer_token_hash, "");
	se_conn_release(ks, &sg);
	ck_assert_int_eq(se_store_scim_by_org(db, T_ORG_GLOBEX, &sg), SE_ENOTFOUND);
	/* One SCIM connection per organization. */
	free(sc.connection_id);
	sc.connection_id = strdup("scim-connection-test-unit-2");
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, ks, &sc), SE_ECONFLICT);
	/* One External connection per organization and target. */
	free(e.connection_id);
	e.connection_id = strdup("external-connection-test-unit-2");
	ck_assert_int_eq(se_store_conn_insert(db, ke, &e), SE_ECONFLICT);
	se_db_rollback(db);

	/* Deleting by target takes every organization's External connections to it. */
	int n = -1;
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_external_delete_by_target(db, T_GLOBEX_SAML, &n), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(se_store_external_exists(db, T_ORG_ACME, T_GLOBEX_SAML, &exists), 0);
	ck_assert(!exists);

	se_conn_release(ke, &e);
	se_conn_release(ks, &sc);
	se_store_close(s);
}
END_TEST

START_TEST(test_members_sessions)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_member m;
	ck_assert_int_eq(se_store_member_by_email(db, "ALICE@Acme.Test", &m), 0);
	ck_assert_str_eq(m.member_id, T_MEMBER_ALICE);
	se_member_release(&m);
	ck_assert_int_eq(se_store_member_by_email(db, "nobody@acme.test", &m), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_member_get(db, "member-test-nope", &m), SE_ENOTFOUND);

	se_session sess;
	ck_assert_int_eq(se_store_session_by_id(db, "member-session-test-aaaaaaaa-0000-4000-8000-0000000005a1", &sess),
	                 0);
	ck_assert_str_eq(sess.session_token, "session-acme-admin");
	se_session_release(&sess);
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_session_delete(db, "session-acme-admin"), 0);
	ck_assert_int_eq(se_store_session_delete(db, "session-acme-admin"), SE_ENOTFOUND);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(se_store_session_get(db, "session-acme-admin", &sess), SE_ENOTFOUND);

	se_org o;
	ck_assert_int_eq(se_store_org_get(db, "globex", true, &o), 0);
	ck_assert_str_eq(o.organization_id, T_ORG_GLOBEX);
	se_org_release(&o);
	/* Without by_slug a slug is not an id. */
	ck_assert_int_eq(se_store_org_get(db, "globex", false, &o), SE_ENOTFOUND);
	se_store_close(s);
}
END_TEST

START_TEST(test_transaction_rollback)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	const se_kind *k = se_kind_get(SE_KIND_SAML);
	se_saml c = saml_new("saml-connection-test-rolled-back", T_ORG_ACME), got;
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, k, &c), 0);
	ck_assert_int_eq(se_store_conn_delete(db, k, T_ORG_GLOBEX, T_GLOBEX_SAML), 0);
	/* Inside the transaction the writes are visible... */
	ck_assert_int_eq(se_store_conn_get(db, k, NULL, "saml-connection-test-rolled-back", &got), 0);
	se_conn_release(k, &got);
	se_db_rollback(db);
	/* ...and after the rollback none of them happened. */
	ck_assert_int_eq(se_store_conn_get(db, k, NULL, "saml-connection-test-rolled-back", &got), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_conn_get(db, k, T_ORG_GLOBEX, T_GLOBEX_SAML, &got), 0);
	se_conn_release(k, &got);
	/* A rollback outside a transaction does nothing, and the write lock is free again. */
	se_db_rollback(db);
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_conn_insert(db, k, &c), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(se_store_conn_get(db, k, NULL, "saml-connection-test-rolled-back", &got), 0);
	se_conn_release(k, &got);
	se_conn_release(k, &c);

	/* se_store_clear empties everything inside a transaction, and can be rolled back. */
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_clear(db), 0);
	se_org o;
	ck_assert_int_eq(se_store_org_get(db, T_ORG_ACME, false, &o), SE_ENOTFOUND);
	se_db_rollback(db);
	ck_assert_int_eq(se_store_org_get(db, T_ORG_ACME, false, &o), 0);
	se_org_release(&o);
	se_store_close(s);
}
END_TEST

typedef struct thread_arg {
	se_store *store;
	se_db *main_db;
	se_db *db;
	int saw_fixture;
	int inserted;
} thread_arg;

static void *thread_main(void *v)
{
	thread_arg *a = v;
	a->db = se_store_db(a->store);
	if (!a->db)
		return NULL;
	/* The same connection for the same thread. */
	if (se_store_db(a->store) != a->db)
		return NULL;
	se_org o;
	if (se_store_org_get(a->db, T_ORG_ACME, false, &o) == 0) {
		a->saw_fixture = 1;
		se_org_release(&o);
	}
	se_saml c = {0};
	c.connection_id = strdup("saml-connection-test-from-thread");
	c.organization_id = strdup(T_ORG_GLOBEX);
	if (se_conn_fill_defaults(se_kind_get(SE_KIND_SAML), &c) == 0 && se_db_begin(a->db) == 0) {
		if (se_store_conn_insert(a->db, se_kind_get(SE_KIND_SAML), &c) == 0 && se_db_commit(a->db) == 0)
			a->inserted = 1;
		else
			se_db_rollback(a->db);
	}
	se_conn_release(se_kind_get(SE_KIND_SAML), &c);
	return NULL;
}

START_TEST(test_threads)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	ck_assert_ptr_eq(se_store_db(s), db);
	thread_arg a = {.store = s, .main_db = db};
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, thread_main, &a), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_ptr_nonnull(a.db);
	ck_assert_ptr_ne(a.db, db);
	ck_assert_int_eq(a.saw_fixture, 1);
	ck_assert_int_eq(a.inserted, 1);
	/* What the other thread committed is visible here. */
	se_saml got;
	ck_assert_int_eq(
	    se_store_conn_get(db, se_kind_get(SE_KIND_SAML), T_ORG_GLOBEX, "saml-connection-test-from-thread", &got),
	    0);
	se_conn_release(se_kind_get(SE_KIND_SAML), &got);
	se_store_close(s);
}
END_TEST

START_TEST(test_sso_target)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_kind_id kind = SE_KIND_SCIM;
	json_t *mapping = NULL;
	ck_assert_int_eq(se_store_sso_target(db, T_ORG_GLOBEX, T_GLOBEX_SAML, &kind, &mapping), 0);
	ck_assert_int_eq(kind, SE_KIND_SAML);
	ck_assert_str_eq(se_json_str(mapping, "groups"), "groups");
	json_decref(mapping);
	mapping = NULL;
	ck_assert_int_eq(se_store_sso_target(db, T_ORG_GLOBEX, T_GLOBEX_OIDC, &kind, &mapping), 0);
	ck_assert_int_eq(kind, SE_KIND_OIDC);
	ck_assert_ptr_null(mapping);
	/* A connection of another organization is unknown. */
	ck_assert_int_eq(se_store_sso_target(db, T_ORG_ACME, T_GLOBEX_SAML, &kind, &mapping), SE_ENOTFOUND);
	ck_assert_int_eq(se_store_sso_target(db, T_ORG_GLOBEX, "saml-connection-test-none", &kind, &mapping), SE_ENOTFOUND);
	se_store_close(s);
}
END_TEST

START_TEST(test_project)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_project *p = t_project(db);
	ck_assert_str_eq(p->project_id, T_PROJECT_ID);
	ck_assert_str_eq(p->secret, T_SECRET);
	ck_assert_str_eq(p->public_token, T_PUBLIC_TOKEN);
	ck_assert(p->sdk_member_actions_enabled);
	ck_assert(json_is_array(json_object_get(p->rbac_policy, "roles")));
	/* Replacing the row. */
	se_project q = *p;
	q.sdk_member_actions_enabled = false;
	q.public_token = (char *)"public-token-test-other";
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_project_put(db, &q), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	se_project_unref(p);
	p = t_project(db);
	ck_assert(!p->sdk_member_actions_enabled);
	ck_assert_str_eq(p->public_token, "public-token-test-other");
	se_project_unref(p);
	se_store_close(s);
}
END_TEST

static Suite *store_suite(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("memory");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_open_memory);
	tcase_add_test(tc, test_memory_stores_are_private);
	tcase_add_test(tc, test_conn_crud);
	tcase_add_test(tc, test_conn_each);
	tcase_add_test(tc, test_conn_other_kinds);
	tcase_add_test(tc, test_members_sessions);
	tcase_add_test(tc, test_transaction_rollback);
	tcase_add_test(tc, test_threads);
	tcase_add_test(tc, test_project);
	tcase_add_test(tc, test_sso_target);
	suite_add_tcase(s, tc);

	TCase *files = tcase_create("files");
	tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
	tcase_add_test(files, test_open_file);
	tcase_add_test(files, test_newer_schema_refused);
	tcase_add_test(files, test_foreign_db_refused);
	tcase_add_test(files, test_unopenable_file);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(store_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
