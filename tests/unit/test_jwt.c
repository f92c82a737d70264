/* Unit tests for crypto/jwt.c: RS256 signing and verification, tampering, malformed tokens, the JWK and
 * seeded keys. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "crypto/jwt.h"
#include "crypto/rand.h"
#include "util/errors_code.h"

/* base64url of s, unpadded, via OpenSSL for independence from the code under test. */
static char *b64url(const char *s)
{
	size_t n = strlen(s);
	unsigned char *out = malloc(4 * ((n + 2) / 3) + 1);
	int len = EVP_EncodeBlock(out, (const unsigned char *)s, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (int i = 0; i < len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return (char *)out;
}

START_TEST(test_jwt)
{
	se_jwt_key *k = NULL;
	ck_assert_int_eq(se_crypto_jwt_key_new(&k), 0);
	const char *kid = se_crypto_jwt_key_kid(k);
	ck_assert_int_eq(strncmp(kid, "jwk-test-", 9), 0);
	ck_assert_uint_eq(strlen(kid), 9 + 36);

	const char *payload = "{\"sub\":\"member-test-1\",\"n\":1,\"u\":\"\\u00e9?>\"}";
	char *jwt = NULL, *got = NULL;
	ck_assert_int_eq(se_crypto_jwt_sign(k, payload, &jwt), 0);
	ck_assert_int_eq(se_crypto_jwt_verify(k, jwt, &got), 0);
	ck_assert_str_eq(got, payload);
	free(got);

	/* The header is the documented one. */
	char header_want[128];
	snprintf(header_want, sizeof(header_want), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", kid);
	char *h = b64url(header_want);
	ck_assert_int_eq(strncmp(jwt, h, strlen(h)), 0);
	ck_assert_int_eq(jwt[strlen(h)], '.');

	/* Tampered payload: same header and signature, another payload. */
	char *dot1 = strchr(jwt, '.');
	char *dot2 = strchr(dot1 + 1, '.');
	char *evil = b64url("{\"sub\":\"member-test-2\",\"n\":1}");
	size_t cap = strlen(jwt) + strlen(evil) + 1;
	char *forged = malloc(cap);
	snprintf(forged, cap, "%.*s.%s%s", (int)(dot1 - jwt), jwt, evil, dot2);
	got = (char *)0x1;
	ck_assert_int_eq(se_crypto_jwt_verify(k, forged, &got), SE_ECRYPTO);
	ck_assert_ptr_eq(got, (char *)0x1);

	/* Tampered signature. */
	char *bad = strdup(jwt);
	char *s = strrchr(bad, '.') + 5;
	*s = *s == 'A' ? 'B' : 'A';
	ck_assert_int_eq(se_crypto_jwt_verify(k, bad, &got), SE_ECRYPTO);
	free(bad);

	/* Another kid or alg in the header. */
	char *h2 = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"jwk-test-other\"}");
	snprintf(forged, cap, "%s%s", h2, dot1);
	ck_assert_int_eq(se_crypto_jwt_verify(k, forged, &got), SE_ECRYPTO);
	free(h2);
	char hn[160];
	snprintf(hn, sizeof(hn), "{\"alg\":\"none\",\"kid\":\"%s\"}", kid);
	h2 = b64url(hn);
	char *none = malloc(strlen(h2) + strlen(dot1) + 1);
	strcpy(none, h2);
	strcat(none, dot1);
	ck_assert_int_eq(se_crypto_jwt_verify(k, none, &got), SE_ECRYPTO);
	free(none);
	free(h2);

	/* Malformed. */
	ck_assert_int_eq(se_crypto_jwt_verify(k, "abc", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "a.b", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "a.b.c.d", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "..", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "e30.e30.!!!", &got), SE_EINVAL);
	h2 = b64url("[1]");
	snprintf(forged, cap, "%s%s", h2, dot1);
	ck_assert_int_eq(se_crypto_jwt_verify(k, forged, &got), SE_EINVAL);
	free(h2);
	ck_assert_ptr_eq(got, (char *)0x1);

	/* JWK members. */
	char *n = NULL, *e = NULL;
	ck_assert_int_eq(se_crypto_jwt_key_jwk(k, &n, &e), 0);
	ck_assert_str_eq(e, "AQAB");
	ck_assert_uint_eq(strlen(n), 342);
	ck_assert_ptr_null(strpbrk(n, "+/="));
	free(n);
	free(e);

	free(h);
	free(evil);
	free(forged);
	free(jwt);
	se_crypto_jwt_key_free(k);
	se_crypto_jwt_key_free(NULL);
}
END_TEST

START_TEST(test_seeded_jwt_key)
{
	se_jwt_key *k1 = NULL, *k2 = NULL;
	char *n1 = NULL, *e1 = NULL, *n2 = NULL, *e2 = NULL, *t1 = NULL, *t2 = NULL;
	se_crypto_seed(7);
	ck_assert_int_eq(se_crypto_jwt_key_new(&k1), 0);
	ck_assert_int_eq(se_crypto_jwt_sign(k1, "{}", &t1), 0);
	se_crypto_seed(7);
	ck_assert_int_eq(se_crypto_jwt_key_new(&k2), 0);
	ck_assert_int_eq(se_crypto_jwt_sign(k2, "{}", &t2), 0);
	ck_assert_str_eq(se_crypto_jwt_key_kid(k1), se_crypto_jwt_key_kid(k2));
	ck_assert_int_eq(se_crypto_jwt_key_jwk(k1, &n1, &e1), 0);
	ck_assert_int_eq(se_crypto_jwt_key_jwk(k2, &n2, &e2), 0);
	ck_assert_str_eq(n1, n2);
	ck_assert_str_eq(t1, t2);
	free(n1);
	free(e1);
	free(n2);
	free(e2);
	free(t1);
	free(t2);
	se_crypto_jwt_key_free(k1);
	se_crypto_jwt_key_free(k2);
}
END_TEST

static Suite *jwt_suite(void)
{
	Suite *s = suite_create("jwt");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_jwt);
	tcase_add_test(tc, test_seeded_jwt_key);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jwt_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
