/* The private OpenSSL library context whose random generators are the process generator (crypto/rand.h), so that
 * key generation inside OpenSSL is reproducible under --seed. The context is created once, on first use, and lives as
 * long as the process; callers borrow it and never free it. */
#ifndef SE_CRYPTO_DRBG_H
#define SE_CRYPTO_DRBG_H

#include <openssl/types.h>

/* The library context to pass to OpenSSL's *_ex functions for anything that needs randomness (RSA key generation,
 * certificates). Borrowed. Returns NULL when it could not be set up (then callers fail with SE_ECRYPTO). */
OSSL_LIB_CTX *se_crypto_libctx(void);

#endif
