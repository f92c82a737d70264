/* Unit tests for session.c: minting a session JWT, and authenticating one back to its session
 * (signature, issuer, audience, nbf, the session claim, revoked and expired sessions, and a JWT
 * past its exp whose session still lives). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/jwt.h"
#include "util/time.h"
#include "auth/session.h"
#include "testutil.h"

#define ALICE_SESSION "member-session-test-aaaaaaaa-0000-4000-8000-0000000005a1"
#define ISS "stytch.com/" T_PROJECT_ID

static se_app app;
static se_store *store;
static se_db *db;
static se_project *project;

static void setup(void)
{
	memset(&app, 0, sizeof app);
	ck_assert_int_eq(se_crypto_jwt_key_new(&app.jwt_key), 0);
	store = t_store(true, &db);
	project = t_project(db);
}

static void teardown(void)
{
	se_project_unref(project);
	se_store_close(store);
	se_crypto_jwt_key_free(app.jwt_key);
}

/* Authenticates jwt now; releases what it resolved. */
static se_error_id auth_at(const char *jwt, time_t now)
{
	se_session s = {0};
	se_member m = {0};
	se_error_id e = se_session_jwt_authenticate(app.jwt_key, project, db, jwt, now, &s, &m);
	if (e == SE_ERR_NONE) {
		ck_assert_str_eq(s.member_session_id, ALICE_SESSION);
		ck_assert_str_eq(m.member_id, T_MEMBER_ALICE);
	}
	se_session_release(&s);
	se_member_release(&m);
	return e;
}

static se_error_id auth(const char *jwt)
{
	return auth_at(jwt, time(NULL));
}

/* A JWT signed with the app's key over the given claims text. Caller frees. */
static char *signed_jwt(const char *claims)
{
	char *jwt = NULL;
	ck_assert_int_eq(se_crypto_jwt_sign(app.jwt_key, claims, &jwt), 0);
	return jwt;
}

/* Claims for alice's fixture session with one part replaced. */
static char *claims(const char *iss, const char *aud, long long nbf, long long exp, const char *sub,
		    const char *session_id)
{
	static char buf[1024];
	snprintf(buf, sizeof buf,
		 "{\"sub\":\"%s\",\"iss\":\"%s\",\"aud\":%s,\"iat\":%lld,\"nbf\":%lld,\"exp\":%lld,"
		 "\"https://stytch.com/session\":{\"id\":\"%s\"}}",
		 sub, iss, aud, nbf, nbf, exp, session_id);
	return signed_jwt(buf);
}

static char *alice_jwt(time_t now)
{
	se_session s = {0};
	se_member m = {0};
	se_org o = {0};
	char *jwt = NULL;
	ck_assert_int_eq(se_store_session_by_id(db, ALICE_SESSION, &s), 0);
	ck_assert_int_eq(se_store_member_get(db, T_MEMBER_ALICE, &m), 0);
	ck_assert_int_eq(se_store_org_get(db, T_ORG_ACME, false, &o), 0);
	ck_assert_int_eq(se_session_jwt(app.jwt_key, project, &s, &m, &o, now, &jwt), 0);
	se_session_release(&s);
	se_member_release(&m);
	se_org_release(&o);
	return jwt;
}

START_TEST(test_minted_jwt_authenticates)
{
	char *jwt = alice_jwt(time(NULL)), *payload = NULL;
	ck_assert_int_eq(auth(jwt), SE_ERR_NONE);
	/* The session claim lists the member's roles, stytch_member first. */
	ck_assert_int_eq(se_crypto_jwt_verify(app.jwt_key, jwt, &payload), 0);
	json_t *c = json_loads(payload, 0, NULL);
	json_t *roles = json_object_get(json_object_get(c, "https://stytch.com/session"), "roles");
	ck_assert_int_eq(json_array_size(roles), 2);
	ck_assert_str_eq(json_string_value(json_array_get(roles, 0)), "stytch_member");
	ck_assert_str_eq(json_string_value(json_array_get(roles, 1)), "stytch_admin");
	ck_assert_str_eq(json_string_value(json_object_get(c, "sub")), T_MEMBER_ALICE);
	json_decref(c);
	free(payload);
	free(jwt);
}
END_TEST

START_TEST(test_past_exp_accepted_while_session_lives)
{
	/* Minted two hours ago: exp (five minutes) is long past, the session never expires. */
	time_t then = time(NULL) - 7200;
	char *jwt = alice_jwt(then);
	ck_assert_int_eq(auth(jwt), SE_ERR_NONE);
	free(jwt);
}
END_TEST

