/* Member sessions: minting and authenticating their JWTs. Owns nothing: the key and project are borrowed, the JWT
 * text is malloc'd for the caller, an authenticated session and member are the caller's to release. */
#ifndef SE_SESSION_H
#define SE_SESSION_H

#include <time.h>

#include "crypto/jwt.h"
#include "request/errors.h"
#include "model/model.h"
#include "store/store.h"

/* A session JWT lives five minutes, as Stytch's do, or less when the session ends sooner. */
#define SE_SESSION_JWT_LIFETIME 300

/* Mints an RS256 session JWT for s (member m of organization o) at now, signed with key:
 * sub, iss, aud, iat, nbf, exp, and Stytch's session and organization claims. *ret is malloc'd. */
int se_session_jwt(const se_jwt_key *key, const se_project *p, const se_session *s, const se_member *m, const se_org *o,
		   time_t now, char **ret);

/* The same with the session's authentication_factors (an array, borrowed; NULL: none) in the
 * session claim, as SSO sessions have (SIGNIN.md section 5). */
int se_session_jwt_factors(const se_jwt_key *key, const se_project *p, const se_session *s, const se_member *m,
			   const se_org *o, const json_t *factors, time_t now, char **ret);

/* Authenticates a session JWT as Stytch does: the signature (key), iss
 * "stytch.com/<project_id>", aud containing the project id and nbf must verify; then the session
 * named by its session claim must still be alive and belong to sub. As in Stytch's session
 * authenticate, a JWT past its exp is accepted while its session lives. Returns SE_ERR_NONE with
 * the session and member (caller releases both), SE_ERR_INVALID_SESSION_JWT for a malformed,
 * forged or foreign JWT, SE_ERR_SESSION_NOT_FOUND for a revoked, expired or unknown session, or
 * SE_ERR_INTERNAL. */
se_error_id se_session_jwt_authenticate(const se_jwt_key *key, const se_project *p, se_db *db, const char *jwt, time_t now,
					se_session *ret_session, se_member *ret_member);

#endif
