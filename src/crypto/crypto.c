/* Cryptographic primitives on OpenSSL 3 libcrypto. RSA keys are generated in a private library context whose DRBGs
 * are an in-process EVP_RAND provider drawing from this module's generator, which is what makes key generation
 * deterministic once se_crypto_seed() has been called. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include "crypto/crypto.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/errors_code.h"

/* ---- generator ---------------------------------------------------------------------------------------------- */

/* g_mutex guards the three variables below. While g_seeded, bytes are the AES-256-CTR keystream of a key derived
 * from the seed; g_broken makes a failed se_crypto_seed() fail closed instead of silently falling back to OS
 * randomness. */
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static EVP_CIPHER_CTX *g_ctr;
static int g_seeded;
static int g_broken;
static atomic_uint g_epoch; /* moves on every se_crypto_seed(); see id_bytes() */

#define GEN_CHUNK 4096

void se_crypto_seed(uint64_t seed)
{
	static const char label[] = "ssoemu/crypto/drbg/v1";
	unsigned char in[sizeof(label) - 1 + 8];
	unsigned char key[32];
	unsigned char iv[16] = {0};
	unsigned int keylen = 0;

	memcpy(in, label, sizeof(label) - 1);
	for (int i = 0; i < 8; i++)
		in[sizeof(label) - 1 + (size_t)i] = (unsigned char)(seed >> (56 - 8 * i));

	pthread_mutex_lock(&g_mutex);
	g_seeded = 1;
	g_broken = 1;
	atomic_fetch_add(&g_epoch, 1);
	if (!g_ctr)
		g_ctr = EVP_CIPHER_CTX_new();
	if (g_ctr && EVP_Digest(in, sizeof(in), key, &keylen, EVP_sha256(), NULL) && keylen == sizeof(key) &&
	    EVP_EncryptInit_ex(g_ctr, EVP_aes_256_ctr(), NULL, key, iv))
		g_broken = 0;
	pthread_mutex_unlock(&g_mutex);
	OPENSSL_cleanse(key, sizeof(key));
}

/* Fills buf from the seeded stream, or from OpenSSL's public (priv == 0) or private DRBG of the default library
 * context. Returns 0 or SE_ECRYPTO. */
static int gen_bytes(void *buf, size_t len, int priv)
{
	unsigned char *p = buf;
	int rc = 0;

	pthread_mutex_lock(&g_mutex);
	if (!g_seeded) {
		pthread_mutex_unlock(&g_mutex);
		while (len > 0) {
			int n = len > GEN_CHUNK ? GEN_CHUNK : (int)len;
			if ((priv ? RAND_priv_bytes(p, n) : RAND_bytes(p, n)) != 1)
				return SE_ECRYPTO;
			p += n;
			len -= (size_t)n;
		}
		return 0;
	}
	if (g_broken) {
		rc = SE_ECRYPTO;
		goto out;
	}
	while (len > 0) {
		int n = len > GEN_CHUNK ? GEN_CHUNK : (int)len;
		int outl = 0;
		memset(p, 0, (size_t)n);
		if (!EVP_EncryptUpdate(g_ctr, p, &outl, p, n) || outl != n) {
			g_broken = 1;
			rc = SE_ECRYPTO;
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
out:
	pthread_mutex_unlock(&g_mutex);
	return rc;
}

int se_crypto_random(void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!buf)
		return SE_EINVAL;
	return gen_bytes(buf, len, 0);
}

int se_crypto_random_alnum(char *out, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
	unsigned char pool[64];
	size_t have = 0, used = 0, i = 0;
	int rc = 0;

	while (i < len) {
		if (used == have) {
			rc = se_crypto_random(pool, sizeof(pool));
			if (rc < 0)
				goto out;
			have = sizeof(pool);
			used = 0;
		}
		unsigned char b = pool[used++];
		/* 248 = 4 * 62: bytes above it are dropped so every character is equally likely. */
		if (b < 248)
			out[i++] = alphabet[b % 62];
	}
	out[len] = '\0';
out:
	OPENSSL_cleanse(pool, sizeof(pool));
	return rc;
}

/* Ids take 16 random bytes each, several per request. Without a seed they come from a per-thread pool
 * filled ID_POOL bytes at a time from OpenSSL, whose DRBG costs more per call than per byte; ids are
 * public, so pooled bytes hold nothing secret. With a seed they are drawn from the stream in order.
 * g_epoch moves on every se_crypto_seed(), so that no pool outlives one. */
#define ID_POOL 1024
static _Thread_local unsigned char id_pool[ID_POOL];
static _Thread_local size_t id_pool_left;
static _Thread_local unsigned id_pool_epoch;

static int id_bytes(unsigned char *b, size_t n)
{
	unsigned epoch = atomic_load(&g_epoch);
	if (id_pool_left >= n && id_pool_epoch == epoch) {
		memcpy(b, id_pool + ID_POOL - id_pool_left, n);
		id_pool_left -= n;
		return 0;
	}
	pthread_mutex_lock(&g_mutex);
	int seeded = g_seeded;
	pthread_mutex_unlock(&g_mutex);
	if (seeded)
		return se_crypto_random(b, n);
	if (RAND_bytes(id_pool, ID_POOL) != 1)
		return SE_ECRYPTO;
	id_pool_epoch = epoch;
	id_pool_left = ID_POOL - n;
	memcpy(b, id_pool, n);
	return 0;
}

int se_crypto_uuid4(char out[37])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char b[16];
	char s[37];
	int rc = id_bytes(b, sizeof(b));
	if (rc < 0)
		return rc;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	size_t j = 0;
	for (size_t i = 0; i < sizeof(b); i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			s[j++] = '-';
		s[j++] = hex[b[i] >> 4];
		s[j++] = hex[b[i] & 0x0f];
	}
	s[j] = '\0';
	memcpy(out, s, sizeof(s));
	return 0;
}

