/* Unit tests for fixtures.c: the built-in default document loads and applies; broken documents
 * are each refused naming the field at fault, and change nothing; unreadable files are named. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/errors_code.h"
#include "store/fixtures.h"
#include "model/model.h"
#include "testutil.h"

static int count_conn(void *obj, void *ctx)
{
	(void)obj;
	(*(int *)ctx)++;
	return 0;
}

static int count_member(const se_member *m, void *ctx)
{
	(void)m;
	(*(int *)ctx)++;
	return 0;
}

static int count_session(const se_session *s, void *ctx)
{
	(void)s;
	(*(int *)ctx)++;
	return 0;
}

static int count_org(const se_org *o, void *ctx)
{
	(void)o;
	(*(int *)ctx)++;
	return 0;
}

START_TEST(test_default_text)
{
	const char *text = se_fixtures_default_text();
	ck_assert_ptr_nonnull(text);
	ck_assert_ptr_nonnull(strstr(text, T_PUBLIC_TOKEN));
	json_t *doc = t_default_fixtures();
	ck_assert(json_is_object(doc));
	ck_assert_str_eq(json_string_value(json_object_get(json_object_get(doc, "project"), "secret")), T_SECRET);
	json_decref(doc);
}
END_TEST

START_TEST(test_default_applies)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_project *p = t_project(db);
	ck_assert_str_eq(p->project_id, T_PROJECT_ID);
	ck_assert(p->sdk_member_actions_enabled);
	se_project_unref(p);

	int n = 0;
	ck_assert_int_eq(se_store_org_each(db, count_org, &n), 0);
	ck_assert_int_eq(n, 2);
	n = 0;
	ck_assert_int_eq(se_store_member_each(db, count_member, &n), 0);
	ck_assert_int_eq(n, 4);
	n = 0;
	ck_assert_int_eq(se_store_session_each(db, count_session, &n), 0);
	ck_assert_int_eq(n, 4);
	n = 0;
	ck_assert_int_eq(se_store_conn_each(db, se_kind_get(SE_KIND_SAML), NULL, count_conn, &n), 0);
	ck_assert_int_eq(n, 1);
	n = 0;
	ck_assert_int_eq(se_store_conn_each(db, se_kind_get(SE_KIND_OIDC), NULL, count_conn, &n), 0);
	ck_assert_int_eq(n, 2);
	n = 0;
	ck_assert_int_eq(se_store_conn_each(db, se_kind_get(SE_KIND_SCIM), NULL, count_conn, &n), 0);
	ck_assert_int_eq(n, 0);

	se_member m;
	ck_assert_int_eq(se_store_member_by_email(db, "carol@acme.test", &m), 0);
	ck_assert_str_eq(json_string_value(json_array_get(m.roles, 0)), "sso_manager");
	se_member_release(&m);

	/* The SAML connection is active, its certificate completed from the PEM, and it got a
	 * signing certificate issued by Stytch. */
	se_saml c;
	ck_assert_int_eq(se_store_conn_get(db, se_kind_get(SE_KIND_SAML), T_ORG_GLOBEX, T_GLOBEX_SAML, &c), 0);
	ck_assert_str_eq(se_saml_status(&c), "active");
	ck_assert_str_eq(c.identity_provider, "okta");
	ck_assert_str_eq(c.nameid_format, "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress");
	json_t *v = json_array_get(c.verification_certificates, 0);
	ck_assert_str_eq(json_string_value(json_object_get(v, "issuer")), "ssoemu built-in IdP");
	ck_assert_str_eq(json_string_value(json_object_get(v, "certificate_id")),
	                 "saml-verification-key-test-bbbbbbbb-0000-4000-8000-00000000d001");
	ck_assert(t_match(json_string_value(json_object_get(v, "expires_at")),
	                  "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
	ck_assert_uint_eq(json_array_size(c.signing_certificates), 1);
	json_t *sc = json_array_get(c.signing_certificates, 0);
	ck_assert_str_eq(json_string_value(json_object_get(sc, "issuer")), "Stytch");
	ck_assert(
	    t_match(json_string_value(json_object_get(sc, "certificate_id")), "saml-signing-key-test-" T_UUID4_RE));
	se_conn_release(se_kind_get(SE_KIND_SAML), &c);

	se_oidc o;
	ck_assert_int_eq(se_store_conn_get(db, se_kind_get(SE_KIND_OIDC), T_ORG_GLOBEX, T_GLOBEX_OIDC, &o), 0);
	/* Seeded with a display name and a provider only: pending. */
	ck_assert_str_eq(o.userinfo_url, "");
	ck_assert_str_eq(se_oidc_status(&o), "pending");
	se_conn_release(se_kind_get(SE_KIND_OIDC), &o);
	se_store_close(s);
}
END_TEST

/* --- broken documents ---------------------------------------------------------------------------- */

typedef void (*mutate_fn)(json_t *doc);

static json_t *at(json_t *doc, const char *list, size_t i)
{
	json_t *v = json_array_get(json_object_get(doc, list), i);
	ck_assert_ptr_nonnull(v);
	return v;
}

static void m_unknown_role(json_t *d)
{
	json_array_set_new(json_object_get(at(d, "members", 0), "roles"), 0, json_string("ghost"));
}
static void m_role_not_string(json_t *d)
{
	json_array_append_new(json_object_get(at(d, "members", 2), "roles"), json_integer(1));
}
static void m_dup_slug(json_t *d)
{
	json_object_set_new(at(d, "organizations", 1), "organization_slug", json_string("acme"));
}
static void m_dup_org_id(json_t *d)
{
	json_object_set_new(at(d, "organizations", 1), "organization_id", json_string(T_ORG_ACME));
}
static void m_org_no_slug(json_t *d)
{
	json_object_del(at(d, "organizations", 0), "organization_slug");
}
static void m_session_member(json_t *d)
{
	json_object_set_new(at(d, "sessions", 0), "member_id", json_string("member-test-nobody"));
}
static void m_session_expiry(json_t *d)
{
	json_object_set_new(at(d, "sessions", 2), "expires_at", json_string("tomorrow"));
}
static void m_dup_session(json_t *d)
{
	json_object_set_new(at(d, "sessions", 1), "session_token", json_string("session-acme-admin"));
}
static void m_bad_pem(json_t *d)
{
	json_t *cert = json_array_get(json_object_get(at(d, "saml_connections", 0), "verification_certificates"), 0);
	json_object_set_new(cert, "certificate",
	                    json_string("-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"));
}
static void m_scim_without_token(json_t *d)
{
	json_array_append_new(json_object_get(d, "scim_connections"),
	                      json_pack("{s:s, s:s, s:s}", "connection_id", "scim-connection-test-x", "organization_id",
	                                T_ORG_ACME, "identity_provider", "okta"));
}
static void m_scim_bad_idp(json_t *d)
{
	json_array_append_new(json_object_get(d, "scim_connections"),
	                      json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "scim-connection-test-x",
	                                "organization_id", T_ORG_ACME, "identity_provider", "google-workspace",
	                                "bearer_token", "0123456789"));
}
static void m_two_scim(json_t *d)
{
	json_t *list = json_object_get(d, "scim_connections");
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "scim-connection-test-1",
	                                      "organization_id", T_ORG_ACME, "identity_provider", "okta",
	                                      "bearer_token", "0123456789"));
	json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "scim-connection-test-2",
	                                      "organization_id", T_ORG_ACME, "identity_provider", "okta",
	                                      "bearer_token", "abcdefghij"));
}
static void m_group_unknown_conn(json_t *d)
{
	json_array_append_new(json_object_get(d, "scim_groups"),
	                      json_pack("{s:s, s:s}", "connection_id", "scim-connection-test-nope", "group_name", "g"));
}
static void m_no_project(json_t *d)
{
	json_object_del(d, "project");
}
static void m_empty_secret(json_t *d)
{
	json_object_set_new(json_object_get(d, "project"), "secret", json_string(""));
}
static void m_actions_flag(json_t *d)
{
	json_object_set_new(json_object_get(d, "project"), "sdk_member_actions_enabled", json_string("yes"));
}
static void m_policy_roles(json_t *d)
{
	json_object_set_new(json_object_get(d, "rbac_policy"), "roles", json_object());
}
static void m_policy_action(json_t *d)
{
	json_t *role = json_array_get(json_object_get(json_object_get(d, "rbac_policy"), "roles"), 2);
	json_array_append_new(json_object_get(json_array_get(json_object_get(role, "permissions"), 0), "actions"),
	                      json_null());
}
static void m_orgs_not_list(json_t *d)
{
	json_object_set_new(d, "organizations", json_object());
}
static void m_member_org(json_t *d)
{
	json_object_set_new(at(d, "members", 1), "organization_id", json_string("organization-test-nope"));
}
static void m_member_dup_email(json_t *d)
{
	json_object_set_new(at(d, "members", 1), "email_address", json_string("alice@acme.test"));
}
static void m_saml_idp(json_t *d)
{
	json_object_set_new(at(d, "saml_connections", 0), "identity_provider", json_string("adfs"));
}
static void m_saml_mapping(json_t *d)
{
	json_object_set_new(at(d, "saml_connections", 0), "attribute_mapping", json_array());
}
static void m_saml_bool(json_t *d)
{
	json_object_set_new(at(d, "saml_connections", 0), "idp_initiated_auth_disabled", json_string("false"));
}
static void m_saml_org(json_t *d)
{
	json_object_set_new(at(d, "saml_connections", 0), "organization_id", json_string("organization-test-nope"));
}
static void m_oidc_no_id(json_t *d)
{
	json_object_del(at(d, "oidc_connections", 0), "connection_id");
}
static void m_dup_conn_id(json_t *d)
{
	json_object_set_new(at(d, "oidc_connections", 0), "connection_id", json_string(T_GLOBEX_SAML));
	json_array_append_new(json_object_get(d, "oidc_connections"), json_deep_copy(at(d, "oidc_connections", 0)));
}
static void m_external_same_org(json_t *d)
{
	json_array_append_new(json_object_get(d, "external_connections"),
	                      json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "external-connection-test-x",
	                                "organization_id", T_ORG_GLOBEX, "external_organization_id", T_ORG_GLOBEX,
	                                "external_connection_id", T_GLOBEX_SAML));
}
static void m_external_unknown_conn(json_t *d)
{
	json_array_append_new(json_object_get(d, "external_connections"),
	                      json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "external-connection-test-x",
	                                "organization_id", T_ORG_ACME, "external_organization_id", T_ORG_GLOBEX,
	                                "external_connection_id", "saml-connection-test-nope"));
}
static void m_not_object(json_t *d)
{
	json_object_set_new(d, "members", json_pack("[i]", 1));
}

