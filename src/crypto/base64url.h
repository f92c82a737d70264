/* Unpadded base64url (RFC 4648 section 5) over cjose's codec, strict on input: only the alphabet, canonical
 * trailing bits. No state; encoded text and decoded bytes are malloc'd for the caller, who frees them. */
#ifndef SE_CRYPTO_BASE64URL_H
#define SE_CRYPTO_BASE64URL_H

#include <stdbool.h>
#include <stddef.h>

/* Whether s[0..len) holds only base64url alphabet characters (no padding, whitespace or NUL). */
bool se_b64url_is_text(const char *s, size_t len);

/* The unpadded base64url of len bytes at data into *ret (NUL-terminated, malloc'd, caller frees).
 * Returns 0 or SE_ENOMEM. */
int se_b64url_encode(const void *data, size_t len, char **ret);

/* Decodes len characters of unpadded base64url at s into *ret (malloc'd, NUL-terminated for convenience, the NUL
 * not counted in *ret_len; caller frees). Only the canonical text of some bytes is accepted: the alphabet alone,
 * no length of 1 modulo 4, zero leftover bits. Returns 0, SE_EINVAL or SE_ENOMEM. */
int se_b64url_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_len);

#endif
