/* Unit tests for auth.c: HTTP Basic parsing, the project's public token and secret, and member
 * sessions resolved from a store. */
#include <check.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "util/time.h"
#include "util/errors_code.h"
#include "testutil.h"

/* "Basic " + base64(plain), as a client builds it. */
static char *basic(const char *plain)
{
	size_t n = strlen(plain);
	char *out = malloc(6 + 4 * ((n + 2) / 3) + 1);
	ck_assert_ptr_nonnull(out);
	memcpy(out, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)out + 6, (const unsigned char *)plain, (int)n);
	return out;
}

/* Parses header and checks the result. want_user NULL means it must be refused. */
static void expect_basic(const char *header, const char *want_user, const char *want_pass)
{
	char *user = (char *)"untouched", *pass = (char *)"untouched";
	int r = se_auth_basic(header, &user, &pass);
	if (!want_user) {
		ck_assert_msg(r == SE_EINVAL, "%s: expected SE_EINVAL, got %d", header ? header : "(null)", r);
		ck_assert_str_eq(user, "untouched");
		ck_assert_str_eq(pass, "untouched");
		return;
	}
	ck_assert_msg(r == 0, "%s: expected success, got %d", header, r);
	ck_assert_str_eq(user, want_user);
	ck_assert_str_eq(pass, want_pass);
	free(user);
	free(pass);
}

static void expect_plain(const char *plain, const char *want_user, const char *want_pass)
{
	char *h = basic(plain);
	expect_basic(h, want_user, want_pass);
	free(h);
}

START_TEST(test_basic_ok)
{
	expect_plain("user:pass", "user", "pass");
	expect_plain(T_PUBLIC_TOKEN ":session-acme-admin", T_PUBLIC_TOKEN, "session-acme-admin");
	expect_plain(T_PROJECT_ID ":" T_SECRET, T_PROJECT_ID, T_SECRET);
	/* The password may hold colons; the first one separates. */
	expect_plain("u:p:q:", "u", "p:q:");
	/* The scheme is case-insensitive and surrounding spaces are tolerated. */
	expect_basic("basic dXNlcjpwYXNz", "user", "pass");
	expect_basic("BASIC   dXNlcjpwYXNz  ", "user", "pass");
}
END_TEST

START_TEST(test_basic_padding)
{
	/* 0, 1 and 2 padding characters: the decoded length must drop them. */
	expect_plain("ab:cd", "ab", "cd");         /* 5 bytes: one '=' */
	expect_plain("ab:c", "ab", "c");           /* 4 bytes: two '=' */
	expect_plain("abc:def", "abc", "def");     /* 7 bytes: two '=' */
	expect_plain("abcd:efgh", "abcd", "efgh"); /* 9 bytes: none */
	expect_basic("Basic YWI6Y2Q=", "ab", "cd");
	expect_basic("Basic YWI6Yw==", "ab", "c");
	/* Padding that is missing makes the length wrong. */
	expect_basic("Basic YWI6Yw", NULL, NULL);
	expect_basic("Basic YWI6Y2Q", NULL, NULL);
}
END_TEST

START_TEST(test_basic_empty_parts)
{
	expect_plain("user:", "user", "");
	expect_plain(":pass", "", "pass");
	expect_plain(":", "", "");
}
END_TEST

START_TEST(test_basic_refused)
{
	expect_basic(NULL, NULL, NULL);
	expect_basic("", NULL, NULL);
	expect_basic("Basic", NULL, NULL);
	expect_basic("Basic ", NULL, NULL);
	expect_basic("Basic    ", NULL, NULL);
	expect_basic("Bearer dXNlcjpwYXNz", NULL, NULL);
	expect_basic("Basicx dXNlcjpwYXNz", NULL, NULL);
	expect_basic("dXNlcjpwYXNz", NULL, NULL);
	/* Not base64. */
	expect_basic("Basic !!!!", NULL, NULL);
	expect_basic("Basic dXNl cjpw", NULL, NULL);
	expect_basic("Basic abc", NULL, NULL);
	/* No colon. */
	expect_plain("userpass", NULL, NULL);
	expect_plain("", NULL, NULL);
	/* An embedded NUL would hide the rest of the credentials. */
	expect_basic("Basic dQA6cA==", NULL, NULL); /* "u\0:p" */
	expect_basic("Basic dTpwAA==", NULL, NULL); /* "u:p\0" */
}
END_TEST

START_TEST(test_basic_too_long)
{
	char plain[4000];
	memset(plain, 'a', sizeof plain - 1);
	plain[sizeof plain - 1] = '\0';
	plain[10] = ':';
	expect_plain(plain, NULL, NULL);
	/* Just under the limit still parses. */
	plain[1500] = '\0';
	char *h = basic(plain);
	char *user = NULL, *pass = NULL;
	ck_assert_int_eq(se_auth_basic(h, &user, &pass), 0);
	ck_assert_uint_eq(strlen(user), 10);
	ck_assert_uint_eq(strlen(pass), 1489);
	free(user);
	free(pass);
	free(h);
}
END_TEST

static se_project project(void)
{
	se_project p = {
	    .project_id = (char *)T_PROJECT_ID,
	    .secret = (char *)T_SECRET,
	    .public_token = (char *)T_PUBLIC_TOKEN,
	};
	return p;
}

