/* Member session JWTs with Stytch-like claims. */
#include "session.h"

#include <stdlib.h>

#include "crypto.h"
#include "errors_code.h"
#include "util.h"

int se_session_jwt(se_app *app, const se_project *p, const se_session *s, const se_member *m, const se_org *o,
		   time_t now, char **ret)
{
	time_t exp = now + SE_SESSION_JWT_LIFETIME, session_exp;
	if (s->expires_at && se_time_parse(s->expires_at, &session_exp) == 0 && session_exp < exp)
		exp = session_exp;
	char iat[21], expires[21];
	se_time_format(now, iat);
	se_time_format(exp, expires);
	char *iss = se_asprintf("stytch.com/%s", p->project_id);
	json_t *claims = iss ? json_pack("{s:s, s:s, s:[s], s:I, s:I, s:I, s:{s:s, s:s, s:s, s:s, s:[], s:{}},"
					 " s:{s:s, s:s}}",
					 "sub", m->member_id, "iss", iss, "aud", p->project_id, "iat", (json_int_t)now,
					 "nbf", (json_int_t)now, "exp", (json_int_t)exp, "https://stytch.com/session", "id",
					 s->member_session_id, "started_at", s->started_at, "last_accessed_at", iat,
					 "expires_at", s->expires_at ? s->expires_at : "2099-12-31T23:59:59Z",
					 "authentication_factors", "attributes", "https://stytch.com/organization",
					 "organization_id", o->organization_id, "slug", o->organization_slug)
			     : NULL;
	char *payload = claims ? se_json_dump(claims) : NULL;
	int r = payload ? se_crypto_jwt_sign(app->jwt_key, payload, ret) : SE_ENOMEM;
	(void)expires;
	free(iss);
	free(payload);
	json_decref(claims);
	return r;
}
