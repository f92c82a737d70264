/* OIDC ID tokens on cjose (JWS RS256, JWK), and the relying-party side of the OIDC callback. */
#include "signin/oidc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cjose/cjose.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/base64url.h"
#include "signin/keys.h"
#include "util/errors_code.h"
#include "util/util.h"

#define SKEW 120

static cjose_jwk_t *g_keys[2];
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* A cjose RSA key from a PEM private key: the RSA parameters go through cjose's key spec. */
static cjose_jwk_t *jwk_from_pem(const char *pem)
{
	static const char *const names[] = {OSSL_PKEY_PARAM_RSA_E,         OSSL_PKEY_PARAM_RSA_N,
	                                    OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	                                    OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	                                    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	uint8_t *buf[8] = {0};
	size_t len[8] = {0};
	cjose_jwk_t *jwk = NULL;
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!k)
		return NULL;
	for (size_t i = 0; i < 8; i++) {
		BIGNUM *bn = NULL;
		if (EVP_PKEY_get_bn_param(k, names[i], &bn) != 1)
			goto done;
		len[i] = (size_t)BN_num_bytes(bn);
		buf[i] = malloc(len[i] ? len[i] : 1);
		if (buf[i])
			BN_bn2bin(bn, buf[i]);
		BN_free(bn);
		if (!buf[i])
			goto done;
	}
	cjose_jwk_rsa_keyspec spec = {buf[0], len[0], buf[1], len[1], buf[2], len[2], buf[3], len[3],
	                              buf[4], len[4], buf[5], len[5], buf[6], len[6], buf[7], len[7]};
	cjose_err err;
	jwk = cjose_jwk_create_RSA_spec(&spec, &err);
	if (jwk && !cjose_jwk_set_kid(jwk, SE_OIDC_KID, strlen(SE_OIDC_KID), &err)) {
		cjose_jwk_release(jwk);
		jwk = NULL;
	}
done:
	for (size_t i = 0; i < 8; i++)
		free(buf[i]);
	EVP_PKEY_free(k);
	return jwk;
}

static void init_keys(void)
{
	g_keys[SE_OIDC_KEY_IDP] = jwk_from_pem(se_idp_oidc_key());
	g_keys[SE_OIDC_KEY_ROGUE] = jwk_from_pem(se_idp_rogue_key());
}

static cjose_jwk_t *key(se_oidc_key which)
{
	pthread_once(&g_once, init_keys);
	return g_keys[which];
}

int se_oidc_sign(se_oidc_key which, const json_t *claims, bool tamper, char **ret)
{
	cjose_jwk_t *jwk = key(which);
	if (!jwk)
		return SE_ECRYPTO;
	cjose_err err;
	char *payload = se_json_dump(claims);
	cjose_header_t *hdr = payload ? cjose_header_new(&err) : NULL;
	cjose_jws_t *jws = NULL;
	int r = SE_ENOMEM;
	if (!hdr || !cjose_header_set(hdr, CJOSE_HDR_ALG, CJOSE_HDR_ALG_RS256, &err) ||
	    !cjose_header_set(hdr, CJOSE_HDR_KID, SE_OIDC_KID, &err) || !cjose_header_set(hdr, "typ", "JWT", &err))
		goto done;
	r = SE_ECRYPTO;
	jws = cjose_jws_sign(jwk, hdr, (const uint8_t *)payload, strlen(payload), &err);
	const char *compact = NULL;
	if (!jws || !cjose_jws_export(jws, &compact, &err))
		goto done;
	char *out = strdup(compact);
	if (out && tamper) {
		/* Re-sign nothing: swap one payload character, so the signature no longer matches. */
		char *dot = strchr(out, '.');
		if (dot && dot[1] && dot[2])
			dot[2] = dot[2] == 'A' ? 'B' : 'A';
	}
	*ret = out;
	r = out ? 0 : SE_ENOMEM;
done:
	cjose_jws_release(jws);
	cjose_header_release(hdr);
	free(payload);
	return r;
}

json_t *se_oidc_jwks(void)
{
	cjose_jwk_t *jwk = key(SE_OIDC_KEY_IDP);
	cjose_err err;
	char *pub = jwk ? cjose_jwk_to_json(jwk, false, &err) : NULL;
	json_t *k = pub ? json_loads(pub, 0, NULL) : NULL;
	free(pub);
	if (!k)
		return NULL;
	json_object_set_new(k, "use", json_string("sig"));
	json_object_set_new(k, "alg", json_string("RS256"));
	json_object_set_new(k, "kid", json_string(SE_OIDC_KID));
	return json_pack("{s:[o]}", "keys", k);
}

static bool aud_has(const json_t *aud, const char *client_id)
{
	size_t i;
	json_t *v;
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), client_id) == 0;
	json_array_foreach (aud, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), client_id) == 0)
			return true;
	return false;
}