START_TEST(test_claims_checked)
{
	time_t now = time(NULL);
	const char *aud = "[\"" T_PROJECT_ID "\"]";
	char *jwt = claims(ISS, aud, now - 10, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_NONE);
	free(jwt);
	/* aud as a plain string is fine too. */
	jwt = claims(ISS, "\"" T_PROJECT_ID "\"", now - 10, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_NONE);
	free(jwt);
	jwt = claims("stytch.com/project-test-other", aud, now - 10, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	jwt = claims(ISS, "[\"project-test-other\"]", now - 10, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	jwt = claims(ISS, "42", now - 10, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	/* Not valid yet. */
	jwt = claims(ISS, aud, now + 60, now + 300, T_MEMBER_ALICE, ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	/* Without exp, sub or the session claim. */
	jwt = signed_jwt("{\"sub\":\"" T_MEMBER_ALICE "\",\"iss\":\"" ISS "\",\"aud\":[\"" T_PROJECT_ID "\"],"
			 "\"https://stytch.com/session\":{\"id\":\"" ALICE_SESSION "\"}}");
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	jwt = signed_jwt("{\"iss\":\"" ISS "\",\"aud\":[\"" T_PROJECT_ID "\"],\"exp\":4102444800,"
			 "\"https://stytch.com/session\":{\"id\":\"" ALICE_SESSION "\"}}");
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	jwt = signed_jwt("{\"sub\":\"" T_MEMBER_ALICE "\",\"iss\":\"" ISS "\",\"aud\":[\"" T_PROJECT_ID "\"],"
			 "\"exp\":4102444800}");
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	/* A payload that is not a JSON object. */
	jwt = signed_jwt("[1,2]");
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
	jwt = signed_jwt("not json");
	ck_assert_int_eq(auth(jwt), SE_ERR_INVALID_SESSION_JWT);
	free(jwt);
}
END_TEST

START_TEST(test_forged_and_malformed)
{
	char *good = alice_jwt(time(NULL));
	/* Same claims, another key. */
	se_jwt_key *other = NULL;
	ck_assert_int_eq(se_crypto_jwt_key_new(&other), 0);
	se_jwt_key *mine = app.jwt_key;
	app.jwt_key = other;
	char *forged = alice_jwt(time(NULL));
	app.jwt_key = mine;
	ck_assert_int_eq(auth(forged), SE_ERR_INVALID_SESSION_JWT);
	/* Our header (our kid) over the other key's payload and signature. */
	const char *good_rest = strchr(good, '.'), *forged_rest = strchr(forged, '.');
	ck_assert_ptr_nonnull(good_rest);
	ck_assert_ptr_nonnull(forged_rest);
	char *spliced = malloc(strlen(good) + strlen(forged) + 1);
	ck_assert_ptr_nonnull(spliced);
	int head_len = (int)(good_rest - good);
	snprintf(spliced, strlen(good) + strlen(forged) + 1, "%.*s%s", head_len, good, forged_rest ? forged_rest : "");
	ck_assert_int_eq(auth(spliced), SE_ERR_INVALID_SESSION_JWT);
	/* The same splice with our own payload and signature verifies: only the key differs above. */
	snprintf(spliced, strlen(good) + strlen(forged) + 1, "%.*s%s", head_len, good, good_rest ? good_rest : "");
	ck_assert_int_eq(auth(spliced), SE_ERR_NONE);
	free(spliced);
	/* One character of the payload changed. */
	char *tampered = strdup(good);
	char *dot = strchr(tampered, '.');
	dot[5] = dot[5] == 'A' ? 'B' : 'A';
	ck_assert_int_eq(auth(tampered), SE_ERR_INVALID_SESSION_JWT);
	ck_assert_int_eq(auth("not.a.jwt"), SE_ERR_INVALID_SESSION_JWT);
	ck_assert_int_eq(auth(""), SE_ERR_INVALID_SESSION_JWT);
	ck_assert_int_eq(auth(NULL), SE_ERR_INVALID_SESSION_JWT);
	free(tampered);
	free(forged);
	free(good);
	se_crypto_jwt_key_free(other);
}
END_TEST

START_TEST(test_session_must_live)
{
	time_t now = time(NULL);
	const char *aud = "[\"" T_PROJECT_ID "\"]";
	/* An unknown session id, and a sub that is not the session's member. */
	char *jwt = claims(ISS, aud, now, now + 300, T_MEMBER_ALICE, "member-session-test-unknown");
	ck_assert_int_eq(auth(jwt), SE_ERR_SESSION_NOT_FOUND);
	free(jwt);
	jwt = claims(ISS, aud, now, now + 300, "member-test-aaaaaaaa-0000-4000-8000-0000000000a2", ALICE_SESSION);
	ck_assert_int_eq(auth(jwt), SE_ERR_SESSION_NOT_FOUND);
	free(jwt);

	/* An expired session, though its JWT is fresh. */
	char started[21], expired[21];
	se_time_format(now - 3600, started);
	se_time_format(now - 60, expired);
	se_session s = {"session-old", "member-session-test-old", T_MEMBER_ALICE, started, expired};
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_session_insert(db, &s), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	jwt = claims(ISS, aud, now, now + 300, T_MEMBER_ALICE, "member-session-test-old");
	ck_assert_int_eq(auth(jwt), SE_ERR_SESSION_NOT_FOUND);
	free(jwt);

	/* A revoked session: its JWT verifies but finds nothing. */
	jwt = alice_jwt(now);
	ck_assert_int_eq(auth(jwt), SE_ERR_NONE);
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_store_session_delete(db, "session-acme-admin"), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_int_eq(auth(jwt), SE_ERR_SESSION_NOT_FOUND);
	free(jwt);
}
END_TEST

static Suite *session_suite(void)
{
	Suite *s = suite_create("session");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_minted_jwt_authenticates);
	tcase_add_test(tc, test_past_exp_accepted_while_session_lives);
	tcase_add_test(tc, test_claims_checked);
	tcase_add_test(tc, test_forged_and_malformed);
	tcase_add_test(tc, test_session_must_live);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(session_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