/* ---- EVP_RAND provider over the generator ------------------------------------------------------------------- */

/* Every DRBG of the private library context (primary, public, private) is one of these. They hold no state of their
 * own: each generate call goes straight to gen_bytes(), so nothing is buffered across a se_crypto_seed(). */
struct se_rand {
	int state;
};

static void *rand_newctx(void *provctx, void *parent, const OSSL_DISPATCH *parent_calls)
{
	(void)provctx;
	(void)parent;
	(void)parent_calls;
	struct se_rand *r = calloc(1, sizeof(*r));
	if (r)
		r->state = EVP_RAND_STATE_UNINITIALISED;
	return r;
}

static void rand_freectx(void *vctx)
{
	free(vctx);
}

static int rand_instantiate(void *vctx, unsigned int strength, int prediction_resistance, const unsigned char *pstr,
                            size_t pstr_len, const OSSL_PARAM params[])
{
	(void)strength;
	(void)prediction_resistance;
	(void)pstr;
	(void)pstr_len;
	(void)params;
	((struct se_rand *)vctx)->state = EVP_RAND_STATE_READY;
	return 1;
}

static int rand_uninstantiate(void *vctx)
{
	((struct se_rand *)vctx)->state = EVP_RAND_STATE_UNINITIALISED;
	return 1;
}

static int rand_generate(void *vctx, unsigned char *out, size_t outlen, unsigned int strength,
                         int prediction_resistance, const unsigned char *addin, size_t addin_len)
{
	(void)prediction_resistance;
	(void)addin;
	(void)addin_len;
	if (((struct se_rand *)vctx)->state != EVP_RAND_STATE_READY || strength > 256)
		return 0;
	return gen_bytes(out, outlen, 1) == 0;
}

static int rand_reseed(void *vctx, int prediction_resistance, const unsigned char *ent, size_t ent_len,
                       const unsigned char *addin, size_t addin_len)
{
	(void)vctx;
	(void)prediction_resistance;
	(void)ent;
	(void)ent_len;
	(void)addin;
	(void)addin_len;
	return 1;
}

/* gen_bytes() does its own locking; these exist because the primary DRBG must support locking. */
static int rand_enable_locking(void *vctx)
{
	(void)vctx;
	return 1;
}

static int rand_lock(void *vctx)
{
	(void)vctx;
	return 1;
}

static void rand_unlock(void *vctx)
{
	(void)vctx;
}

static const OSSL_PARAM rand_gettable[] = {
    OSSL_PARAM_int(OSSL_RAND_PARAM_STATE, NULL),
    OSSL_PARAM_uint(OSSL_RAND_PARAM_STRENGTH, NULL),
    OSSL_PARAM_size_t(OSSL_RAND_PARAM_MAX_REQUEST, NULL),
    OSSL_PARAM_END,
};

