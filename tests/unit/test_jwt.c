/* Unit tests for crypto/jwt.c: RS256 signing and verification, tampering, malformed tokens, the JWK, seeded keys
 * and verification against a JWKS. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <openssl/evp.h>

#include "crypto/jwt.h"
#include "crypto/rand.h"
#include "testutil.h"
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
	ck_assert_int_eq(se_crypto_jwt_verify(k, "A=.A=.A=", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "e30=.e30.AAAA", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "a.b", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "a.b.c.d", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "..", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify(k, "e30.e30.!!!", &got), SE_EINVAL);
	h2 = b64url("[1]");
	snprintf(forged, cap, "%s%s", h2, dot1);
	ck_assert_int_eq(se_crypto_jwt_verify(k, forged, &got), SE_EINVAL);
	free(h2);
	ck_assert_ptr_eq(got, (char *)0x1);

	/* The public JWK. */
	json_t *jwk = NULL;
	ck_assert_int_eq(se_crypto_jwt_key_public_jwk(k, &jwk), 0);
	const char *n = json_string_value(json_object_get(jwk, "n"));
	const char *e = json_string_value(json_object_get(jwk, "e"));
	ck_assert_str_eq(e, "AQAB");
	ck_assert_uint_eq(strlen(n), 342);
	ck_assert_ptr_null(strpbrk(n, "+/="));
	char *text = json_dumps(jwk, JSON_COMPACT);
	char want[512];
	snprintf(want, sizeof(want),
	         "{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"%s\",\"n\":\"%s\",\"e\":\"AQAB\"}", kid,
	         n);
	ck_assert_str_eq(text, want);
	ck_assert_ptr_null(json_object_get(jwk, "d"));
	free(text);
	json_decref(jwk);

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
	json_t *j1 = NULL, *j2 = NULL;
	char *t1 = NULL, *t2 = NULL;
	se_crypto_seed(7);
	ck_assert_int_eq(se_crypto_jwt_key_new(&k1), 0);
	ck_assert_int_eq(se_crypto_jwt_sign(k1, "{}", &t1), 0);
	se_crypto_seed(7);
	ck_assert_int_eq(se_crypto_jwt_key_new(&k2), 0);
	ck_assert_int_eq(se_crypto_jwt_sign(k2, "{}", &t2), 0);
	ck_assert_str_eq(se_crypto_jwt_key_kid(k1), se_crypto_jwt_key_kid(k2));
	ck_assert_int_eq(se_crypto_jwt_key_public_jwk(k1, &j1), 0);
	ck_assert_int_eq(se_crypto_jwt_key_public_jwk(k2, &j2), 0);
	ck_assert_str_eq(json_string_value(json_object_get(j1, "n")), json_string_value(json_object_get(j2, "n")));
	ck_assert_str_eq(t1, t2);
	json_decref(j1);
	json_decref(j2);
	free(t1);
	free(t2);
	se_crypto_jwt_key_free(k1);
	se_crypto_jwt_key_free(k2);
}
END_TEST

/* {"keys":[...]} of the given JWKs (references stolen). */
static json_t *jwks_of(json_t *a, json_t *b)
{
	json_t *keys = json_array();
	json_array_append_new(keys, a);
	if (b)
		json_array_append_new(keys, b);
	return json_pack("{s:o}", "keys", keys);
}

/* A compact JWS of payload signed by jwk with header {"alg":alg} (and "kid" when not NULL), made with cjose
 * directly. Caller frees. */
static char *cjose_token(const cjose_jwk_t *jwk, const char *alg, const char *kid, const char *payload)
{
	cjose_err err;
	const char *compact = NULL;
	cjose_header_t *h = cjose_header_new(&err);
	ck_assert(cjose_header_set(h, CJOSE_HDR_ALG, alg, &err));
	if (kid)
		ck_assert(cjose_header_set(h, CJOSE_HDR_KID, kid, &err));
	cjose_jws_t *jws = cjose_jws_sign(jwk, h, (const uint8_t *)payload, strlen(payload), &err);
	ck_assert_ptr_nonnull(jws);
	ck_assert(cjose_jws_export(jws, &compact, &err));
	char *out = strdup(compact);
	cjose_jws_release(jws);
	cjose_header_release(h);
	return out;
}

