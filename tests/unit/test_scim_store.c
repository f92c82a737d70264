/* Unit tests for store/scim.c and the SCIM parts of the fixtures: the migration numbering, the
 * Member email a User yields, roles and their sources from SCIM groups, group renames and deletes in
 * the role assignments, and the loader's checks of scim_users and group members. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/fixtures.h"
#include "store/store.h"
#include "testutil.h"
#include "util/errors_code.h"

#define CONN "scim-connection-test-aaaaaaaa-0000-4000-8000-00000000e009"
#define GROUP_ID "scim-group-test-aaaaaaaa-0000-4000-8000-00000000f001"
#define BOB "member-test-aaaaaaaa-0000-4000-8000-0000000000a2"

START_TEST(test_schema_version)
{
	se_db *db;
	se_store *s = t_store(false, &db);
	/* The version is the number of the last migration file, not their count. */
	ck_assert_int_eq(se_store_schema_version(), 4);
	sqlite3_stmt *st = NULL;
	ck_assert_int_eq(sqlite3_prepare_v2(se_db_handle(db), "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
	ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
	ck_assert_int_eq(sqlite3_column_int(st, 0), 4);
	sqlite3_finalize(st);
	se_store_close(s);
}
END_TEST

static const struct {
	const char *user;
	const char *email; /* NULL: none */
} email_rows[] = {
    {"{\"userName\":\"Dana@Acme.test\"}", "dana@acme.test"},
    {"{\"userName\":\"dana\",\"emails\":[{\"value\":\"h@x.test\",\"type\":\"home\"},{\"value\":\"w@x.test\","
     "\"type\":\"work\"}]}",
     "w@x.test"},
    {"{\"userName\":\"dana\",\"emails\":[{\"value\":\"w@x.test\",\"type\":\"work\"},{\"value\":\"p@x.test\","
     "\"primary\":true}]}",
     "p@x.test"},
    {"{\"userName\":\"u@x.test\",\"emails\":[{\"value\":\"not an email\",\"primary\":true}]}", "u@x.test"},
    {"{\"userName\":\"dana\",\"emails\":[{\"value\":\"a@@x\"}]}", NULL},
    {"{\"userName\":\"@x.test\"}", NULL},
    {"{\"userName\":\"x@\"}", NULL},
    {"{}", NULL},
};

START_TEST(test_derive_email)
{
	json_t *u = json_loads(email_rows[_i].user, 0, NULL);
	char *e = se_store_scim_derive_email(u);
	if (email_rows[_i].email)
		ck_assert_msg(e && strcmp(e, email_rows[_i].email) == 0, "%s gave %s", email_rows[_i].user,
		              e ? e : "NULL");
	else
		ck_assert_msg(!e, "%s gave %s", email_rows[_i].user, e);
	free(e);
	json_decref(u);
}
END_TEST

/* The default fixtures plus a SCIM connection of Acme with Bob as a user in a group that gives
 * sso_manager. */
static json_t *scim_doc(void)
{
	json_t *doc = t_default_fixtures();
	json_t *extra = json_loads(
	    "{\"scim_connections\":[{\"connection_id\":\"" CONN "\",\"organization_id\":\"" T_ORG_ACME
	    "\",\"identity_provider\":\"okta\","
	    "\"bearer_token\":\"tokentokentokentokentokentokentokentokentoken00\","
	    "\"scim_group_implicit_role_assignments\":[{\"role_id\":\"sso_manager\",\"group_id\":\"" GROUP_ID "\","
	    "\"group_name\":\"Eng\"}]}],"
	    "\"scim_users\":[{\"connection_id\":\"" CONN "\",\"member_id\":\"" BOB "\",\"registration_id\":\"reg-1\","
	    "\"created_at\":\"2026-01-01T00:00:00Z\",\"updated_at\":\"2026-01-01T00:00:00Z\",\"resource\":{"
	    "\"userName\":"
	    "\"bob@acme.test\",\"active\":true,\"externalId\":\"ext-bob\",\"name\":{\"givenName\":\"Bob\"}}}],"
	    "\"scim_groups\":[{\"group_id\":\"" GROUP_ID "\",\"connection_id\":\"" CONN "\",\"group_name\":\"Eng\","
	    "\"members\":[\"" BOB "\"]}]}",
	    0, NULL);
	ck_assert_ptr_nonnull(extra);
	ck_assert_int_eq(json_object_update(doc, extra), 0);
	json_decref(extra);
	return doc;
}

static se_store *scim_store(se_db **ret_db)
{
	se_store *s = t_store(false, ret_db);
	json_t *doc = scim_doc();
	char *err = NULL;
	ck_assert_int_eq(se_db_begin(*ret_db), 0);
	int r = se_fixtures_apply(*ret_db, doc, time(NULL), &err);
	ck_assert_msg(r == 0, "%s", err ? err : "?");
	ck_assert_int_eq(se_db_commit(*ret_db), 0);
	json_decref(doc);
	return s;
}

START_TEST(test_roles_from_groups)
{
	se_db *db;
	se_store *s = scim_store(&db);
	se_member m;
	ck_assert_int_eq(se_store_member_get(db, BOB, &m), 0);
	ck_assert_int_eq(json_array_size(m.roles), 0);
	ck_assert_int_eq(se_store_scim_member_complete(db, &m), 0);
	ck_assert_int_eq(json_array_size(m.roles), 1);
	ck_assert_str_eq(json_string_value(json_array_get(m.roles, 0)), "sso_manager");
	ck_assert_uint_eq(m.n_scim_roles, 1);
	json_t *src = json_array_get(m.scim_role_sources, 0);
	ck_assert_str_eq(json_string_value(json_object_get(src, "group_id")), GROUP_ID);
	ck_assert_str_eq(json_string_value(json_object_get(src, "connection_id")), CONN);
	json_t *reg = m.scim_registration;
	ck_assert_str_eq(json_string_value(json_object_get(reg, "registration_id")), "reg-1");
	ck_assert_str_eq(json_string_value(json_object_get(reg, "external_id")), "ext-bob");
	json_t *attrs = json_object_get(reg, "scim_attributes");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(attrs, "name"), "given_name")), "Bob");
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(attrs, "name"), "family_name")), "");
	ck_assert_int_eq(json_array_size(json_object_get(attrs, "emails")), 0);
	se_member_release(&m);

	/* A deactivated member gets nothing from its groups. */
	ck_assert_int_eq(se_store_member_deprovision(db, BOB), 0);
	ck_assert_int_eq(se_store_member_get(db, BOB, &m), 0);
	ck_assert_str_eq(m.status, "deleted");
	ck_assert_int_eq(se_store_scim_member_complete(db, &m), 0);
	ck_assert_int_eq(json_array_size(m.roles), 0);
	se_member_release(&m);
	se_store_close(s);
}
END_TEST