static const OSSL_PARAM *rand_gettable_ctx_params(void *vctx, void *provctx)
{
	(void)vctx;
	(void)provctx;
	return rand_gettable;
}

static int rand_get_ctx_params(void *vctx, OSSL_PARAM params[])
{
	OSSL_PARAM *p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STATE);
	if (p && !OSSL_PARAM_set_int(p, ((struct se_rand *)vctx)->state))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_STRENGTH);
	if (p && !OSSL_PARAM_set_uint(p, 256))
		return 0;
	p = OSSL_PARAM_locate(params, OSSL_RAND_PARAM_MAX_REQUEST);
	if (p && !OSSL_PARAM_set_size_t(p, 1 << 16))
		return 0;
	return 1;
}

static const OSSL_DISPATCH rand_functions[] = {
    {OSSL_FUNC_RAND_NEWCTX, (void (*)(void))rand_newctx},
    {OSSL_FUNC_RAND_FREECTX, (void (*)(void))rand_freectx},
    {OSSL_FUNC_RAND_INSTANTIATE, (void (*)(void))rand_instantiate},
    {OSSL_FUNC_RAND_UNINSTANTIATE, (void (*)(void))rand_uninstantiate},
    {OSSL_FUNC_RAND_GENERATE, (void (*)(void))rand_generate},
    {OSSL_FUNC_RAND_RESEED, (void (*)(void))rand_reseed},
    {OSSL_FUNC_RAND_ENABLE_LOCKING, (void (*)(void))rand_enable_locking},
    {OSSL_FUNC_RAND_LOCK, (void (*)(void))rand_lock},
    {OSSL_FUNC_RAND_UNLOCK, (void (*)(void))rand_unlock},
    {OSSL_FUNC_RAND_GETTABLE_CTX_PARAMS, (void (*)(void))rand_gettable_ctx_params},
    {OSSL_FUNC_RAND_GET_CTX_PARAMS, (void (*)(void))rand_get_ctx_params},
    {0, NULL},
};

#define SE_RAND_PROVIDER "ssoemu-rand"
#define SE_RAND_NAME "SSOEMU-DRBG"

static const OSSL_ALGORITHM provider_rands[] = {
    {SE_RAND_NAME, "provider=" SE_RAND_PROVIDER, rand_functions, "ssoemu generator"},
    {NULL, NULL, NULL, NULL},
};

static const OSSL_ALGORITHM *provider_query(void *provctx, int operation_id, int *no_cache)
{
	(void)provctx;
	*no_cache = 0;
	return operation_id == OSSL_OP_RAND ? provider_rands : NULL;
}

static const OSSL_DISPATCH provider_functions[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))provider_query},
    {0, NULL},
};

static int provider_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in, const OSSL_DISPATCH **out,
                         void **provctx)
{
	(void)handle;
	(void)in;
	*out = provider_functions;
	*provctx = NULL;
	return 1;
}

/* The library context for everything that needs randomness inside OpenSSL (key generation, signing blinding).
 * Created once and kept for the life of the process. */
static OSSL_LIB_CTX *g_libctx;
static OSSL_PROVIDER *g_prov_rand;
static OSSL_PROVIDER *g_prov_default;
static pthread_once_t g_libctx_once = PTHREAD_ONCE_INIT;

static void libctx_init(void)
{
	OSSL_LIB_CTX *lc = OSSL_LIB_CTX_new();
	if (!lc)
		return;
	if (!OSSL_PROVIDER_add_builtin(lc, SE_RAND_PROVIDER, provider_init))
		goto fail;
	g_prov_rand = OSSL_PROVIDER_load(lc, SE_RAND_PROVIDER);
	g_prov_default = OSSL_PROVIDER_load(lc, "default");
	if (!g_prov_rand || !g_prov_default)
		goto fail;
	/* Must happen before anything creates this context's DRBGs. */
	if (!RAND_set_DRBG_type(lc, SE_RAND_NAME, "provider=" SE_RAND_PROVIDER, NULL, NULL))
		goto fail;
	g_libctx = lc;
	return;
fail:
	if (g_prov_rand)
		OSSL_PROVIDER_unload(g_prov_rand);
	if (g_prov_default)
		OSSL_PROVIDER_unload(g_prov_default);
	g_prov_rand = g_prov_default = NULL;
	OSSL_LIB_CTX_free(lc);
	ERR_clear_error();
}

