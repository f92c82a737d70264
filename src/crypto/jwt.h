/* RS256 JSON Web Tokens: the key that signs session JWTs, signing, verification and its public JWK.
 * Owns se_jwt_key (create with se_crypto_jwt_key_new(), free with se_crypto_jwt_key_free()); strings returned
 * through ret_* are malloc'd and the caller frees them. Every function is safe to call from several threads. */
#ifndef SE_CRYPTO_JWT_H
#define SE_CRYPTO_JWT_H

#include <stddef.h>

/* Largest compact JWT accepted by se_crypto_jwt_verify(); longer input is SE_EINVAL. */
#define SE_CRYPTO_JWT_MAX 65536

/* An RSA 2048 key pair for RS256 JWTs, with its key id. Opaque; create with se_crypto_jwt_key_new(). */
typedef struct se_jwt_key se_jwt_key;

/* Generates a key pair with the module generator (deterministic when seeded) and a kid "jwk-test-<uuid4>".
 * On success *ret is a new key the caller releases with se_crypto_jwt_key_free().
 * Returns 0, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_jwt_key_new(se_jwt_key **ret);

/* Frees a key; NULL is accepted. */
void se_crypto_jwt_key_free(se_jwt_key *k);

/* The key id; borrowed, valid as long as k. */
const char *se_crypto_jwt_key_kid(const se_jwt_key *k);

/* Signs payload_json (the exact JSON text, not re-serialized) as a compact JWS
 * "b64url(header).b64url(payload).b64url(signature)" with header {"alg":"RS256","typ":"JWT","kid":"<kid>"}.
 * On success *ret_jwt is malloc'd and the caller frees it. Returns 0, SE_EINVAL, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_jwt_sign(const se_jwt_key *k, const char *payload_json, char **ret_jwt);

/* Verifies a compact JWS made by se_crypto_jwt_sign() with key k. The header must be a flat JSON object of plain
 * string members. On success *ret_payload is the decoded payload text, malloc'd, caller frees.
 * Returns 0; SE_EINVAL when the token is malformed (parts, base64url, header syntax, NUL in payload, too long);
 * SE_ECRYPTO when alg is not RS256, kid is not k's, or the signature does not verify; SE_ENOMEM. */
int se_crypto_jwt_verify(const se_jwt_key *k, const char *jwt, char **ret_payload);

/* The public key as JWK members: *ret_n (modulus) and *ret_e (exponent), unpadded base64url, both malloc'd and freed
 * by the caller. Returns 0, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_jwt_key_jwk(const se_jwt_key *k, char **ret_n, char **ret_e);

#endif