static json_t *assignments(se_db *db)
{
	se_scim c;
	ck_assert_int_eq(se_store_scim_by_org(db, T_ORG_ACME, &c), 0);
	json_t *a = json_incref(c.group_role_assignments);
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);
	return a;
}

START_TEST(test_group_rename_and_delete)
{
	se_db *db;
	se_store *s = scim_store(&db);
	se_scim_group_full g;
	ck_assert_int_eq(se_store_scim_group_get(db, CONN, GROUP_ID, &g), 0);
	ck_assert_int_eq(json_array_size(g.members), 1);
	free(g.group_name);
	g.group_name = strdup("Platform");
	ck_assert_int_eq(se_store_scim_group_put(db, &g), 0);
	se_scim_group_full_release(&g);
	json_t *a = assignments(db);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(a, 0), "group_name")), "Platform");
	json_decref(a);
	char *id = NULL;
	ck_assert_int_eq(se_store_scim_group_by_name(db, CONN, "PLATFORM", &id), 0);
	ck_assert_str_eq(id, GROUP_ID);
	free(id);
	ck_assert_int_eq(se_store_scim_groups_drop_member(db, CONN, BOB), 0);
	ck_assert_int_eq(se_store_scim_group_get(db, CONN, GROUP_ID, &g), 0);
	ck_assert_int_eq(json_array_size(g.members), 0);
	se_scim_group_full_release(&g);
	ck_assert_int_eq(se_store_scim_group_delete(db, CONN, GROUP_ID), 0);
	a = assignments(db);
	ck_assert_int_eq(json_array_size(a), 0);
	json_decref(a);
	ck_assert_int_eq(se_store_scim_group_get(db, CONN, GROUP_ID, &g), SE_ENOTFOUND);
	se_store_close(s);
}
END_TEST

/* Each broken document is refused naming the first problem. */
START_TEST(test_loader_checks)
{
	static const struct {
		const char *path; /* JSON pointer-like edit: which field to break */
		const char *want;
	} rows[] = {
	    {"user_email", "scim_users[0].resource"},           {"user_member", "scim_users[0].member_id"},
	    {"user_connection", "scim_users[0].connection_id"}, {"group_member", "scim_groups[0].members[0]"},
	    {"group_twice", "scim_groups[1].group_name"},       {"status", "members[1].status"},
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		se_db *db;
		se_store *s = t_store(false, &db);
		json_t *doc = scim_doc();
		json_t *user = json_array_get(json_object_get(doc, "scim_users"), 0);
		json_t *groups = json_object_get(doc, "scim_groups");
		if (strcmp(rows[i].path, "user_email") == 0)
			json_object_set_new(json_object_get(user, "resource"), "userName",
			                    json_string("carol@acme.test"));
		else if (strcmp(rows[i].path, "user_member") == 0)
			json_object_set_new(user, "member_id",
			                    json_string("member-test-bbbbbbbb-0000-4000-8000-0000000000b1"));
		else if (strcmp(rows[i].path, "user_connection") == 0)
			json_object_set_new(user, "connection_id", json_string("scim-connection-test-nothing"));
		else if (strcmp(rows[i].path, "group_member") == 0)
			json_array_set_new(json_object_get(json_array_get(groups, 0), "members"), 0,
			                   json_string("member-test-x"));
		else if (strcmp(rows[i].path, "group_twice") == 0)
			json_array_append_new(groups,
			                      json_pack("{s:s, s:s}", "connection_id", CONN, "group_name", "ENG"));
		else
			json_object_set_new(json_array_get(json_object_get(doc, "members"), 1), "status",
			                    json_string("gone"));
		char *err = NULL;
		ck_assert_int_eq(se_db_begin(db), 0);
		ck_assert_int_lt(se_fixtures_apply(db, doc, time(NULL), &err), 0);
		se_db_rollback(db);
		ck_assert_msg(err && strstr(err, rows[i].want), "%s: %s", rows[i].path, err ? err : "(none)");
		free(err);
		json_decref(doc);
		se_store_close(s);
	}
}
END_TEST

static Suite *scim_store_suite(void)
{
	Suite *s = suite_create("scim_store");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_schema_version);
	tcase_add_loop_test(tc, test_derive_email, 0, (int)(sizeof email_rows / sizeof email_rows[0]));
	tcase_add_test(tc, test_roles_from_groups);
	tcase_add_test(tc, test_group_rename_and_delete);
	tcase_add_test(tc, test_loader_checks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scim_store_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