/* Returns the private library context, or NULL when it could not be set up. */
static OSSL_LIB_CTX *libctx(void)
{
	pthread_once(&g_libctx_once, libctx_init);
	return g_libctx;
}

/* ---- small helpers ------------------------------------------------------------------------------------------ */

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

/* Copies the whole content of a memory BIO into a new NUL-terminated string. Returns 0 or SE_ENOMEM. */
static int bio_to_string(BIO *bio, char **ret)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		return SE_ENOMEM;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return SE_ENOMEM;
	if (n > 0)
		memcpy(s, data, (size_t)n);
	s[n] = '\0';
	*ret = s;
	return 0;
}

/* Password callback that refuses, so an encrypted key fails to parse instead of prompting on the terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Checks that s is at most SE_CRYPTO_PEM_MAX long and, after leading whitespace, starts with "-----BEGIN <label>-----".
 * Returns 0 with *ret_buf a malloc'd copy from there (the PEM reader wants BEGIN at the start of a line), caller
 * frees, and *ret_len its length; or SE_EINVAL / SE_ENOMEM. When the body between BEGIN and END has no headers,
 * the copy is re-wrapped: whitespace inside the base64 is dropped and it is cut into lines of 64, so that a PEM
 * whose line breaks became spaces (as the Admin Portal's one-line certificate field sends it) reads like any
 * other. */
static int pem_precheck(const char *s, const char *label, char **ret_buf, size_t *ret_len)
{
	if (!s)
		return SE_EINVAL;
	size_t len = strnlen(s, SE_CRYPTO_PEM_MAX + 1);
	if (len > SE_CRYPTO_PEM_MAX)
		return SE_EINVAL;
	const char *p = s;
	while (is_space(*p))
		p++;
	size_t ll = strlen(label);
	if (strncmp(p, "-----BEGIN ", 11) != 0 || strncmp(p + 11, label, ll) != 0 ||
	    strncmp(p + 11 + ll, "-----", 5) != 0)
		return SE_EINVAL;
	len -= (size_t)(p - s);
	const char *body = p + 16 + ll;
	char end[96];
	snprintf(end, sizeof end, "-----END %s-----", label);
	const char *e = strstr(body, end);
	char *buf = NULL;
	size_t n = 0;
	if (e && !memchr(body, ':', (size_t)(e - body))) {
		buf = malloc(len + len / 64 + 64);
		if (!buf)
			return SE_ENOMEM;
		n = (size_t)sprintf(buf, "-----BEGIN %s-----\n", label);
		size_t col = 0;
		for (const char *q = body; q < e; q++) {
			if (is_space(*q))
				continue;
			buf[n++] = *q;
			if (++col == 64) {
				buf[n++] = '\n';
				col = 0;
			}
		}
		if (col)
			buf[n++] = '\n';
		/* What follows END is left as given: the readers refuse anything but whitespace there. */
		size_t tail = len - (size_t)(e - p);
		memcpy(buf + n, e, tail);
		n += tail;
		buf[n] = '\0';
	} else {
		buf = malloc(len + 1);
		if (!buf)
			return SE_ENOMEM;
		memcpy(buf, p, len);
		buf[len] = '\0';
		n = len;
	}
	*ret_buf = buf;
	*ret_len = n;
	return 0;
}

/* 1 when everything left to read in bio is whitespace. */
static int bio_rest_is_space(BIO *bio)
{
	char buf[256];
	int n;
	while ((n = BIO_read(bio, buf, sizeof(buf))) > 0) {
		for (int i = 0; i < n; i++)
			if (!is_space(buf[i]))
				return 0;
	}
	return 1;
}

static int asn1_time_to_time_t(const ASN1_TIME *at, time_t *ret)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!at || !ASN1_TIME_to_tm(at, &tm))
		return SE_EINVAL;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
		return SE_EINVAL;
	*ret = t;
	return 0;
}

/* created plus years calendar years, same month, day and time of day (Feb 29 normalizes to Mar 1). */
static int add_years(time_t created, int years, time_t *ret)
{
	struct tm tm;
	if (!gmtime_r(&created, &tm))
		return SE_EINVAL;
	tm.tm_year += years;
	tm.tm_isdst = 0;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return SE_EINVAL;
	*ret = t;
	return 0;
}