static const struct broken {
	const char *what;
	mutate_fn mutate;
	const char *field;  /* must appear in the message */
	const char *field2; /* and this too, when not NULL */
} broken[] = {
    {"unknown role", m_unknown_role, "members[0].roles[0]", NULL},
    {"role that is not a string", m_role_not_string, "members[2].roles[1]", NULL},
    {"duplicate slug", m_dup_slug, "organizations[1]", "organization_slug"},
    {"duplicate organization id", m_dup_org_id, "organizations[1]", "organization_id"},
    {"organization without slug", m_org_no_slug, "organizations[0].organization_slug", NULL},
    {"session of an unknown member", m_session_member, "sessions[0].member_id", "member-test-nobody"},
    {"session expiry not a time", m_session_expiry, "sessions[2]", "expires_at"},
    {"duplicate session token", m_dup_session, "sessions[1]", "session_token"},
    {"bad PEM", m_bad_pem, "saml_connections[0].verification_certificates[0].certificate", NULL},
    {"SCIM without token", m_scim_without_token, "scim_connections[0]", "bearer_token"},
    {"SCIM identity provider", m_scim_bad_idp, "scim_connections[0].identity_provider", "google-workspace"},
    {"two SCIM connections in one organization", m_two_scim, "scim_connections[1]", NULL},
    {"SCIM group of an unknown connection", m_group_unknown_conn, "scim_groups[0].connection_id", NULL},
    {"no project", m_no_project, "project", NULL},
    {"empty secret", m_empty_secret, "project.secret", NULL},
    {"member actions flag not a boolean", m_actions_flag, "project.sdk_member_actions_enabled", NULL},
    {"policy roles not a list", m_policy_roles, "rbac_policy.roles", NULL},
    {"policy action not a string", m_policy_action, "rbac_policy.roles[2].permissions[0].actions[3]", NULL},
    {"organizations not a list", m_orgs_not_list, "organizations", NULL},
    {"member of an unknown organization", m_member_org, "members[1].organization_id", "organization-test-nope"},
    {"duplicate member email", m_member_dup_email, "members[1]", "email_address"},
    {"SAML identity provider", m_saml_idp, "saml_connections[0].identity_provider", "adfs"},
    {"SAML attribute_mapping not an object", m_saml_mapping, "saml_connections[0].attribute_mapping", NULL},
    {"SAML boolean as a string", m_saml_bool, "saml_connections[0].idp_initiated_auth_disabled", NULL},
    {"SAML of an unknown organization", m_saml_org, "saml_connections[0].organization_id", NULL},
    {"OIDC without connection_id", m_oidc_no_id, "oidc_connections[0].connection_id", NULL},
    {"duplicate connection id", m_dup_conn_id, "oidc_connections[2]", "connection_id"},
    {"External to its own organization", m_external_same_org, "external_connections[0].external_organization_id", NULL},
    {"External to an unknown connection", m_external_unknown_conn, "external_connections[0].external_connection_id",
     NULL},
    {"member that is not an object", m_not_object, "members[0]", NULL},
};

