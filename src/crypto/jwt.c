/* RS256 JSON Web Tokens on cjose: the key that signs session JWTs, compact JWS signing and verification, the public
 * JWK, and verification of someone else's JWS against their JWKS. */
#include "crypto/jwt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/base64url.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "util/errors_code.h"

/* The RSA key is generated with OpenSSL in the reproducible library context (crypto/drbg.h) and then handed to cjose
 * as a JWK: cjose's own generator would draw from the default context, which --seed does not reach. Without a seed
 * the key is made on a thread of its own, so that start-up does not wait the tenth of a second it takes; the first
 * use waits for it (key_ready). With a seed it is made at once, so that the generator's stream stays in the same
 * order run to run. */
struct se_jwt_key {
	cjose_jwk_t *jwk;
	char kid[48];
	pthread_mutex_t lock; /* guards pending and thread */
	bool pending;
	pthread_t thread;
	int gen_rc;
};

static int from_cjose(const cjose_err *err)
{
	return err->code == CJOSE_ERR_NO_MEMORY ? SE_ENOMEM : SE_ECRYPTO;
}

/* The RSA parameter param of pkey as big-endian bytes into *ret (OPENSSL_clear_free'd by the caller). */
static int bn_param(const EVP_PKEY *pkey, const char *param, uint8_t **ret, size_t *ret_len)
{
	BIGNUM *bn = NULL;
	int rc = SE_ECRYPTO;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		goto out;
	int n = BN_num_bytes(bn);
	uint8_t *bin = OPENSSL_malloc(n > 0 ? (size_t)n : 1);
	if (!bin) {
		rc = SE_ENOMEM;
		goto out;
	}
	if (BN_bn2bin(bn, bin) != n) {
		OPENSSL_free(bin);
		goto out;
	}
	*ret = bin;
	*ret_len = (size_t)n;
	rc = 0;
out:
	BN_clear_free(bn);
	return rc;
}

/* Generates the RSA key and makes it k->jwk with k->kid. Returns 0, SE_ENOMEM or SE_ECRYPTO. */
static int jwk_generate(se_jwt_key *k)
{
	static const char *const params[8] = {
	    OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	    OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	    OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1,
	};
	uint8_t *bytes[8] = {0};
	size_t lens[8] = {0};
	EVP_PKEY *pkey = NULL;
	cjose_err err = {0};
	int rc = se_crypto_rsa_generate(&pkey);

	for (int i = 0; rc == 0 && i < 8; i++)
		rc = bn_param(pkey, params[i], &bytes[i], &lens[i]);
	if (rc < 0)
		goto out;
	cjose_jwk_rsa_keyspec spec = {
	    .n = bytes[0],
	    .nlen = lens[0],
	    .e = bytes[1],
	    .elen = lens[1],
	    .d = bytes[2],
	    .dlen = lens[2],
	    .p = bytes[3],
	    .plen = lens[3],
	    .q = bytes[4],
	    .qlen = lens[4],
	    .dp = bytes[5],
	    .dplen = lens[5],
	    .dq = bytes[6],
	    .dqlen = lens[6],
	    .qi = bytes[7],
	    .qilen = lens[7],
	};
	k->jwk = cjose_jwk_create_RSA_spec(&spec, &err);
	if (!k->jwk || !cjose_jwk_set_kid(k->jwk, k->kid, strlen(k->kid), &err))
		rc = from_cjose(&err);
out:
	for (int i = 0; i < 8; i++)
		OPENSSL_clear_free(bytes[i], lens[i]);
	EVP_PKEY_free(pkey);
	ERR_clear_error();
	return rc;
}

static void *jwt_keygen(void *v)
{
	se_jwt_key *k = v;
	k->gen_rc = jwk_generate(k);
	return NULL;
}

/* Waits for the key; returns 0 when there is one. */
static int key_ready(const se_jwt_key *ck)
{
	se_jwt_key *k = (se_jwt_key *)ck;
	pthread_mutex_lock(&k->lock);
	if (k->pending) {
		pthread_join(k->thread, NULL);
		k->pending = false;
	}
	int rc = k->gen_rc;
	pthread_mutex_unlock(&k->lock);
	return rc;
}

int se_crypto_jwt_key_new(se_jwt_key **ret)
{
	se_jwt_key *k = calloc(1, sizeof(*k));
	char uuid[37];
	int rc = SE_ENOMEM;

	if (!k)
		goto out;
	pthread_mutex_init(&k->lock, NULL);
	rc = se_crypto_uuid4(uuid);
	if (rc < 0)
		goto out;
	snprintf(k->kid, sizeof(k->kid), "jwk-test-%s", uuid);
	if (!se_crypto_seeded() && pthread_create(&k->thread, NULL, jwt_keygen, k) == 0) {
		k->pending = true;
	} else {
		k->gen_rc = jwk_generate(k);
		rc = k->gen_rc;
		if (rc < 0)
			goto out;
	}
	*ret = k;
	k = NULL;
out:
	se_crypto_jwt_key_free(k);
	return rc;
}

