/* An in-process OpenSSL EVP_RAND provider over crypto/rand.c's generator, and the private library context whose
 * DRBGs (primary, public, private) it is. */
#include "crypto/drbg.h"

#include <pthread.h>
#include <stdlib.h>

#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

#include "crypto/rand.h"

/* Why it exists: under --seed every id, token, certificate and RSA key must come out the same run after run
 * (tests/e2e/determinism.py). Ids and tokens are easy, they are drawn from se_crypto_random() directly; but OpenSSL's
 * RSA key generation draws its primes from the RAND of the library context it runs in, not from anything a caller
 * can pass in. So keys are generated in a library context of our own whose DRBGs are this provider, which forwards
 * every request to the generator: seeded, the keys are reproducible; unseeded, the bytes are OpenSSL's own private
 * DRBG's. The default library context (TLS in libcurl, cjose's signing, everything else) is left alone. */

/* Every DRBG of the private library context (primary, public, private) is one of these. They hold no state of their
 * own: each generate call goes straight to se_crypto_random_secret(), so nothing is buffered across a se_crypto_seed().
 */
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
	return se_crypto_random_secret(out, outlen) == 0;
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

/* se_crypto_random_secret() does its own locking; these exist because the primary DRBG must support locking. */
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

OSSL_LIB_CTX *se_crypto_libctx(void)
{
	pthread_once(&g_libctx_once, libctx_init);
	return g_libctx;
}