/* ---- hashing and comparison --------------------------------------------------------------------------------- */

void se_crypto_sha256_hex(const void *data, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0;
	if (!EVP_Digest(data ? data : "", data ? len : 0, md, &mdlen, EVP_sha256(), NULL) || mdlen != sizeof(md)) {
		/* Only on allocation failure inside libcrypto; an empty string never equals a real digest. */
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof(md); i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 0x0f];
	}
	out[64] = '\0';
}

int se_crypto_streq(const char *a, const char *b)
{
	if (!a || !b)
		return 0;
	size_t la = strlen(a), lb = strlen(b);
	if (la != lb)
		return 0;
	return CRYPTO_memcmp(a, b, la) == 0;
}

/* ---- RSA keys ----------------------------------------------------------------------------------------------- */

/* Generates an RSA 2048 key in the private library context. *ret is a new key the caller frees with EVP_PKEY_free.
 * Returns 0 or SE_ECRYPTO. */
static int rsa_generate(EVP_PKEY **ret)
{
	OSSL_LIB_CTX *lc = libctx();
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = SE_ECRYPTO;

	if (!lc)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(lc, "RSA", NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		goto out;
	*ret = pkey;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* Parses an unencrypted PEM RSA private key (PKCS#1 or PKCS#8) into *ret (caller frees with EVP_PKEY_free).
 * Returns 0, SE_EINVAL or SE_ECRYPTO. */
static int rsa_from_pem(const char *pem, EVP_PKEY **ret)
{
	OSSL_LIB_CTX *lc = libctx();
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	char *start = NULL;
	size_t len = 0;
	int rc = SE_EINVAL;

	if (!lc) {
		rc = SE_ECRYPTO;
		goto out;
	}
	if (pem_precheck(pem, "RSA PRIVATE KEY", &start, &len) < 0 &&
	    pem_precheck(pem, "PRIVATE KEY", &start, &len) < 0)
		goto out;
	bio = BIO_new_mem_buf(start, (int)len);
	if (!bio) {
		rc = SE_ENOMEM;
		goto out;
	}
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_password, NULL, lc, NULL);
	if (!pkey || !EVP_PKEY_is_a(pkey, "RSA") || !bio_rest_is_space(bio))
		goto out;
	*ret = pkey;
	pkey = NULL;
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	free(start);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_rsa_private_key_check(const char *pem)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	EVP_PKEY *pkey = NULL;
	size_t len = 0;
	char *start = NULL;
	int rc = pem_precheck(pem, "RSA PRIVATE KEY", &start, &len);

	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	bio = BIO_new_mem_buf(start, (int)len);
	if (!bio) {
		rc = SE_ENOMEM;
		goto out;
	}
	/* The label and the absence of an encryption header, which PEM_read_bio_PrivateKey would not tell us. */
	if (!PEM_read_bio(bio, &name, &header, &data, &dlen) || strcmp(name, "RSA PRIVATE KEY") != 0 ||
	    header[0] != '\0' || !bio_rest_is_space(bio))
		goto out;
	rc = rsa_from_pem(pem, &pkey);
out:
	EVP_PKEY_free(pkey);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_clear_free(data, dlen > 0 ? (size_t)dlen : 0);
	BIO_free(bio);
	free(start);
	if (rc < 0)
		ERR_clear_error();
	return rc < 0 ? SE_EINVAL : 0;
}

/* ---- signing certificates ----------------------------------------------------------------------------------- */

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
	if (!ext)
		return SE_ECRYPTO;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : SE_ECRYPTO;
}

int se_crypto_signing_cert_new(const char *key_pem, time_t created, char **ret_cert_pem, time_t *ret_not_after)
{
	OSSL_LIB_CTX *lc = libctx();
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	BIO *bio = NULL;
	char *pem = NULL;
	unsigned char serial[16];
	time_t not_after = 0;
	int rc = SE_ECRYPTO;

	if (!lc || !ret_cert_pem || !ret_not_after) {
		rc = lc ? SE_EINVAL : SE_ECRYPTO;
		goto out;
	}
	rc = add_years(created, 10, &not_after);
	if (rc < 0)
		goto out;
	rc = key_pem ? rsa_from_pem(key_pem, &pkey) : rsa_generate(&pkey);
	if (rc < 0)
		goto out;
	rc = se_crypto_random(serial, sizeof(serial));
	if (rc < 0)
		goto out;
	/* Positive (top bit clear) and never zero, always 16 DER content bytes. */
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);

	rc = SE_ECRYPTO;
	x = X509_new_ex(lc, NULL);
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!x || !bn)
		goto out;
	X509_NAME *name = X509_get_subject_name(x);
	if (!X509_set_version(x, X509_VERSION_3) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), created) || !ASN1_TIME_set(X509_getm_notAfter(x), not_after) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Stytch", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, pkey))
		goto out;
	if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, NID_authority_key_identifier, "keyid:always") < 0)
		goto out;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_X509(bio, x))
		goto out;
	rc = bio_to_string(bio, &pem);
	if (rc < 0)
		goto out;
	*ret_cert_pem = pem;
	*ret_not_after = not_after;
	rc = 0;