START_TEST(test_broken)
{
	const struct broken *b = &broken[_i];
	json_t *doc = t_default_fixtures();
	b->mutate(doc);
	se_db *db;
	se_store *s = t_store(false, &db);
	char *err = NULL;
	ck_assert_int_eq(se_db_begin(db), 0);
	int r = se_fixtures_apply(db, doc, time(NULL), &err);
	se_db_rollback(db);
	ck_assert_msg(r == SE_EINVAL, "%s: accepted (%d)", b->what, r);
	ck_assert_msg(err != NULL, "%s: no message", b->what);
	ck_assert_msg(strstr(err, b->field) != NULL, "%s: message does not name %s: %s", b->what, b->field, err);
	ck_assert_msg(!b->field2 || strstr(err, b->field2) != NULL, "%s: message does not name %s: %s", b->what,
	              b->field2, err);
	/* Rolled back: nothing of it stayed. */
	se_project *p = NULL;
	ck_assert_int_eq(se_store_project_get(db, &p), SE_ENOTFOUND);
	int n = 0;
	ck_assert_int_eq(se_store_org_each(db, count_org, &n), 0);
	ck_assert_int_eq(n, 0);
	free(err);
	json_decref(doc);
	se_store_close(s);
}
END_TEST

START_TEST(test_not_a_document)
{
	se_db *db;
	se_store *s = t_store(false, &db);
	char *err = NULL;
	json_t *arr = json_array();
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_fixtures_apply(db, arr, time(NULL), &err), SE_EINVAL);
	se_db_rollback(db);
	ck_assert_ptr_nonnull(err);
	free(err);
	json_decref(arr);
	se_store_close(s);
}
END_TEST

