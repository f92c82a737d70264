/* The process randomness source: OpenSSL's DRBGs, or after se_crypto_seed() one deterministic AES-256-CTR
 * stream, and what is made from it (alphanumeric strings, version 4 UUIDs). */
#include "crypto/rand.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "util/errors_code.h"

/* g_mutex guards the three variables below. While g_seeded, bytes are the AES-256-CTR keystream of a key derived
 * from the seed; g_broken makes a failed se_crypto_seed() fail closed instead of silently falling back to OS
 * randomness. */
static pthread_mutex_t g_mutex = PTHREAD_MUTEX_INITIALIZER;
static EVP_CIPHER_CTX *g_ctr;
static int g_seeded;
static int g_broken;
static atomic_uint g_epoch; /* moves on every se_crypto_seed(); see id_bytes() */

/* A thread's own stream (se_crypto_thread_stream_begin()): used instead of everything above while set. */
static _Thread_local EVP_CIPHER_CTX *tl_ctr;

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

/* The AES-256-CTR keystream of ctr into buf. Returns 0 or SE_ECRYPTO. */
static int ctr_bytes(EVP_CIPHER_CTX *ctr, unsigned char *p, size_t len)
{
	while (len > 0) {
		int n = len > GEN_CHUNK ? GEN_CHUNK : (int)len;
		int outl = 0;
		memset(p, 0, (size_t)n);
		if (!EVP_EncryptUpdate(ctr, p, &outl, p, n) || outl != n)
			return SE_ECRYPTO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int se_crypto_thread_stream_begin(uint64_t seed, const char *label)
{
	static const char prefix[] = "ssoemu/crypto/thread-stream/v1/";
	unsigned char key[32];
	unsigned char iv[16] = {0};
	unsigned char sb[8];
	unsigned int keylen = 0;
	int rc = SE_ECRYPTO;

	for (int i = 0; i < 8; i++)
		sb[i] = (unsigned char)(seed >> (56 - 8 * i));
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!tl_ctr)
		tl_ctr = EVP_CIPHER_CTX_new();
	if (md && tl_ctr && EVP_DigestInit_ex(md, EVP_sha256(), NULL) &&
	    EVP_DigestUpdate(md, prefix, sizeof(prefix) - 1) && EVP_DigestUpdate(md, label, strlen(label)) &&
	    EVP_DigestUpdate(md, sb, sizeof(sb)) && EVP_DigestFinal_ex(md, key, &keylen) && keylen == sizeof(key) &&
	    EVP_EncryptInit_ex(tl_ctr, EVP_aes_256_ctr(), NULL, key, iv))
		rc = 0;
	EVP_MD_CTX_free(md);
	OPENSSL_cleanse(key, sizeof(key));
	if (rc < 0)
		se_crypto_thread_stream_end();
	return rc;
}

void se_crypto_thread_stream_end(void)
{
	EVP_CIPHER_CTX_free(tl_ctr);
	tl_ctr = NULL;
}

/* Fills buf from the thread's own stream, the seeded stream, or OpenSSL's public (priv == 0) or private DRBG of the
 * default library context. Returns 0 or SE_ECRYPTO. */
static int gen_bytes(void *buf, size_t len, int priv)
{
	unsigned char *p = buf;
	int rc = 0;

	if (tl_ctr)
		return ctr_bytes(tl_ctr, p, len);
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
	rc = ctr_bytes(g_ctr, p, len);
	if (rc < 0)
		g_broken = 1;
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
	if (se_crypto_seeded())
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

int se_crypto_random_secret(void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (!buf)
		return SE_EINVAL;
	return gen_bytes(buf, len, 1);
}

bool se_crypto_seeded(void)
{
	pthread_mutex_lock(&g_mutex);
	bool seeded = g_seeded;
	pthread_mutex_unlock(&g_mutex);
	return seeded;
}
