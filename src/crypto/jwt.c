/* RS256 JSON Web Tokens for session JWTs: the signing key, compact JWS signing and verification, and the public
 * key's JWK members. */
#include "crypto/jwt.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include "crypto/drbg.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "util/errors_code.h"

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Unpadded base64url of in. Returns a malloc'd string the caller frees, or NULL when out of memory. */
static char *b64url_encode(const unsigned char *in, size_t len)
{
	char *out = malloc(len / 3 * 4 + 4 + 1);
	if (!out)
		return NULL;
	size_t j = 0, i = 0;
	for (; i + 3 <= len; i += 3) {
		unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
		out[j++] = b64_url[v >> 18 & 63];
		out[j++] = b64_url[v >> 12 & 63];
		out[j++] = b64_url[v >> 6 & 63];
		out[j++] = b64_url[v & 63];
	}
	if (len - i == 1) {
		unsigned long v = (unsigned long)in[i] << 16;
		out[j++] = b64_url[v >> 18 & 63];
		out[j++] = b64_url[v >> 12 & 63];
	} else if (len - i == 2) {
		unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[j++] = b64_url[v >> 18 & 63];
		out[j++] = b64_url[v >> 12 & 63];
		out[j++] = b64_url[v >> 6 & 63];
	}
	out[j] = '\0';
	return out;
}

/* Decodes len characters of s. url: base64url without padding or whitespace; otherwise standard base64 with
 * optional '=' padding and whitespace ignored anywhere. Non-zero leftover bits are rejected. On success *ret is
 * malloc'd (NUL-terminated for convenience, the NUL not counted in *ret_len), caller frees.
 * Returns 0, SE_EINVAL or SE_ENOMEM. */
static int b64_decode(const char *s, size_t len, int url, unsigned char **ret, size_t *ret_len)
{
	const char *alpha = url ? b64_url : b64_std;
	unsigned char *out = malloc(len / 4 * 3 + 3 + 1);
	unsigned long acc = 0;
	size_t n = 0, j = 0, pad = 0;
	int rc = SE_EINVAL;

	if (!out)
		return SE_ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!url && is_space(c))
			continue;
		if (!url && c == '=') {
			pad++;
			continue;
		}
		const char *hit = c ? strchr(alpha, c) : NULL;
		if (!hit || pad > 0)
			goto out;
		acc = acc << 6 | (unsigned long)(hit - alpha);
		if (++n % 4 == 0) {
			out[j++] = (unsigned char)(acc >> 16);
			out[j++] = (unsigned char)(acc >> 8);
			out[j++] = (unsigned char)acc;
			acc = 0;
		}
	}
	switch (n % 4) {
	case 0:
		if (pad != 0)
			goto out;
		break;
	case 1: goto out;
	case 2:
		if ((pad != 0 && pad != 2) || (acc & 0x0f))
			goto out;
		out[j++] = (unsigned char)(acc >> 4);
		break;
	case 3:
		if ((pad != 0 && pad != 1) || (acc & 0x03))
			goto out;
		out[j++] = (unsigned char)(acc >> 10);
		out[j++] = (unsigned char)(acc >> 2);
		break;
	}
	out[j] = '\0';
	*ret = out;
	*ret_len = j;
	out = NULL;
	rc = 0;
out:
	free(out);
	return rc;
}

/* ---- RS256 JWT ---------------------------------------------------------------------------------------------- */

/* Without a seed the RSA key is made on a thread of its own, so that start-up does not wait the
 * tenth of a second it takes; the first use waits for it (key_ready). With a seed it is made at
 * once, so that the generator's stream stays in the same order run to run. */
struct se_jwt_key {
	EVP_PKEY *pkey;
	char kid[48];
	pthread_mutex_t lock; /* guards pending and thread */
	bool pending;
	pthread_t thread;
	int gen_rc;
};