START_TEST(test_minimal_document)
{
	/* Only the project and its policy: every list is optional. */
	se_db *db;
	se_store *s = t_store(false, &db);
	json_t *doc = json_pack("{s:{s:s, s:s, s:s}, s:{s:[]}}", "project", "project_id", "p", "secret", "s",
	                        "public_token", "t", "rbac_policy", "roles");
	char *err = NULL;
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_msg(se_fixtures_apply(db, doc, time(NULL), &err) == 0, "%s", err ? err : "");
	ck_assert_int_eq(se_db_commit(db), 0);
	se_project *p = t_project(db);
	ck_assert_str_eq(p->public_token, "t");
	ck_assert(p->sdk_member_actions_enabled);
	se_project_unref(p);
	json_decref(doc);
	se_store_close(s);
}
END_TEST

START_TEST(test_scim_token_stored_hashed)
{
	json_t *doc = t_default_fixtures();
	json_array_append_new(json_object_get(doc, "scim_connections"),
	                      json_pack("{s:s, s:s, s:s, s:s}", "connection_id", "scim-connection-test-f",
	                                "organization_id", T_ORG_ACME, "identity_provider", "okta", "bearer_token",
	                                "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHWXYZ"));
	se_db *db;
	se_store *s = t_store(false, &db);
	char *err = NULL;
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_msg(se_fixtures_apply(db, doc, time(NULL), &err) == 0, "%s", err ? err : "");
	ck_assert_int_eq(se_db_commit(db), 0);
	se_scim c;
	ck_assert_int_eq(se_store_scim_by_org(db, T_ORG_ACME, &c), 0);
	ck_assert_str_eq(c.bearer_token_last_four, "WXYZ");
	ck_assert(t_match(c.bearer_token_hash, "[0-9a-f]{64}"));
	ck_assert(t_match(c.bearer_token_expires_at, "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"));
	se_conn_release(se_kind_get(SE_KIND_SCIM), &c);
	json_decref(doc);
	se_store_close(s);
}
END_TEST

