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

/* Section 3 steps 3 to 6 as a sequence of steps: the code exchanged at token_url (client_secret_basic),
 * the ID token verified with the keys at jwks_url, userinfo where needed, the attribute mapping. Self
 * URLs are served in-process; other URLs are fetched by the caller through the fetch worker (a
 * suspended request, never a blocked server thread) and their results fed back. */
typedef enum se_oidc_step {
	SE_OIDC_STEP_TOKEN,
	SE_OIDC_STEP_JWKS,
	SE_OIDC_STEP_USERINFO,
	SE_OIDC_STEP_DONE,
} se_oidc_step;

typedef struct se_oidc_rp {
	se_oidc c; /* a copy of the connection */
	char *code, *redirect_uri, *nonce, *post, *auth_header, *bearer_header;
	json_t *tok, *jwks, *claims, *info;
	long tok_status, info_status;
	se_oidc_step step;
	bool fed; /* the current step's fetch result is in */
	const char *headers[4];
} se_oidc_rp;

/* A fetch the caller must make: url, the POST body (NULL: a GET) and the request headers (borrowed from
 * the rp, valid until its next call). */
typedef struct se_oidc_fetch {
	const char *url;
	const char *post;
	const char *const *headers;
} se_oidc_fetch;

/* Prepares the steps for connection c (copied). Returns 0 or SE_ENOMEM. Release with se_oidc_rp_release(). */
int se_oidc_rp_init(se_oidc_rp *rp, const se_oidc *c, const char *code, const char *redirect_uri, const char *nonce);
void se_oidc_rp_release(se_oidc_rp *rp);

/* Runs the steps it can: 1 with *ret_fetch when the caller must fetch (then se_oidc_rp_feed() the result
 * and call again); 0 when finished, with *ret_e SE_ERR_NONE and *ret filled (release it), or the error of
 * the failed step with *why (static text). */
int se_oidc_rp_next(se_req *r, se_oidc_rp *rp, se_oidc_fetch *ret_fetch, se_oidc_identity *ret, se_error_id *ret_e,
		    const char **why);

/* The outcome of the fetch *ret_fetch asked for: rc 0 with the HTTP status and body, or a negative code. */
void se_oidc_rp_feed(se_oidc_rp *rp, int rc, long status, const char *body, size_t len);

#endif