static void *jwt_keygen(void *v)
{
	se_jwt_key *k = v;
	k->gen_rc = se_crypto_rsa_generate(&k->pkey);
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
	bool seeded = se_crypto_seeded();
	if (!seeded && pthread_create(&k->thread, NULL, jwt_keygen, k) == 0) {
		k->pending = true;
	} else {
		k->gen_rc = se_crypto_rsa_generate(&k->pkey);
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
	EVP_PKEY_free(k->pkey);
	pthread_mutex_destroy(&k->lock);
	free(k);
}

const char *se_crypto_jwt_key_kid(const se_jwt_key *k)
{
	return k->kid;
}

int se_crypto_jwt_sign(const se_jwt_key *k, const char *payload_json, char **ret_jwt)
{
	EVP_MD_CTX *md = NULL;
	char header[128];
	char *h64 = NULL, *p64 = NULL, *s64 = NULL, *out = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	int rc = SE_EINVAL;

	if (!k || !payload_json || !ret_jwt)
		goto out;
	snprintf(header, sizeof(header), "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"%s\"}", k->kid);
	rc = SE_ENOMEM;
	h64 = b64url_encode((const unsigned char *)header, strlen(header));
	p64 = b64url_encode((const unsigned char *)payload_json, strlen(payload_json));
	if (!h64 || !p64)
		goto out;
	size_t hl = strlen(h64), pl = strlen(p64);
	out = malloc(hl + 1 + pl + 1);
	if (!out)
		goto out;
	memcpy(out, h64, hl);
	out[hl] = '.';
	memcpy(out + hl + 1, p64, pl + 1);

	rc = SE_ECRYPTO;
	if (key_ready(k) < 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestSignInit_ex(md, NULL, "SHA256", se_crypto_libctx(), NULL, k->pkey, NULL) ||
	    !EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)out, hl + 1 + pl))
		goto out;
	sig = malloc(siglen);
	if (!sig) {
		rc = SE_ENOMEM;
		goto out;
	}
	if (!EVP_DigestSign(md, sig, &siglen, (const unsigned char *)out, hl + 1 + pl))
		goto out;
	rc = SE_ENOMEM;
	s64 = b64url_encode(sig, siglen);
	if (!s64)
		goto out;
	size_t sl = strlen(s64);
	char *grown = realloc(out, hl + 1 + pl + 1 + sl + 1);
	if (!grown)
		goto out;
	out = grown;
	out[hl + 1 + pl] = '.';
	memcpy(out + hl + 1 + pl + 1, s64, sl + 1);
	*ret_jwt = out;
	out = NULL;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	free(h64);
	free(p64);
	free(s64);
	free(sig);
	free(out);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* Scans a plain JSON string starting at s[*i] == '"' (no escapes, no control characters). On success sets
 * *ret_start and *ret_len to the contents and advances *i past the closing quote. Returns 0 or SE_EINVAL. */
static int json_plain_string(const char *s, size_t n, size_t *i, size_t *ret_start, size_t *ret_len)
{
	if (*i >= n || s[*i] != '"')
		return SE_EINVAL;
	size_t start = ++*i;
	while (*i < n && s[*i] != '"') {
		if (s[*i] == '\\' || (unsigned char)s[*i] < 0x20)
			return SE_EINVAL;
		++*i;
	}
	if (*i >= n)
		return SE_EINVAL;
	*ret_start = start;
	*ret_len = *i - start;
	++*i;
	return 0;
}

static void json_ws(const char *s, size_t n, size_t *i)
{
	while (*i < n && (s[*i] == ' ' || s[*i] == '\t' || s[*i] == '\r' || s[*i] == '\n'))
		++*i;
}

/* Validates s as a flat JSON object of plain string members and finds key. On success *ret_val and *ret_len point into
 * s (not NUL-terminated). Returns 0, SE_ENOTFOUND when the key is absent, SE_EINVAL when s is not such an object or the
 * key appears twice. */
static int json_flat_get(const char *s, size_t n, const char *key, const char **ret_val, size_t *ret_len)
{
	size_t i = 0, ks, kl, vs, vl, klen = strlen(key);
	const char *val = NULL;
	size_t val_len = 0;

	json_ws(s, n, &i);
	if (i >= n || s[i++] != '{')
		return SE_EINVAL;
	json_ws(s, n, &i);
	if (i < n && s[i] == '}') {
		i++;
	} else {
		for (;;) {
			if (json_plain_string(s, n, &i, &ks, &kl) < 0)
				return SE_EINVAL;
			json_ws(s, n, &i);
			if (i >= n || s[i++] != ':')
				return SE_EINVAL;
			json_ws(s, n, &i);
			if (json_plain_string(s, n, &i, &vs, &vl) < 0)
				return SE_EINVAL;
			if (kl == klen && memcmp(s + ks, key, klen) == 0) {
				if (val)
					return SE_EINVAL;
				val = s + vs;
				val_len = vl;
			}
			json_ws(s, n, &i);
			if (i < n && s[i] == ',') {
				i++;
				json_ws(s, n, &i);
				continue;
			}
			if (i < n && s[i] == '}') {
				i++;
				break;
			}
			return SE_EINVAL;
		}
	}
	json_ws(s, n, &i);
	if (i != n)
		return SE_EINVAL;
	if (!val)
		return SE_ENOTFOUND;
	*ret_val = val;
	*ret_len = val_len;
	return 0;
}