void se_crypto_jwt_key_free(se_jwt_key *k)
{
	if (!k)
		return;
	key_ready(k);
	cjose_jwk_release(k->jwk);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

const char *se_crypto_jwt_key_kid(const se_jwt_key *k)
{
	return k->kid;
}

int se_crypto_jwt_sign(const se_jwt_key *k, const char *payload_json, char **ret_jwt)
{
	cjose_header_t *header = NULL;
	cjose_jws_t *jws = NULL;
	const char *compact = NULL;
	cjose_err err = {0};
	int rc = SE_EINVAL;

	if (!k || !payload_json || !ret_jwt)
		goto out;
	rc = key_ready(k);
	if (rc < 0)
		goto out;
	/* cjose serializes the header in insertion order: {"alg":"RS256","typ":"JWT","kid":"..."}. */
	header = cjose_header_new(&err);
	if (!header || !cjose_header_set(header, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err) ||
	    !cjose_header_set(header, "typ", "JWT", &err) || !cjose_header_set(header, CJOSE_HDR_KID, k->kid, &err)) {
		rc = from_cjose(&err);
		goto out;
	}
	jws = cjose_jws_sign(k->jwk, header, (const uint8_t *)payload_json, strlen(payload_json), &err);
	if (!jws || !cjose_jws_export(jws, &compact, &err) || !compact) {
		rc = jws ? SE_ECRYPTO : from_cjose(&err);
		goto out;
	}
	rc = SE_ENOMEM;
	*ret_jwt = strdup(compact);
	if (*ret_jwt)
		rc = 0;
out:
	cjose_jws_release(jws);
	cjose_header_release(header);
	ERR_clear_error();
	return rc;
}

/* Checks the compact form's shape (length, three non-empty base64url parts) and imports it. On success *ret is the
 * parsed JWS (cjose_jws_release() it) and *ret_alg and *ret_kid its header's alg and kid (NULL when absent or not
 * strings), borrowed from *ret. Returns 0 or SE_EINVAL. */
static int jws_import(const char *jwt, cjose_jws_t **ret, const char **ret_alg, const char **ret_kid)
{
	cjose_err err = {0};

	if (!jwt)
		return SE_EINVAL;
	size_t len = strnlen(jwt, SE_CRYPTO_JWT_MAX + 1);
	if (len > SE_CRYPTO_JWT_MAX)
		return SE_EINVAL;
	const char *d1 = memchr(jwt, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) || d1 == jwt || d2 == d1 + 1 ||
	    d2 + 1 == jwt + len)
		return SE_EINVAL;
	/* Checked before cjose decodes anything: its decoder (0.6.2) aborts the process on a '=' after a lone sextet
	 * ("A="), an assertion an input could trigger. RFC 7515 wants unpadded base64url anyway. */
	if (!se_b64url_is_text(jwt, (size_t)(d1 - jwt)) || !se_b64url_is_text(d1 + 1, (size_t)(d2 - d1 - 1)) ||
	    !se_b64url_is_text(d2 + 1, len - (size_t)(d2 + 1 - jwt)))
		return SE_EINVAL;
	/* cjose refuses a header that is not a JSON object with a known alg, but lets alg "none" through. */
	cjose_jws_t *jws = cjose_jws_import(jwt, len, &err);
	if (!jws) {
		ERR_clear_error();
		return SE_EINVAL;
	}
	json_t *header = (json_t *)cjose_jws_get_protected(jws);
	*ret_alg = json_string_value(json_object_get(header, CJOSE_HDR_ALG));
	*ret_kid = json_string_value(json_object_get(header, CJOSE_HDR_KID));
	*ret = jws;
	return 0;
}

/* Verifies jws with jwk and copies its payload into *ret_payload (malloc'd, caller frees).
 * Returns 0, SE_EINVAL (NUL in the payload), SE_ECRYPTO or SE_ENOMEM. */
static int jws_verified_payload(cjose_jws_t *jws, const cjose_jwk_t *jwk, char **ret_payload)
{
	uint8_t *plain = NULL;
	size_t plain_len = 0;
	cjose_err err = {0};

	if (!cjose_jws_verify(jws, jwk, &err)) {
		ERR_clear_error();
		return err.code == CJOSE_ERR_NO_MEMORY ? SE_ENOMEM : SE_ECRYPTO;
	}
	if (!cjose_jws_get_plaintext(jws, &plain, &plain_len, &err))
		return from_cjose(&err);
	if (memchr(plain, '\0', plain_len))
		return SE_EINVAL;
	char *s = malloc(plain_len + 1);
	if (!s)
		return SE_ENOMEM;
	memcpy(s, plain, plain_len);
	s[plain_len] = '\0';
	*ret_payload = s;
	return 0;
}

