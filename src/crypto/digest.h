/* Hashing and comparison of secrets on libcrypto. No state; nothing allocated: callers pass the output buffers. */
#ifndef SE_CRYPTO_DIGEST_H
#define SE_CRYPTO_DIGEST_H

#include <stddef.h>

/* Writes the SHA-256 of data as 64 lower-case hex characters plus a NUL into out. */
void se_crypto_sha256_hex(const void *data, size_t len, char out[65]);

/* Constant-time comparison of two NUL-terminated strings (the length is not secret). Returns 1 when both are equal
 * (same length, same bytes), 0 otherwise, including when either is NULL. */
int se_crypto_streq(const char *a, const char *b);

#endif