/* A cjose JWK as jansson JSON (public members only unless priv). */
static json_t *cjose_json(const cjose_jwk_t *jwk, bool priv)
{
	cjose_err err;
	char *text = cjose_jwk_to_json(jwk, priv, &err);
	json_t *j = json_loads(text, 0, NULL);
	cjose_get_dealloc()(text);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(test_verify_jwks)
{
	se_jwt_key *k = NULL, *other = NULL;
	json_t *mine = NULL, *theirs = NULL;
	char *jwt = NULL, *got = NULL;
	ck_assert_int_eq(se_crypto_jwt_key_new(&k), 0);
	ck_assert_int_eq(se_crypto_jwt_key_new(&other), 0);
	ck_assert_int_eq(se_crypto_jwt_sign(k, "{\"sub\":\"a\"}", &jwt), 0);
	ck_assert_int_eq(se_crypto_jwt_key_public_jwk(k, &mine), 0);
	ck_assert_int_eq(se_crypto_jwt_key_public_jwk(other, &theirs), 0);

	/* Found by kid, alone or among others. */
	json_t *set = jwks_of(json_incref(mine), NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), 0);
	ck_assert_str_eq(got, "{\"sub\":\"a\"}");
	free(got);
	json_decref(set);
	set = jwks_of(json_incref(theirs), json_incref(mine));
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), 0);
	free(got);
	json_decref(set);

	/* Only another key, or this key's n under another kid, or under the right kid but for encryption or
	 * another algorithm: no key. */
	got = (char *)0x1;
	set = jwks_of(json_incref(theirs), NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);
	json_t *copy = json_deep_copy(mine);
	json_object_set_new(copy, "kid", json_string("jwk-test-other"));
	set = jwks_of(copy, NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);
	copy = json_deep_copy(mine);
	json_object_set_new(copy, "use", json_string("enc"));
	set = jwks_of(copy, NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);
	copy = json_deep_copy(mine);
	json_object_set_new(copy, "alg", json_string("RS512"));
	set = jwks_of(copy, NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);
	/* Two keys with the same kid: ambiguous. */
	set = jwks_of(json_incref(mine), json_deep_copy(mine));
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);

	/* Tampered signature. */
	set = jwks_of(json_incref(mine), NULL);
	char *bad = strdup(jwt);
	char *p = strrchr(bad, '.') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, bad, &got), SE_ECRYPTO);
	free(bad);

	/* Malformed tokens and sets. Padding or other characters in a part never reach cjose's decoder, which would
	 * abort on "A=". */
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, "a.b", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, "A=.A=.A=", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, "eyJhbGciOiJSUzI1NiJ9.AAAAA=.AAAA", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, "eyJhbGciOiJSUzI1NiJ9.e30.A=", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, "eyJhbGciOiJSUzI1NiJ9.e30.AA AA", &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, NULL, &got), SE_EINVAL);
	json_t *empty = json_object();
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(empty, jwt, &got), SE_EINVAL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(NULL, jwt, &got), SE_EINVAL);
	json_decref(empty);
	json_t *junk = json_pack("{s:[i,s,{}]}", "keys", 1, "x");
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(junk, jwt, &got), SE_ECRYPTO);
	json_decref(junk);
	/* A key whose members are not base64url text is not used (cjose's decoder would abort on "A="). */
	copy = json_deep_copy(mine);
	json_object_set_new(copy, "e", json_string("A="));
	junk = jwks_of(copy, NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(junk, jwt, &got), SE_ECRYPTO);
	json_decref(junk);
	copy = json_deep_copy(mine);
	json_object_set_new(copy, "n", json_integer(5));
	junk = jwks_of(copy, NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(junk, jwt, &got), SE_ECRYPTO);
	json_decref(junk);
	ck_assert_ptr_eq(got, (char *)0x1);
	json_decref(set);

	free(jwt);
	json_decref(mine);
	json_decref(theirs);
	se_crypto_jwt_key_free(k);
	se_crypto_jwt_key_free(other);
}
END_TEST

START_TEST(test_verify_jwks_algorithms)
{
	cjose_err err;
	char *jwt = NULL, *got = NULL;
	cjose_jwk_t *rsa = cjose_jwk_create_RSA_random(2048, NULL, 0, &err);
	ck_assert_ptr_nonnull(rsa);

	/* No kid in the token: the set's only key is the one. */
	jwt = cjose_token(rsa, CJOSE_HDR_ALG_RS256, NULL, "{\"iss\":\"idp\"}");
	json_t *set = jwks_of(cjose_json(rsa, false), NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), 0);
	ck_assert_str_eq(got, "{\"iss\":\"idp\"}");
	free(got);
	free(jwt);
	/* Other asymmetric algorithms cjose verifies. */
	jwt = cjose_token(rsa, CJOSE_HDR_ALG_PS256, NULL, "{}");
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), 0);
	free(got);
	free(jwt);
	/* No kid and two keys: ambiguous. */
	json_t *two = jwks_of(cjose_json(rsa, false), cjose_json(rsa, false));
	jwt = cjose_token(rsa, CJOSE_HDR_ALG_RS256, NULL, "{}");
	got = (char *)0x1;
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(two, jwt, &got), SE_ECRYPTO);
	free(jwt);
	json_decref(two);
	json_decref(set);

	/* HMAC with a key the set publishes would let anyone sign; "none" signs nothing. */
	uint8_t secret[32] = {1, 2, 3};
	cjose_jwk_t *oct = cjose_jwk_create_oct_spec(secret, sizeof(secret), &err);
	ck_assert_ptr_nonnull(oct);
	jwt = cjose_token(oct, CJOSE_HDR_ALG_HS256, NULL, "{}");
	set = jwks_of(cjose_json(oct, true), NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, jwt, &got), SE_ECRYPTO);
	json_decref(set);
	char *none = malloc(strlen(jwt) + 8);
	strcpy(none, "eyJhbGciOiJub25lIn0"); /* {"alg":"none"} */
	strcat(none, strchr(jwt, '.'));
	set = jwks_of(cjose_json(rsa, false), NULL);
	ck_assert_int_eq(se_crypto_jwt_verify_jwks(set, none, &got), SE_ECRYPTO);
	ck_assert_ptr_eq(got, (char *)0x1);
	json_decref(set);
	free(none);
	free(jwt);
	cjose_jwk_release(oct);
	cjose_jwk_release(rsa);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_jwt,
	    test_seeded_jwt_key,
	    test_verify_jwks,
	    test_verify_jwks_algorithms,
	};
	return t_run("jwt", tests, sizeof(tests) / sizeof(tests[0]));
}