out:
	BIO_free(bio);
	BN_free(bn);
	X509_free(x);
	EVP_PKEY_free(pkey);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* ---- certificate parsing ------------------------------------------------------------------------------------ */

/* The issuer CN as UTF-8, or the RFC 2253 issuer string when there is no usable CN. Caller frees *ret. */
static int issuer_string(X509 *x, char **ret)
{
	const X509_NAME *name = X509_get_issuer_name(x);
	unsigned char *utf8 = NULL;
	BIO *bio = NULL;
	char *s = NULL;
	int rc = SE_ENOMEM;

	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx >= 0) {
		ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
		int n = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
		if (n >= 0 && memchr(utf8, '\0', (size_t)n) == NULL) {
			s = malloc((size_t)n + 1);
			if (!s)
				goto out;
			memcpy(s, utf8, (size_t)n);
			s[n] = '\0';
			*ret = s;
			rc = 0;
			goto out;
		}
	}
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		goto out;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		rc = SE_ECRYPTO;
		goto out;
	}
	rc = bio_to_string(bio, ret);
out:
	OPENSSL_free(utf8);
	BIO_free(bio);
	return rc;
}

/* Fills the optional outputs of the parse functions from x; each is written only when all succeed. */
static int x509_describe(X509 *x, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after, char **ret_pem)
{
	char *issuer = NULL, *pem = NULL;
	BIO *bio = NULL;
	time_t nb = 0, na = 0;
	int rc;

	rc = asn1_time_to_time_t(X509_get0_notBefore(x), &nb);
	if (rc < 0)
		goto out;
	rc = asn1_time_to_time_t(X509_get0_notAfter(x), &na);
	if (rc < 0)
		goto out;
	if (ret_issuer) {
		rc = issuer_string(x, &issuer);
		if (rc < 0)
			goto out;
	}
	if (ret_pem) {
		rc = SE_ECRYPTO;
		bio = BIO_new(BIO_s_mem());
		if (!bio || !PEM_write_bio_X509(bio, x))
			goto out;
		rc = bio_to_string(bio, &pem);
		if (rc < 0)
			goto out;
	}
	if (ret_issuer) {
		*ret_issuer = issuer;
		issuer = NULL;
	}
	if (ret_pem) {
		*ret_pem = pem;
		pem = NULL;
	}
	if (ret_not_before)
		*ret_not_before = nb;
	if (ret_not_after)
		*ret_not_after = na;
	rc = 0;
out:
	free(issuer);
	free(pem);
	BIO_free(bio);
	return rc;
}

