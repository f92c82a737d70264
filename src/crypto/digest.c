/* SHA-256 in hex and constant-time string comparison, on libcrypto. */
#include "crypto/digest.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

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
