/* JSON Web Tokens over cjose: the RS256 session-JWT key (se_jwt_key, se_crypto_jwt_key_new/_free), signing,
 * verification, its public JWK, and verification against a JWKS (id_tokens). Returned strings are malloc'd for the
 * caller, returned json_t are new references, inputs are borrowed. Safe to call from several threads. */
#ifndef SE_CRYPTO_JWT_H
#define SE_CRYPTO_JWT_H

#include <stddef.h>

#include <jansson.h>

/* Largest compact JWT accepted by the verify functions; longer input is SE_EINVAL. */
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

/* Verifies a compact JWS made by se_crypto_jwt_sign() with key k. On success *ret_payload is the decoded payload
 * text, malloc'd, caller frees. Returns 0; SE_EINVAL when the token is malformed (not three non-empty parts,
 * base64url, a header that is not a JSON object with an alg, NUL in the payload, too long); SE_ECRYPTO when alg is
 * not RS256, kid is not k's, or the signature does not verify; SE_ENOMEM. */
int se_crypto_jwt_verify(const se_jwt_key *k, const char *jwt, char **ret_payload);

/* Verifies a compact JWS against a JSON Web Key Set ({"keys":[...]}, borrowed): the key is the member whose kid is
 * the header's (or, when the header has no kid, the set's only key), skipping keys whose "use" is not "sig" or whose
 * "alg" differs from the header's. Only asymmetric algorithms are accepted (RS*, PS*, ES*). Claims are not checked:
 * that is the caller's (iss, aud, exp, nonce). On success *ret_payload is the payload text, malloc'd, caller frees.
 * Returns 0; SE_EINVAL when the token is malformed (as for se_crypto_jwt_verify()) or jwks has no "keys" array;
 * SE_ECRYPTO when no single key matches, the algorithm is not accepted or the signature does not verify;
 * SE_ENOMEM. */
int se_crypto_jwt_verify_jwks(const json_t *jwks, const char *jwt, char **ret_payload);

/* The public key as a JWK {"kty":"RSA","use":"sig","alg":"RS256","kid","n","e"} (n and e unpadded base64url), a new
 * reference in *ret that the caller releases with json_decref(). Returns 0, SE_EINVAL, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_jwt_key_public_jwk(const se_jwt_key *k, json_t **ret);

#endif