int se_crypto_x509_parse(const char *pem, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                         char **ret_pem)
{
	BIO *bio = NULL;
	X509 *x = NULL;
	size_t len = 0;
	char *start = NULL;
	int rc = pem_precheck(pem, "CERTIFICATE", &start, &len);

	if (rc < 0)
		goto out;
	bio = BIO_new_mem_buf(start, (int)len);
	if (!bio) {
		rc = SE_ENOMEM;
		goto out;
	}
	x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
	if (!x || !bio_rest_is_space(bio)) {
		rc = SE_EINVAL;
		goto out;
	}
	rc = x509_describe(x, ret_issuer, ret_not_before, ret_not_after, ret_pem);
out:
	X509_free(x);
	BIO_free(bio);
	free(start);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_x509_parse_base64(const char *b64, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                                char **ret_pem)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	X509 *x = NULL;
	int rc = SE_EINVAL;

	if (!b64)
		goto out;
	size_t len = strnlen(b64, SE_CRYPTO_PEM_MAX + 1);
	if (len > SE_CRYPTO_PEM_MAX)
		goto out;
	rc = b64_decode(b64, len, 0, &der, &der_len);
	if (rc < 0)
		goto out;
	const unsigned char *p = der;
	x = d2i_X509(NULL, &p, (long)der_len);
	if (!x || p != der + der_len) {
		rc = SE_EINVAL;
		goto out;
	}
	rc = x509_describe(x, ret_issuer, ret_not_before, ret_not_after, ret_pem);
out:
	X509_free(x);
	free(der);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_x509_normalize(const char *pem, char **ret_pem)
{
	if (!ret_pem)
		return SE_EINVAL;
	return se_crypto_x509_parse(pem, NULL, NULL, NULL, ret_pem);
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
	k->gen_rc = rsa_generate(&k->pkey);
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
	pthread_mutex_lock(&g_mutex);
	bool seeded = g_seeded;
	pthread_mutex_unlock(&g_mutex);
	if (!seeded && pthread_create(&k->thread, NULL, jwt_keygen, k) == 0) {
		k->pending = true;
	} else {
		k->gen_rc = rsa_generate(&k->pkey);
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
	if (!md || !EVP_DigestSignInit_ex(md, NULL, "SHA256", libctx(), NULL, k->pkey, NULL) ||
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
	if (!md || !EVP_DigestVerifyInit_ex(md, NULL, "SHA256", libctx(), NULL, k->pkey, NULL) ||
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

/* ---- timestamps --------------------------------------------------------------------------------------------- */

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range a four-digit year can show. */
#define TIME_MIN ((time_t)-62167219200LL)
#define TIME_MAX ((time_t)253402300799LL)

static void put_digits(char *p, int v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

void se_time_format(time_t t, char out[21])
{
	struct tm tm;
	if (t < TIME_MIN)
		t = TIME_MIN;
	if (t > TIME_MAX)
		t = TIME_MAX;
	if (!gmtime_r(&t, &tm)) {
		memcpy(out, "1970-01-01T00:00:00Z", 21);
		return;
	}
	memcpy(out, "0000-00-00T00:00:00Z", 21);
	put_digits(out, tm.tm_year + 1900, 4);
	put_digits(out + 5, tm.tm_mon + 1, 2);
	put_digits(out + 8, tm.tm_mday, 2);
	put_digits(out + 11, tm.tm_hour, 2);
	put_digits(out + 14, tm.tm_min, 2);
	put_digits(out + 17, tm.tm_sec, 2);
}

/* Reads exactly width decimal digits at s. Returns the value or -1. */
static int get_digits(const char *s, int width)
{
	int v = 0;
	for (int i = 0; i < width; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

int se_time_parse(const char *s, time_t *ret)
{
	static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	struct tm tm;

	if (!s || strnlen(s, 20) < 20)
		return SE_EINVAL;
	int year = get_digits(s, 4), mon = get_digits(s + 5, 2), day = get_digits(s + 8, 2);
	int hour = get_digits(s + 11, 2), min = get_digits(s + 14, 2), sec = get_digits(s + 17, 2);
	if (year < 0 || mon < 1 || mon > 12 || day < 1 || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
	    sec > 59 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') || s[13] != ':' || s[16] != ':')
		return SE_EINVAL;
	int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	if (day > mdays[mon - 1] + (mon == 2 && leap))
		return SE_EINVAL;
	const char *p = s + 19;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return SE_EINVAL;
		for (int n = 0; *p >= '0' && *p <= '9'; p++)
			if (++n > 9)
				return SE_EINVAL;
	}
	long offset = 0;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh = get_digits(p + 1, 2);
		int om = oh < 0 || p[3] != ':' ? -1 : get_digits(p + 4, 2);
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return SE_EINVAL;
		offset = (long)(oh * 3600 + om * 60) * (*p == '-' ? -1 : 1);
		p += 6;
	} else {
		return SE_EINVAL;
	}
	if (*p != '\0')
		return SE_EINVAL;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	*ret = t - (time_t)offset;
	return 0;
}
