/* OpenID Connect on cjose: the built-in provider's RS256 ID tokens and JWKS, ID token verification
 * (SIGNIN.md section 3 step 4) and the relying-party side of the OIDC callback. */
#ifndef SE_SIGNIN_OIDC_H
#define SE_SIGNIN_OIDC_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "request/req.h"

#define SE_OIDC_KID "ssoemu-idp-oidc-1"
#define SE_OIDC_MAX_JWT 65536

typedef enum se_oidc_key {
	SE_OIDC_KEY_IDP,   /* the built-in provider's key, kid ssoemu-idp-oidc-1 */
	SE_OIDC_KEY_ROGUE, /* the "wrong_key" outcome: same kid, another key */
} se_oidc_key;

/* Signs claims as a compact RS256 JWS with kid ssoemu-idp-oidc-1; tamper alters the payload after
 * signing. *ret malloc'd. Returns 0, SE_ECRYPTO or SE_ENOMEM. */
int se_oidc_sign(se_oidc_key which, const json_t *claims, bool tamper, char **ret);

/* The provider's public key set {"keys":[{kty,use,alg,kid,n,e}]}. New reference; NULL on failure. */
json_t *se_oidc_jwks(void);

/* Verifies an ID token against a key set: compact JWS (else oidc_invalid_id_token), RS256 and a
 * signature by the key of its kid, iss exactly issuer (id_token_invalid), aud/azp (incorrect
 * audience), exp with 120 s of skew (expired), nonce, sub. *ret_claims: new reference on success.
 * *why: static text naming the failed check. */
se_error_id se_oidc_verify(const char *jwt, const json_t *jwks, const char *issuer, const char *client_id,
                           const char *nonce, time_t now, json_t **ret_claims, const char **why);

/* What the callback signs in with. Release with se_oidc_identity_release(). */
typedef struct se_oidc_identity {
	char *email, *name, *sub;
	json_t *groups, *trusted, *claims;
} se_oidc_identity;

void se_oidc_identity_release(se_oidc_identity *id);

/* Section 3 steps 3 to 6 for connection c: the code exchanged at token_url, the ID token verified
 * with the keys at jwks_url, userinfo where needed, the attribute mapping. Self URLs are served
 * in-process; other URLs would need the non-blocking fetch path, which is not available: they fail
 * with oidc_auth_code_error naming that. */
se_error_id se_oidc_sign_in(se_req *r, const se_oidc *c, const char *code, const char *redirect_uri, const char *nonce,
                            se_oidc_identity *ret, const char **why);

#endif
