/* Member session JWTs with Stytch-like claims. */
#include "auth/session.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "crypto/jwt.h"
#include "util/time.h"
#include "util/errors_code.h"
#include "util/util.h"

/* The member's roles as the session claim lists them: stytch_member, then the member's own. */
static json_t *member_roles(const se_member *m)
{
	json_t *roles = json_pack("[s]", "stytch_member");
	size_t i;
	json_t *v;
	json_array_foreach(m->roles, i, v) {
		if (roles && json_is_string(v) && strcmp(json_string_value(v), "stytch_member") != 0 &&
		    json_array_append(roles, v) < 0) {
			json_decref(roles);
			roles = NULL;
		}
	}
	return roles;
}

int se_session_jwt(const se_jwt_key *key, const se_project *p, const se_session *s, const se_member *m, const se_org *o,
		   time_t now, char **ret)
{
	return se_session_jwt_factors(key, p, s, m, o, NULL, now, ret);
}

int se_session_jwt_factors(const se_jwt_key *key, const se_project *p, const se_session *s, const se_member *m,
			   const se_org *o, const json_t *factors, time_t now, char **ret)
{
	time_t exp = now + SE_SESSION_JWT_LIFETIME, session_exp;
	if (s->expires_at && se_time_parse(s->expires_at, &session_exp) == 0 && session_exp < exp)
		exp = session_exp;
	char iat[21], expires[21];
	se_time_format(now, iat);
	se_time_format(exp, expires);
	char *iss = se_asprintf("stytch.com/%s", p->project_id);
	json_t *roles = member_roles(m);
	/* json_pack takes roles ("o") whether it succeeds or not. */
	json_t *fl = factors ? json_deep_copy(factors) : json_array();
	json_t *claims = iss && roles && fl ? json_pack("{s:s, s:s, s:[s], s:I, s:I, s:I, s:{s:s, s:s, s:s, s:s, s:o, s:{}, s:o},"
					 " s:{s:s, s:s}}",
					 "sub", m->member_id, "iss", iss, "aud", p->project_id, "iat", (json_int_t)now,
					 "nbf", (json_int_t)now, "exp", (json_int_t)exp, "https://stytch.com/session", "id",
					 s->member_session_id, "started_at", s->started_at, "last_accessed_at", iat,
					 "expires_at", s->expires_at ? s->expires_at : "2099-12-31T23:59:59Z",
					 "authentication_factors", fl, "attributes", "roles", roles, "https://stytch.com/organization",
					 "organization_id", o->organization_id, "slug", o->organization_slug)
			     : NULL;
	if (!(iss && roles && fl)) {
		json_decref(roles);
		json_decref(fl);
	}
	char *payload = claims ? se_json_dump(claims) : NULL;
	int r = payload ? se_crypto_jwt_sign(key, payload, ret) : SE_ENOMEM;
	(void)expires;
	free(iss);
	free(payload);
	json_decref(claims);
	return r;
}

/* Whether aud (a string or an array of strings) names the project. */
static bool aud_has(const json_t *aud, const char *project_id)
{
	size_t i;
	json_t *v;
	if (json_is_string(aud))
		return strcmp(json_string_value(aud), project_id) == 0;
	json_array_foreach(aud, i, v) if (json_is_string(v) && strcmp(json_string_value(v), project_id) == 0) return true;
	return false;
}

se_error_id se_session_jwt_authenticate(const se_jwt_key *key, const se_project *p, se_db *db, const char *jwt, time_t now,
					se_session *ret_session, se_member *ret_member)
{
	char *payload = NULL, *iss = NULL;
	json_t *claims = NULL;
	se_session by_id = {0};
	se_error_id e = SE_ERR_INVALID_SESSION_JWT;
	int r = se_crypto_jwt_verify(key, jwt ? jwt : "", &payload);
	if (r == SE_ENOMEM)
		return SE_ERR_INTERNAL;
	if (r < 0)
		return SE_ERR_INVALID_SESSION_JWT;
	claims = json_loads(payload, JSON_REJECT_DUPLICATES, NULL);
	iss = se_asprintf("stytch.com/%s", p->project_id);
	if (!iss) {
		e = SE_ERR_INTERNAL;
		goto done;
	}
	json_t *nbf = json_object_get(claims, "nbf"), *exp = json_object_get(claims, "exp");
	const char *sub = se_json_str(claims, "sub");
	const char *sid = se_json_str(json_object_get(claims, "https://stytch.com/session"), "id");
	if (!json_is_object(claims) || !se_json_str(claims, "iss") || strcmp(se_json_str(claims, "iss"), iss) != 0 ||
	    !aud_has(json_object_get(claims, "aud"), p->project_id) || !json_is_integer(exp) || !sub || !sid ||
	    (nbf && (!json_is_integer(nbf) || json_integer_value(nbf) > (json_int_t)now)))
		goto done;
	r = se_store_session_by_id(db, sid, &by_id);
	if (r < 0) {
		e = r == SE_ENOTFOUND ? SE_ERR_SESSION_NOT_FOUND : SE_ERR_INTERNAL;
		goto done;
	}
	if (strcmp(by_id.member_id, sub) != 0) {
		e = SE_ERR_SESSION_NOT_FOUND;
		goto done;
	}
	/* The same checks as an opaque token: expiry and a member that still exists. */
	e = se_auth_session(db, by_id.session_token, now, ret_session, ret_member);
done:
	se_session_release(&by_id);
	json_decref(claims);
	free(payload);
	free(iss);
	return e;
}
