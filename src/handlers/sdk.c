/* What the frontend SDK calls besides the connection methods: bootstrap, telemetry and session
 * authentication (API.md section 6). */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "handlers/handlers.h"
#include "model/render.h"
#include "auth/session.h"
#include "store/signin.h"

int se_h_bootstrap(se_req *r)
{
	if (!se_auth_is_public_token(r->project, se_req_arg(r, "public_token")))
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	/* pkce_required_for_sso reflects the project's sign-in setting (SIGNIN.md section 5). */
	se_signin_settings st;
	if (se_store_signin_settings_get(r->db, &st) < 0)
		return se_req_internal(r);
	bool pkce = st.pkce_required_for_sso;
	se_signin_settings_release(&st);
	r->out = json_pack("{s:{s:b}, s:n, s:b, s:b, s:s, s:s, s:O, s:b, s:[], s:[], s:b, s:b, s:b}", "captcha_settings",
			   "enabled", 0, "password_config", "dfp_protected_auth_enabled", 0, "pkce_required_for_sso", pkce,
			   "vertical", "B2B", "project_id", r->project->project_id, "rbac_policy", r->project->rbac_policy,
			   "cname_domain_enabled", 0, "email_domains", "sso_connections", "create_organization_enabled",
			   0, "slug_pattern_enabled", 0, "pkce_required_for_email_magic_links", 0);
	/* What the Kotlin and Swift SDKs require besides (ORG.md section 5). */
	if (r->out && json_object_update_new(r->out, json_pack("{s:b, s:b, s:b, s:b, s:b, s:s}", "disable_sdk_watermark", 0,
							       "pkce_required_for_password_resets", 0,
							       "pkce_required_for_oauth", 0,
							       "siwe_required_for_crypto_wallets", 0, "opaque_errors", 0,
							       "project_name", r->project->project_name)) < 0) {
		json_decref(r->out);
		r->out = NULL;
	}
	return r->out ? 0 : se_req_internal(r);
}

int se_h_events(se_req *r)
{
	r->out = json_object();
	return r->out ? 0 : se_req_internal(r);
}

int se_h_sessions_authenticate(se_req *r)
{
	char *jwt = NULL;
	if (se_store_org_links(r->db, &r->org) < 0)
		return se_req_internal(r);
	/* An SSO session keeps its factors (SIGNIN.md section 5). */
	json_t *factors = NULL;
	if (se_store_session_factors_get(r->db, r->session.member_session_id, &factors) < 0 ||
	    se_session_jwt_factors(r->jwt_key, r->project, &r->session, &r->member, &r->org, factors, r->now, &jwt) < 0) {
		json_decref(factors);
		return se_req_internal(r);
	}
	json_t *ms = se_render_member_session(&r->session, &r->member, &r->org);
	if (ms && json_array_size(factors))
		json_object_set(ms, "authentication_factors", factors);
	json_decref(factors);
	r->out = json_pack("{s:o, s:o, s:o, s:s, s:s}", "member_session", ms, "member", se_render_member(&r->member),
			   "organization", se_render_org(&r->org), "session_token", r->session.session_token, "session_jwt",
			   jwt);
	free(jwt);
	return r->out ? 0 : se_req_internal(r);
}