static int field_is(const char *val, size_t len, const char *want)
{
	return len == strlen(want) && memcmp(val, want, len) == 0;
}

int se_crypto_jwt_verify(const se_jwt_key *k, const char *jwt, char **ret_payload)
{
	unsigned char *header = NULL, *payload = NULL, *sig = NULL;
	size_t header_len = 0, payload_len = 0, sig_len = 0;
	EVP_MD_CTX *md = NULL;
	const char *alg = NULL, *kid = NULL;
	size_t alg_len = 0, kid_len = 0;
	int rc = SE_EINVAL;

	if (!k || !jwt || !ret_payload)
		goto out;
	size_t len = strnlen(jwt, SE_CRYPTO_JWT_MAX + 1);
	if (len > SE_CRYPTO_JWT_MAX)
		goto out;
	const char *d1 = memchr(jwt, '.', len);
	const char *d2 = d1 ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - jwt)) : NULL;
	if (!d1 || !d2 || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - jwt)) || d1 == jwt || d2 == d1 + 1 ||
	    d2 + 1 == jwt + len)
		goto out;
	rc = b64_decode(jwt, (size_t)(d1 - jwt), 1, &header, &header_len);
	if (rc < 0)
		goto out;
	rc = b64_decode(d1 + 1, (size_t)(d2 - d1 - 1), 1, &payload, &payload_len);
	if (rc < 0)
		goto out;
	rc = b64_decode(d2 + 1, len - (size_t)(d2 + 1 - jwt), 1, &sig, &sig_len);
	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	if (memchr(payload, '\0', payload_len))
		goto out;
	if (json_flat_get((const char *)header, header_len, "alg", &alg, &alg_len) < 0)
		goto out;
	int krc = json_flat_get((const char *)header, header_len, "kid", &kid, &kid_len);
	if (krc == SE_EINVAL)
		goto out;
	rc = SE_ECRYPTO;
	if (!field_is(alg, alg_len, "RS256") || krc < 0 || !field_is(kid, kid_len, k->kid))
		goto out;
	if (key_ready(k) < 0)
		goto out;
	md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestVerifyInit_ex(md, NULL, "SHA256", se_crypto_libctx(), NULL, k->pkey, NULL) ||
	    EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)jwt, (size_t)(d2 - jwt)) != 1)
		goto out;
	*ret_payload = (char *)payload;
	payload = NULL;
	rc = 0;
out:
	EVP_MD_CTX_free(md);
	free(header);
	free(payload);
	free(sig);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* base64url of a big-endian unsigned integer parameter of pkey. Caller frees *ret. */
static int bn_param_b64url(const EVP_PKEY *pkey, const char *param, char **ret)
{
	BIGNUM *bn = NULL;
	unsigned char *bin = NULL;
	int rc = SE_ECRYPTO;

	if (!EVP_PKEY_get_bn_param(pkey, param, &bn))
		goto out;
	int n = BN_num_bytes(bn);
	bin = malloc(n > 0 ? (size_t)n : 1);
	if (!bin) {
		rc = SE_ENOMEM;
		goto out;
	}
	if (BN_bn2bin(bn, bin) != n)
		goto out;
	rc = SE_ENOMEM;
	char *s = b64url_encode(bin, (size_t)n);
	if (!s)
		goto out;
	*ret = s;
	rc = 0;
out:
	free(bin);
	BN_free(bn);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_jwt_key_jwk(const se_jwt_key *k, char **ret_n, char **ret_e)
{
	char *n = NULL, *e = NULL;
	int rc = SE_EINVAL;

	if (!k || !ret_n || !ret_e)
		goto out;
	rc = key_ready(k);
	if (rc < 0)
		goto out;
	rc = bn_param_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n);
	if (rc < 0)
		goto out;
	rc = bn_param_b64url(k->pkey, OSSL_PKEY_PARAM_RSA_E, &e);
	if (rc < 0)
		goto out;
	*ret_n = n;
	*ret_e = e;
	n = e = NULL;
out:
	free(n);
	free(e);
	return rc;
}
