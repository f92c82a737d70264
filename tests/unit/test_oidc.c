/* Unit tests for signin/oidc.c: ID tokens signed with the built-in key and verified against its key
 * set, and every refusal of SIGNIN.md section 3 step 4 (tokens made by the test itself). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "signin/oidc.h"

#define ISS "http://127.0.0.1:9876/_emulator/idp/oidc"

static json_t *claims(time_t now)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "iss", ISS, "sub", "user-1", "aud", "client-1", "iat",
	                 (json_int_t)now, "exp", (json_int_t)(now + 300), "nonce", "n-1", "email", "a@b.test");
}

static se_error_id verify_claims(json_t *c, se_oidc_key key, bool tamper)
{
	char *jwt = NULL;
	ck_assert_int_eq(se_oidc_sign(key, c, tamper, &jwt), 0);
	json_t *jwks = se_oidc_jwks(), *out = NULL;
	const char *why = NULL;
	se_error_id e = se_oidc_verify(jwt, jwks, ISS, "client-1", "n-1", time(NULL), &out, &why);
	ck_assert_ptr_nonnull(why);
	if (e == SE_ERR_NONE) {
		ck_assert_str_eq(json_string_value(json_object_get(out, "sub")), "user-1");
		json_decref(out);
	}
	json_decref(jwks);
	json_decref(c);
	free(jwt);
	return e;
}

START_TEST(valid_token_verifies)
{
	ck_assert_int_eq(verify_claims(claims(time(NULL)), SE_OIDC_KEY_IDP, false), SE_ERR_NONE);
}
END_TEST

START_TEST(jwks_is_public)
{
	json_t *jwks = se_oidc_jwks();
	json_t *k = json_array_get(json_object_get(jwks, "keys"), 0);
	ck_assert_str_eq(json_string_value(json_object_get(k, "kid")), SE_OIDC_KID);
	ck_assert_str_eq(json_string_value(json_object_get(k, "kty")), "RSA");
	ck_assert_ptr_nonnull(json_object_get(k, "n"));
	ck_assert_ptr_null(json_object_get(k, "d"));
	json_decref(jwks);
}
END_TEST

START_TEST(bad_signature_and_other_key)
{
	ck_assert_int_eq(verify_claims(claims(time(NULL)), SE_OIDC_KEY_IDP, true), SE_ERR_SI_ID_TOKEN_INVALID);
	ck_assert_int_eq(verify_claims(claims(time(NULL)), SE_OIDC_KEY_ROGUE, false), SE_ERR_SI_ID_TOKEN_INVALID);
}
END_TEST

START_TEST(claims_are_checked)
{
	time_t now = time(NULL);
	json_t *c = claims(now);
	json_object_set_new(c, "iss", json_string("https://other"));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_ID_TOKEN_INVALID);
	c = claims(now);
	json_object_set_new(c, "aud", json_string("client-2"));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_ID_TOKEN_INCORRECT_AUDIENCE);
	c = claims(now);
	json_object_set_new(c, "aud", json_pack("[s,s]", "client-1", "client-2"));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_ID_TOKEN_INCORRECT_AUDIENCE);
	c = claims(now);
	json_object_set_new(c, "aud", json_pack("[s,s]", "client-1", "client-2"));
	json_object_set_new(c, "azp", json_string("client-1"));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_NONE);
	c = claims(now);
	json_object_set_new(c, "exp", json_integer((json_int_t)(now - 121)));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_ID_TOKEN_EXPIRED);
	c = claims(now);
	json_object_set_new(c, "exp", json_integer((json_int_t)(now - 60)));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_NONE); /* within the skew */
	c = claims(now);
	json_object_set_new(c, "nonce", json_string("n-2"));
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_ID_TOKEN_NONCE_INVALID);
	c = claims(now);
	json_object_del(c, "sub");
	ck_assert_int_eq(verify_claims(c, SE_OIDC_KEY_IDP, false), SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISSING);
}
END_TEST

START_TEST(not_a_jws)
{
	json_t *jwks = se_oidc_jwks(), *out = NULL;
	const char *why;
	const char *bad[] = {"", "abc", "a.b", "a.b.c.d", "!!!.###.$$$", "eyJhbGciOiJSUzI1NiJ9.A=.A="};
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(se_oidc_verify(bad[i], jwks, ISS, "client-1", "n-1", time(NULL), &out, &why),
		                 SE_ERR_SI_OIDC_INVALID_ID_TOKEN);
	/* alg none is not RS256. */
	const char *none = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.";
	se_error_id e = se_oidc_verify(none, jwks, ISS, "client-1", "n-1", time(NULL), &out, &why);
	ck_assert(e == SE_ERR_SI_ID_TOKEN_INVALID || e == SE_ERR_SI_OIDC_INVALID_ID_TOKEN);
	json_decref(jwks);
}
END_TEST

START_TEST(unknown_kid)
{
	char *jwt = NULL;
	json_t *c = claims(time(NULL));
	ck_assert_int_eq(se_oidc_sign(SE_OIDC_KEY_IDP, c, false, &jwt), 0);
	json_t *jwks = se_oidc_jwks(), *out = NULL;
	json_object_set_new(json_array_get(json_object_get(jwks, "keys"), 0), "kid", json_string("other"));
	const char *why;
	ck_assert_int_eq(se_oidc_verify(jwt, jwks, ISS, "client-1", "n-1", time(NULL), &out, &why),
	                 SE_ERR_SI_ID_TOKEN_INVALID);
	json_decref(jwks);
	json_decref(c);
	free(jwt);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oidc");
	TCase *tc = tcase_create("oidc");
	tcase_add_test(tc, valid_token_verifies);
	tcase_add_test(tc, jwks_is_public);
	tcase_add_test(tc, bad_signature_and_other_key);
	tcase_add_test(tc, claims_are_checked);
	tcase_add_test(tc, not_a_jws);
	tcase_add_test(tc, unknown_kid);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