int se_crypto_jwt_verify(const se_jwt_key *k, const char *jwt, char **ret_payload)
{
	cjose_jws_t *jws = NULL;
	const char *alg = NULL, *kid = NULL;
	int rc = SE_EINVAL;

	if (!k || !ret_payload)
		goto out;
	rc = jws_import(jwt, &jws, &alg, &kid);
	if (rc < 0)
		goto out;
	rc = SE_ECRYPTO;
	if (!alg || strcmp(alg, CJOSE_HDR_ALG_RS256) != 0 || !kid || strcmp(kid, k->kid) != 0 || key_ready(k) < 0)
		goto out;
	rc = jws_verified_payload(jws, k->jwk, ret_payload);
out:
	cjose_jws_release(jws);
	return rc;
}

/* Signature algorithms accepted from a JWKS: the asymmetric ones cjose verifies. HS* would let anyone who has the
 * public key sign, and "none" signs nothing. */
static bool alg_acceptable(const char *alg)
{
	static const char *const ok[] = {"RS256", "RS384", "RS512", "PS256", "PS384",
	                                 "PS512", "ES256", "ES384", "ES512"};
	for (size_t i = 0; alg && i < sizeof(ok) / sizeof(ok[0]); i++)
		if (strcmp(alg, ok[i]) == 0)
			return true;
	return false;
}

/* Whether every key member of jwk that cjose decodes (RSA, EC and oct) is base64url text (see jws_import()). */
static bool jwk_members_b64url(const json_t *jwk)
{
	static const char *const members[] = {"n", "e", "d", "p", "q", "dp", "dq", "qi", "x", "y", "k"};
	for (size_t i = 0; i < sizeof(members) / sizeof(members[0]); i++) {
		const json_t *v = json_object_get(jwk, members[i]);
		if (v && (!json_is_string(v) || !se_b64url_is_text(json_string_value(v), json_string_length(v))))
			return false;
	}
	return true;
}

/* The member of keys that verifies a JWS with kid (NULL: the set's only signing key) and alg, or NULL. Borrowed. */
static json_t *jwks_find(const json_t *keys, const char *kid, const char *alg)
{
	json_t *found = NULL, *key;
	size_t i, candidates = 0;

	json_array_foreach (keys, i, key) {
		const char *use = json_string_value(json_object_get(key, "use"));
		const char *key_alg = json_string_value(json_object_get(key, "alg"));
		const char *key_kid = json_string_value(json_object_get(key, "kid"));
		if (!json_is_object(key) || (use && strcmp(use, "sig") != 0) ||
		    (key_alg && strcmp(key_alg, alg) != 0) || !jwk_members_b64url(key))
			continue;
		if (kid ? key_kid && strcmp(key_kid, kid) == 0 : true) {
			found = key;
			candidates++;
		}
	}
	/* Two keys with one kid, or several keys and no kid in the token: which one signed is not known. */
	return candidates == 1 ? found : NULL;
}

int se_crypto_jwt_verify_jwks(const json_t *jwks, const char *jwt, char **ret_payload)
{
	cjose_jws_t *jws = NULL;
	cjose_jwk_t *jwk = NULL;
	const char *alg = NULL, *kid = NULL;
	cjose_err err = {0};
	int rc = SE_EINVAL;

	const json_t *keys = json_object_get(jwks, "keys");
	if (!json_is_array(keys) || !ret_payload)
		goto out;
	rc = jws_import(jwt, &jws, &alg, &kid);
	if (rc < 0)
		goto out;
	rc = SE_ECRYPTO;
	json_t *key = alg_acceptable(alg) ? jwks_find(keys, kid, alg) : NULL;
	if (!key)
		goto out;
	jwk = cjose_jwk_import_json((cjose_header_t *)key, &err);
	if (!jwk) {
		ERR_clear_error();
		rc = err.code == CJOSE_ERR_NO_MEMORY ? SE_ENOMEM : SE_ECRYPTO;
		goto out;
	}
	rc = jws_verified_payload(jws, jwk, ret_payload);
out:
	cjose_jwk_release(jwk);
	cjose_jws_release(jws);
	return rc;
}

int se_crypto_jwt_key_public_jwk(const se_jwt_key *k, json_t **ret)
{
	char *text = NULL;
	json_t *pub = NULL, *jwk = NULL;
	cjose_err err = {0};
	int rc = SE_EINVAL;

	if (!k || !ret)
		goto out;
	rc = key_ready(k);
	if (rc < 0)
		goto out;
	text = cjose_jwk_to_json(k->jwk, false, &err);
	if (!text) {
		rc = from_cjose(&err);
		goto out;
	}
	rc = SE_ENOMEM;
	pub = json_loads(text, 0, NULL);
	const char *n = json_string_value(json_object_get(pub, "n"));
	const char *e = json_string_value(json_object_get(pub, "e"));
	if (!n || !e)
		goto out;
	/* The members in the order Stytch's JWKS shows them. */
	jwk = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kty", "RSA", "use", "sig", "alg", "RS256", "kid", k->kid,
	                "n", n, "e", e);
	if (!jwk)
		goto out;
	*ret = jwk;
	rc = 0;
out:
	json_decref(pub);
	if (text)
		cjose_get_dealloc()(text);
	return rc;
}
