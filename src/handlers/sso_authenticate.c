/* POST /sdk/v1/b2b/sso/authenticate and POST /v1/b2b/sso/authenticate (SIGNIN.md section 5): the SSO
 * token, PKCE, and a new or extended member session. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "auth/auth.h"
#include "auth/session.h"
#include "crypto/digest.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "handlers/handlers.h"
#include "model/ids.h"
#include "model/render.h"
#include "signin/member.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

#define MIN_MINUTES 5
#define MAX_MINUTES 527040
#define DEFAULT_MINUTES 60
#define MAX_CLAIMS 4096
#define SESSION_RANDOM 40

/* The session passed explicitly (session_token or session_jwt), if any. */
static int given_session(se_req *r, se_session *ret_s, se_member *ret_m, bool *ret_given)
{
	const char *tok = se_json_str(r->body, "session_token"), *jwt = se_json_str(r->body, "session_jwt");
	*ret_given = tok || jwt;
	if (!*ret_given)
		return 0;
	se_error_id e = tok ? se_auth_session(r->db, tok, r->now, ret_s, ret_m)
	                    : se_session_jwt_authenticate(r->jwt_key, r->project, r->db, jwt, r->now, ret_s, ret_m);
	return e == SE_ERR_NONE ? 0 : se_req_fail(r, e, NULL);
}

/* The frontend session in the SDK's Authorization header (public_token:session_token), if it is a
 * live session of that member; otherwise nothing (a stale cookie must not block sign-in). */
static bool header_session(se_req *r, const char *member_id, se_session *ret_s, se_member *ret_m)
{
	if (r->match.route->surface != SE_SURFACE_SDK)
		return false;
	char *user = NULL, *pass = NULL;
	bool ok = false;
	if (se_auth_basic(se_http_header(r->in, "Authorization"), &user, &pass) == 0 && pass && *pass &&
	    strcmp(pass, user) != 0 && se_auth_session(r->db, pass, r->now, ret_s, ret_m) == SE_ERR_NONE) {
		ok = strcmp(ret_m->member_id, member_id) == 0;
		if (!ok) {
			se_session_release(ret_s);
			se_member_release(ret_m);
		}
	}
	free(user);
	free(pass);
	return ok;
}

static int check_body(se_req *r, json_int_t *ret_minutes)
{
	if (se_req_check_types(r, "sso_token:s pkce_code_verifier:s session_duration_minutes:i session_token:s "
	                          "session_jwt:s session_custom_claims:o intermediate_session_token:s") < 0)
		return -1;
	const char *token = se_json_str(r->body, "sso_token");
	if (!token || !*token)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "sso_token is required.");
	const char *v = se_json_str(r->body, "pkce_code_verifier");
	if (v && (!*v || strlen(v) > 128))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "pkce_code_verifier must be 1 to 128 characters.");
	json_t *d = json_object_get(r->body, "session_duration_minutes");
	*ret_minutes = d ? json_integer_value(d) : DEFAULT_MINUTES;
	if (*ret_minutes < MIN_MINUTES || *ret_minutes > MAX_MINUTES)
		return se_req_fail(r, SE_ERR_SI_INVALID_SESSION_DURATION_MINUTES, NULL);
	if (se_json_str(r->body, "session_token") && se_json_str(r->body, "session_jwt"))
		return se_req_fail(r, SE_ERR_TOO_MANY_SESSION_ARGUMENTS, NULL);
	json_t *claims = json_object_get(r->body, "session_custom_claims");
	char *text = claims ? se_json_dump(claims) : NULL;
	size_t n = text ? strlen(text) : 0;
	free(text);
	if (n > MAX_CLAIMS)
		return se_req_fail(r, SE_ERR_SI_CUSTOM_CLAIMS_TOO_LARGE, NULL);
	if (json_object_get(r->body, "intermediate_session_token"))
		return se_req_fail(r, SE_ERR_SI_INTERMEDIATE_SESSION_NOT_FOUND, NULL);
	return 0;
}

static json_t *factor(const se_sso_token *t, const char *now_text)
{
	bool saml = strcmp(t->protocol, "saml") == 0;
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s}}", "type", "sso", "delivery_method",
	                 saml ? "sso_saml" : "sso_oidc", "last_authenticated_at", now_text, "created_at", now_text,
	                 "updated_at", now_text, saml ? "saml_sso_factor" : "oidc_sso_factor", "id", t->registration_id,
	                 "provider_id", t->connection_id, "external_id", t->external_id);
}

