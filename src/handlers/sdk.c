/* What the frontend SDK calls besides the connection methods: bootstrap, telemetry and session
 * authentication (API.md section 6). */
#include <stdlib.h>
#include <string.h>

#include "auth/auth.h"
#include "handlers/handlers.h"
#include "model/render.h"
#include "auth/session.h"

int se_h_bootstrap(se_req *r)
{
	if (!se_auth_is_public_token(r->project, se_req_arg(r, "public_token")))
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	r->out = json_pack("{s:{s:b}, s:n, s:b, s:b, s:s, s:s, s:O, s:b, s:[], s:[], s:b, s:b, s:b}", "captcha_settings",
			   "enabled", 0, "password_config", "dfp_protected_auth_enabled", 0, "pkce_required_for_sso", 0,
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
	if (se_session_jwt(r->jwt_key, r->project, &r->session, &r->member, &r->org, r->now, &jwt) < 0)
		return se_req_internal(r);
	r->out = json_pack("{s:o, s:o, s:o, s:s, s:s}", "member_session",
			   se_render_member_session(&r->session, &r->member, &r->org), "member",
			   se_render_member(&r->member), "organization", se_render_org(&r->org), "session_token",
			   r->session.session_token, "session_jwt", jwt);
	free(jwt);
	return r->out ? 0 : se_req_internal(r);
}