se_error_id se_oidc_verify(const char *jwt, const json_t *jwks, const char *issuer, const char *client_id,
                           const char *nonce, time_t now, json_t **ret_claims, const char **why)
{
	cjose_err err;
	cjose_jws_t *jws = NULL;
	cjose_jwk_t *jwk = NULL;
	json_t *claims = NULL;
	se_error_id e = SE_ERR_SI_OIDC_INVALID_ID_TOKEN;
	*why = "the id_token is not a compact JWS";
	size_t len = jwt ? strlen(jwt) : 0;
	size_t dots = 0;
	for (size_t i = 0; i < len; i++)
		dots += jwt[i] == '.';
	if (!len || len > SE_OIDC_MAX_JWT || dots != 2)
		goto done;
	/* Only canonical base64url reaches cjose, whose decoder aborts on some non-canonical text. */
	for (const char *part = jwt; part;) {
		const char *dot = strchr(part, '.');
		size_t plen = dot ? (size_t)(dot - part) : strlen(part);
		unsigned char *raw = NULL;
		size_t rlen = 0;
		int ok = se_b64url_decode(part, plen, &raw, &rlen);
		free(raw);
		if (ok < 0)
			goto done;
		part = dot ? dot + 1 : NULL;
	}
	if (!(jws = cjose_jws_import(jwt, len, &err)))
		goto done;
	e = SE_ERR_SI_ID_TOKEN_INVALID;
	json_t *hdr = (json_t *)cjose_jws_get_protected(jws);
	const char *alg = se_json_str(hdr, "alg"), *kid = se_json_str(hdr, "kid");
	*why = "alg is not RS256";
	if (!alg || strcmp(alg, "RS256") != 0)
		goto done;
	*why = "no key of the connection's jwks_url has the id_token's kid";
	size_t i;
	json_t *k;
	json_array_foreach (json_object_get(jwks, "keys"), i, k) {
		const char *kk = se_json_str(k, "kid");
		if (!json_is_object(k) || (kid && (!kk || strcmp(kk, kid) != 0)) ||
		    (!kid && json_array_size(json_object_get(jwks, "keys")) != 1))
			continue;
		jwk = cjose_jwk_import_json((cjose_header_t *)k, &err);
		break;
	}
	if (!jwk || cjose_jwk_get_kty(jwk, &err) != CJOSE_JWK_KTY_RSA)
		goto done;
	*why = "the id_token signature does not verify";
	uint8_t *plain = NULL;
	size_t plen = 0;
	if (!cjose_jws_verify(jws, jwk, &err) || !cjose_jws_get_plaintext(jws, &plain, &plen, &err))
		goto done;
	claims = json_loadb((const char *)plain, plen, JSON_REJECT_DUPLICATES, NULL);
	*why = "the id_token payload is not a JSON object";
	if (!json_is_object(claims))
		goto done;
	*why = "iss is not the connection's issuer";
	const char *iss = se_json_str(claims, "iss");
	if (!iss || strcmp(iss, issuer) != 0)
		goto done;
	e = SE_ERR_SI_ID_TOKEN_INCORRECT_AUDIENCE;
	*why = "aud does not name the connection's client_id";
	json_t *aud = json_object_get(claims, "aud");
	const char *azp = se_json_str(claims, "azp");
	if (!aud_has(aud, client_id) ||
	    (json_is_array(aud) && json_array_size(aud) > 1 && (!azp || strcmp(azp, client_id) != 0)))
		goto done;
	e = SE_ERR_SI_ID_TOKEN_EXPIRED;
	*why = "exp has passed";
	json_t *exp = json_object_get(claims, "exp");
	if (!json_is_integer(exp) || json_integer_value(exp) <= (json_int_t)(now - SKEW))
		goto done;
	e = SE_ERR_SI_ID_TOKEN_NONCE_INVALID;
	*why = "nonce is not the flow's";
	const char *n = se_json_str(claims, "nonce");
	if (!n || !nonce || strcmp(n, nonce) != 0)
		goto done;
	e = SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISSING;
	*why = "the id_token has no sub";
	if (!se_json_str(claims, "sub") || !*se_json_str(claims, "sub"))
		goto done;
	e = SE_ERR_NONE;
	*why = "ok";
	*ret_claims = claims;
	claims = NULL;
done:
	json_decref(claims);
	cjose_jwk_release(jwk);
	cjose_jws_release(jws);
	return e;
}

void se_oidc_identity_release(se_oidc_identity *id)
{
	free(id->email);
	free(id->name);
	free(id->sub);
	json_decref(id->groups);
	json_decref(id->trusted);
	json_decref(id->claims);
	memset(id, 0, sizeof *id);
}