int se_h_sso_authenticate(se_req *r)
{
	json_int_t minutes = DEFAULT_MINUTES;
	se_sso_token t = {0};
	se_session s = {0}, hs = {0};
	se_member m = {0}, gm = {0}, hm = {0};
	se_org org = {0};
	json_t *factors = NULL, *roles = NULL;
	char hash[65], token[sizeof "session-test-" + SESSION_RANDOM], msid[80], now_text[21], exp_text[21];
	char *jwt = NULL;
	bool given = false, linked = false;
	int rc = -1;
	if (check_body(r, &minutes) < 0)
		return -1;
	const char *sso_token = se_json_str(r->body, "sso_token");
	se_crypto_sha256_hex(sso_token, strlen(sso_token), hash);
	int g = se_store_sso_token_get(r->db, hash, r->now, &t);
	if (g < 0)
		return g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_SI_SSO_TOKEN_NOT_FOUND, NULL) : se_req_internal(r);
	const char *verifier = se_json_str(r->body, "pkce_code_verifier");
	if (*t.pkce_code_challenge && !verifier) {
		rc = se_req_fail(r, SE_ERR_SI_PKCE_EXPECTED_CODE_VERIFIER, NULL);
		goto done;
	}
	if (!*t.pkce_code_challenge && verifier) {
		rc = se_req_fail(r, SE_ERR_SI_PKCE_DID_NOT_EXPECT_CODE_VERIFIER, NULL);
		goto done;
	}
	if (verifier) {
		char s256[44];
		se_signin_s256(verifier, s256);
		if (!se_crypto_streq(s256, t.pkce_code_challenge)) {
			rc = se_req_fail(r, SE_ERR_SI_PKCE_MISMATCH, NULL);
			goto done;
		}
	}
	if (given_session(r, &s, &gm, &given) < 0)
		goto done;
	if (given && strcmp(gm.member_id, t.member_id) != 0) {
		rc = se_req_fail(r, SE_ERR_SI_SESSION_ON_CODE_DOES_NOT_MATCH_SESSION_PASSED_IN, NULL);
		goto done;
	}
	if (!given && header_session(r, t.member_id, &hs, &hm)) {
		s = hs;
		memset(&hs, 0, sizeof hs);
		linked = true;
	}
	if (se_store_member_get(r->db, t.member_id, &m) < 0 ||
	    se_store_org_get(r->db, m.organization_id, false, &org) < 0) {
		rc = se_req_fail(r, SE_ERR_SI_SSO_TOKEN_NOT_FOUND, NULL);
		goto done;
	}
	se_time_format(r->now, now_text);
	se_time_format(r->now + (time_t)minutes * 60, exp_text);
	if (!given && !linked) {
		memcpy(token, "session-test-", sizeof "session-test-" - 1);
		if (se_crypto_random_alnum(token + sizeof "session-test-" - 1, SESSION_RANDOM) < 0 ||
		    se_id_format(SE_ID_SESSION, msid, sizeof msid) < 0) {
			rc = se_req_internal(r);
			goto done;
		}
		s.session_token = strdup(token);
		s.member_session_id = strdup(msid);
		s.member_id = strdup(m.member_id);
		s.started_at = strdup(now_text);
		s.expires_at = strdup(exp_text);
		factors = json_array();
	} else {
		if (se_store_session_factors_get(r->db, s.member_session_id, &factors) < 0) {
			rc = se_req_internal(r);
			goto done;
		}
		free(s.expires_at);
		s.expires_at = strdup(exp_text);
	}
	json_t *f = factor(&t, now_text);
	if (!s.session_token || !s.member_session_id || !s.expires_at || !factors || !f ||
	    json_array_append_new(factors, f) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	/* One transaction: the token used up and the session written, so of two calls one wins. */
	if (se_db_begin(r->db) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	int used = se_store_sso_token_consume(r->db, hash);
	int w = used < 0          ? used
	        : given || linked ? se_db_exec(r->db, "UPDATE sessions SET expires_at = ? WHERE session_token = ?",
	                                       s.expires_at, s.session_token, NULL)
	                          : se_store_session_insert(r->db, &s);
	if (w == 0)
		w = se_store_session_factors_put(r->db, s.member_session_id, factors);
	if (w < 0 || se_db_commit(r->db) < 0) {
		se_db_rollback(r->db);
		rc = used == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_SI_SSO_TOKEN_NOT_FOUND, NULL) : se_req_internal(r);
		goto done;
	}
	/* The session's roles: direct ones and the implicit ones of its SSO connections (section 4.2). */
	roles = se_signin_session_roles(r->db, &m, factors);
	se_member sm = m;
	if (roles)
		sm.roles = roles;
	if (se_session_jwt_factors(r->jwt_key, r->project, &s, &sm, &org, factors, r->now, &jwt) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	json_t *ms = se_render_member_session(&s, &sm, &org);
	if (ms)
		json_object_set(ms, "authentication_factors", factors);
	r->out = json_pack("{s:s, s:s, s:b, s:o, s:o, s:o, s:s, s:s, s:b, s:s, s:n, s:n}", "member_id", m.member_id,
	                   "organization_id", org.organization_id, "reset_session", 0, "member_session", ms, "member",
	                   se_signin_render_member(r->db, &m), "organization",
	                   se_signin_render_org(r->db, r->cfg->public_url, &org), "session_token", s.session_token,
	                   "session_jwt", jwt, "member_authenticated", 1, "intermediate_session_token", "",
	                   "mfa_required", "primary_required");
	rc = r->out ? 0 : se_req_internal(r);
done:
	OPENSSL_cleanse(token, sizeof token);
	free(jwt);
	json_decref(factors);
	json_decref(roles);
	se_sso_token_release(&t);
	se_session_release(&s);
	se_session_release(&hs);
	se_member_release(&m);
	se_member_release(&gm);
	se_member_release(&hm);
	se_org_release(&org);
	return rc;
}