START_TEST(test_is_secret)
{
	se_project p = project();
	ck_assert(se_auth_is_secret(&p, T_PROJECT_ID, T_SECRET));
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, "secret-test-wrong"));
	ck_assert(!se_auth_is_secret(&p, "project-test-wrong", T_SECRET));
	ck_assert(!se_auth_is_secret(&p, T_SECRET, T_PROJECT_ID));
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, ""));
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, NULL));
	ck_assert(!se_auth_is_secret(&p, NULL, T_SECRET));
	/* A prefix or an extension of the secret is not the secret. */
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, "secret-test-ssoemu-local-secret-000000000000"));
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, T_SECRET "0"));
	/* The public token is not a secret. */
	ck_assert(!se_auth_is_secret(&p, T_PROJECT_ID, T_PUBLIC_TOKEN));
}
END_TEST

START_TEST(test_is_public_token)
{
	se_project p = project();
	ck_assert(se_auth_is_public_token(&p, T_PUBLIC_TOKEN));
	ck_assert(!se_auth_is_public_token(&p, "public-token-test-11111111-1111-4111-8111-11111111111"));
	ck_assert(!se_auth_is_public_token(&p, T_PUBLIC_TOKEN "1"));
	ck_assert(!se_auth_is_public_token(&p, T_PROJECT_ID));
	ck_assert(!se_auth_is_public_token(&p, ""));
	ck_assert(!se_auth_is_public_token(&p, NULL));
}
END_TEST

START_TEST(test_session_unknown)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_session sess;
	se_member m;
	ck_assert_int_eq(se_auth_session(db, "session-does-not-exist", time(NULL), &sess, &m),
	                 SE_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(se_auth_session(db, "", time(NULL), &sess, &m), SE_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(se_auth_session(db, NULL, time(NULL), &sess, &m), SE_ERR_SESSION_NOT_FOUND);
	/* A member_session_id is not a session token. */
	ck_assert_int_eq(
	    se_auth_session(db, "member-session-test-aaaaaaaa-0000-4000-8000-0000000005a1", time(NULL), &sess, &m),
	    SE_ERR_SESSION_NOT_FOUND);
	se_store_close(s);
}
END_TEST

START_TEST(test_session_ok)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_session sess;
	se_member m;
	ck_assert_int_eq(se_auth_session(db, "session-acme-admin", time(NULL), &sess, &m), SE_ERR_NONE);
	ck_assert_str_eq(sess.session_token, "session-acme-admin");
	ck_assert_str_eq(sess.member_id, T_MEMBER_ALICE);
	ck_assert_ptr_null(sess.expires_at);
	ck_assert_str_eq(m.member_id, T_MEMBER_ALICE);
	ck_assert_str_eq(m.organization_id, T_ORG_ACME);
	ck_assert_str_eq(m.email_address, "alice@acme.test");
	ck_assert_uint_eq(json_array_size(m.roles), 1);
	ck_assert_str_eq(json_string_value(json_array_get(m.roles, 0)), "stytch_admin");
	se_session_release(&sess);
	se_member_release(&m);
	/* Seeded sessions never expire. */
	ck_assert_int_eq(se_auth_session(db, "session-globex-admin", (time_t)4000000000LL, &sess, &m), SE_ERR_NONE);
	ck_assert_str_eq(m.organization_id, T_ORG_GLOBEX);
	se_session_release(&sess);
	se_member_release(&m);
	se_store_close(s);
}
END_TEST

START_TEST(test_session_expired)
{
	se_db *db;
	se_store *s = t_store(true, &db);
	se_session in = {
	    .session_token = (char *)"session-short",
	    .member_session_id = (char *)"member-session-test-short",
	    .member_id = (char *)T_MEMBER_ALICE,
	    .started_at = (char *)"2026-01-01T00:00:00Z",
	    .expires_at = (char *)"2026-01-01T01:00:00Z",
	};
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_session_insert(db, &in), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	time_t exp;
	ck_assert_int_eq(se_time_parse("2026-01-01T01:00:00Z", &exp), 0);

	se_session sess;
	se_member m;
	ck_assert_int_eq(se_auth_session(db, "session-short", exp - 1, &sess, &m), SE_ERR_NONE);
	ck_assert_str_eq(sess.expires_at, "2026-01-01T01:00:00Z");
	se_session_release(&sess);
	se_member_release(&m);
	/* At its expiry time the session is over. */
	ck_assert_int_eq(se_auth_session(db, "session-short", exp, &sess, &m), SE_ERR_SESSION_NOT_FOUND);
	ck_assert_int_eq(se_auth_session(db, "session-short", exp + 3600, &sess, &m), SE_ERR_SESSION_NOT_FOUND);
	se_store_close(s);
}
END_TEST

static Suite *auth_suite(void)
{
	Suite *s = suite_create("auth");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_basic_ok);
	tcase_add_test(tc, test_basic_padding);
	tcase_add_test(tc, test_basic_empty_parts);
	tcase_add_test(tc, test_basic_refused);
	tcase_add_test(tc, test_basic_too_long);
	tcase_add_test(tc, test_is_secret);
	tcase_add_test(tc, test_is_public_token);
	tcase_add_test(tc, test_session_unknown);
	tcase_add_test(tc, test_session_ok);
	tcase_add_test(tc, test_session_expired);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(auth_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
