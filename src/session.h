/* Member sessions: their JWTs and the authenticate response. */
#ifndef SE_SESSION_H
#define SE_SESSION_H

#include <time.h>

#include "app.h"
#include "model.h"

/* A session JWT lives five minutes, as Stytch's do, or less when the session ends sooner. */
#define SE_SESSION_JWT_LIFETIME 300

/* Mints an RS256 session JWT for s (member m of organization o) at now, signed with the app's key:
 * sub, iss, aud, iat, nbf, exp, and Stytch's session and organization claims. *ret is malloc'd. */
int se_session_jwt(se_app *app, const se_project *p, const se_session *s, const se_member *m, const se_org *o,
		   time_t now, char **ret);

#endif