/* --- files ----------------------------------------------------------------------------------------- */

static char tmpdir[64];

static void tmp_setup(void)
{
	t_tmpdir_make(tmpdir, sizeof tmpdir, "fixtures");
}

static void tmp_teardown(void)
{
	t_tmpdir_remove(tmpdir);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Loading path must fail with a message naming the file and containing also. */
static void expect_load_error(const char *path, const char *also)
{
	json_t *doc = NULL;
	char *err = NULL;
	ck_assert_int_eq(se_fixtures_load(path, &doc, &err), SE_EINVAL);
	ck_assert_ptr_null(doc);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, path) != NULL, "message does not name %s: %s", path, err);
	ck_assert_msg(!also || strstr(err, also) != NULL, "message does not say %s: %s", also, err);
	free(err);
}

START_TEST(test_file_missing)
{
	char path[128];
	snprintf(path, sizeof path, "%s/does-not-exist.json", tmpdir);
	expect_load_error(path, NULL);
}
END_TEST

START_TEST(test_file_not_json)
{
	char path[128];
	snprintf(path, sizeof path, "%s/broken.json", tmpdir);
	write_file(path, "{\n  \"project\": {\n    oops\n}\n");
	expect_load_error(path, "line 3");
	snprintf(path, sizeof path, "%s/array.json", tmpdir);
	write_file(path, "[1, 2]\n");
	expect_load_error(path, "object");
	snprintf(path, sizeof path, "%s/empty.json", tmpdir);
	write_file(path, "");
	expect_load_error(path, NULL);
	snprintf(path, sizeof path, "%s/dup.json", tmpdir);
	write_file(path, "{\"project\": {}, \"project\": {}}");
	expect_load_error(path, NULL);
}
END_TEST

START_TEST(test_file_ok)
{
	char path[128];
	snprintf(path, sizeof path, "%s/fixtures.json", tmpdir);
	write_file(path, se_fixtures_default_text());
	json_t *doc = NULL, *builtin = t_default_fixtures();
	char *err = NULL;
	ck_assert_int_eq(se_fixtures_load(path, &doc, &err), 0);
	ck_assert(json_equal(doc, builtin));
	json_decref(doc);
	json_decref(builtin);
}
END_TEST

static Suite *fixtures_suite(void)
{
	Suite *s = suite_create("fixtures");
	TCase *tc = tcase_create("documents");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_default_text);
	tcase_add_test(tc, test_default_applies);
	tcase_add_loop_test(tc, test_broken, 0, (int)(sizeof broken / sizeof broken[0]));
	tcase_add_test(tc, test_not_a_document);
	tcase_add_test(tc, test_minimal_document);
	tcase_add_test(tc, test_scim_token_stored_hashed);
	suite_add_tcase(s, tc);

	TCase *files = tcase_create("files");
	tcase_add_checked_fixture(files, tmp_setup, tmp_teardown);
	tcase_add_test(files, test_file_missing);
	tcase_add_test(files, test_file_not_json);
	tcase_add_test(files, test_file_ok);
	suite_add_tcase(s, files);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fixtures_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
