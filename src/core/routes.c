/* THE route table: surface, method, pattern, handler, authentication and RBAC resource:action.
 * Both surfaces point at the same handlers; {organization_id} names the organization on /v1. */
#include "core/routes.h"

#include "handlers/handlers.h"

#define SSO "stytch.sso"
#define SCIM "stytch.scim"
#define SDK_MEMBER(m, p, h, res, act) {SE_SURFACE_SDK, m, "/sdk/v1" p, h, SE_AUTH_SESSION, res, act, SE_ROUTE_MEMBER_ACTION}
#define API(m, p, h, res, act) {SE_SURFACE_API, m, "/v1" p, h, SE_AUTH_SECRET, res, act, 0}
/* One operation on both surfaces: the same handler and RBAC check under the SDK path and the backend path. */
#define BOTH(m, sdk, api, h, res, act) SDK_MEMBER(m, sdk, h, res, act), API(m, api, h, res, act)

const se_route se_routes[] = {
	/* Both surfaces: on /sdk/v1 the organization comes from the member's session, on /v1 from the path. */
	BOTH("GET", "/b2b/sso", "/b2b/sso/{organization_id}", se_h_sso_get, SSO, "get"),
	BOTH("DELETE", "/b2b/sso/{connection_id}", "/b2b/sso/{organization_id}/connections/{connection_id}",
	     se_h_sso_delete, SSO, "delete"),
	BOTH("POST", "/b2b/sso/saml", "/b2b/sso/saml/{organization_id}", se_h_saml_create, SSO, "create"),
	BOTH("PUT", "/b2b/sso/saml/{connection_id}", "/b2b/sso/saml/{organization_id}/connections/{connection_id}",
	     se_h_saml_update, SSO, "update"),
	BOTH("PUT", "/b2b/sso/saml/{connection_id}/url",
	     "/b2b/sso/saml/{organization_id}/connections/{connection_id}/url", se_h_saml_update_by_url, SSO, "update"),
	BOTH("DELETE", "/b2b/sso/saml/{connection_id}/verification_certificates/{certificate_id}",
	     "/b2b/sso/saml/{organization_id}/connections/{connection_id}/verification_certificates/{certificate_id}",
	     se_h_saml_delete_verification_certificate, SSO, "delete"),
	/* Singular, as the frontend SDK sends it; the backend path is plural. */
	BOTH("DELETE", "/b2b/sso/saml/{connection_id}/encryption_private_key/{private_key_id}",
	     "/b2b/sso/saml/{organization_id}/connections/{connection_id}/encryption_private_keys/{private_key_id}",
	     se_h_saml_delete_encryption_private_key, SSO, "delete"),
	BOTH("POST", "/b2b/sso/external", "/b2b/sso/external/{organization_id}", se_h_external_create, SSO, "create"),
	BOTH("PUT", "/b2b/sso/external/{connection_id}", "/b2b/sso/external/{organization_id}/connections/{connection_id}",
	     se_h_external_update, SSO, "update"),
	BOTH("POST", "/b2b/sso/oidc", "/b2b/sso/oidc/{organization_id}", se_h_oidc_create, SSO, "create"),
	BOTH("PUT", "/b2b/sso/oidc/{connection_id}", "/b2b/sso/oidc/{organization_id}/connections/{connection_id}",
	     se_h_oidc_update, SSO, "update"),
	BOTH("POST", "/b2b/scim", "/b2b/scim/{organization_id}/connection", se_h_scim_create, SCIM, "create"),
	BOTH("GET", "/b2b/scim", "/b2b/scim/{organization_id}/connection", se_h_scim_get, SCIM, "get"),
	BOTH("PUT", "/b2b/scim/{connection_id}", "/b2b/scim/{organization_id}/connection/{connection_id}",
	     se_h_scim_update, SCIM, "update"),
	BOTH("DELETE", "/b2b/scim/{connection_id}", "/b2b/scim/{organization_id}/connection/{connection_id}",
	     se_h_scim_delete, SCIM, "delete"),
	/* Groups: a POST on the SDK surface, a GET of the connection on the backend. */
	SDK_MEMBER("POST", "/b2b/scim/groups", se_h_scim_groups, SCIM, "get"),
	API("GET", "/b2b/scim/{organization_id}/connection/{connection_id}", se_h_scim_groups, SCIM, "get"),
	BOTH("POST", "/b2b/scim/rotate/start", "/b2b/scim/{organization_id}/connection/{connection_id}/rotate/start",
	     se_h_scim_rotate_start, SCIM, "update"),
	BOTH("POST", "/b2b/scim/rotate/complete",
	     "/b2b/scim/{organization_id}/connection/{connection_id}/rotate/complete", se_h_scim_rotate_complete, SCIM,
	     "update"),
	BOTH("POST", "/b2b/scim/rotate/cancel", "/b2b/scim/{organization_id}/connection/{connection_id}/rotate/cancel",
	     se_h_scim_rotate_cancel, SCIM, "update"),

	/* Public: a login page asks before anyone is signed in. */
	{SE_SURFACE_SDK, "GET", "/sdk/v1/b2b/sso/discovery/connections", se_h_sso_discovery, SE_AUTH_PUBLIC_TOKEN, NULL,
	 NULL, 0},

	/* What the SDK needs besides the connection calls. */
	{SE_SURFACE_SDK, "GET", "/sdk/v1/projects/bootstrap/{public_token}", se_h_bootstrap, SE_AUTH_NONE, NULL, NULL, 0},
	{SE_SURFACE_SDK, "POST", "/sdk/v1/events", se_h_events, SE_AUTH_NONE, NULL, NULL, SE_ROUTE_ANY_BODY},
	{SE_SURFACE_SDK, "POST", "/sdk/v1/b2b/sessions/authenticate", se_h_sessions_authenticate, SE_AUTH_SESSION, NULL,
	 NULL, 0},

	/* The key set the backend clients verify session JWTs with. */
	{SE_SURFACE_API, "GET", "/v1/b2b/sessions/jwks/{project_id}", se_h_sessions_jwks, SE_AUTH_NONE, NULL, NULL, 0},

	/* Organizations, the RBAC policy and the Admin Portal (ORG.md). */
	{SE_SURFACE_SDK, "GET", "/sdk/v1/b2b/admin_portal_config", se_h_admin_portal_config, SE_AUTH_SESSION, NULL, NULL, 0},
	{SE_SURFACE_SDK, "GET", "/sdk/v1/b2b/organizations/me", se_h_org_get, SE_AUTH_SESSION, NULL, NULL, 0},
	/* RBAC per field, in the handler. */
	SDK_MEMBER("PUT", "/b2b/organizations/me", se_h_org_update, NULL, NULL),
	API("GET", "/b2b/organizations/{organization_id}", se_h_org_get, NULL, NULL),
	API("PUT", "/b2b/organizations/{organization_id}", se_h_org_update, NULL, NULL),
	API("GET", "/b2b/rbac/policy", se_h_rbac_policy, NULL, NULL),
	/* The plural form of Stytch's published schema (the mobile SDKs) beside vanilla-js's singular one. */
	SDK_MEMBER("DELETE", "/b2b/sso/saml/{connection_id}/encryption_private_keys/{private_key_id}",
		   se_h_saml_delete_encryption_private_key, SSO, "delete"),


	/* Sign-in (SIGNIN.md). */
#define PUB(m, p, h, auth, fl) {SE_SURFACE_PUBLIC, m, p, h, auth, NULL, NULL, SE_ROUTE_BROWSER | (fl)}
#define IDP(m, p, h, fl) {SE_SURFACE_IDP, m, "/_emulator/idp" p, h, SE_AUTH_IDP, NULL, NULL, (fl)}
	PUB("GET", "/v1/public/sso/start", se_h_sso_start, SE_AUTH_QUERY_PUBLIC_TOKEN, 0),
	PUB("POST", "/v1/b2b/sso/callback/{connection_id}", se_h_sso_callback_post, SE_AUTH_CALLBACK, SE_ROUTE_FORM),
	PUB("GET", "/v1/b2b/sso/callback/{connection_id}", se_h_sso_callback_get, SE_AUTH_CALLBACK, 0),
	{SE_SURFACE_SDK, "POST", "/sdk/v1/b2b/sso/authenticate", se_h_sso_authenticate, SE_AUTH_PUBLIC_TOKEN, NULL, NULL, 0},
	{SE_SURFACE_API, "POST", "/v1/b2b/sso/authenticate", se_h_sso_authenticate, SE_AUTH_SECRET, NULL, NULL, 0},
	IDP("GET", "/saml/metadata", se_h_idp_saml_metadata, 0),
	IDP("GET", "/saml/certificate", se_h_idp_saml_certificate, 0),
	IDP("GET", "/saml/sso", se_h_idp_saml_sso, SE_ROUTE_BROWSER),
	IDP("POST", "/saml/sso", se_h_idp_saml_sso, SE_ROUTE_BROWSER | SE_ROUTE_FORM),
	IDP("POST", "/saml/login", se_h_idp_saml_login, SE_ROUTE_BROWSER | SE_ROUTE_FORM),
	IDP("GET", "/saml/initiate", se_h_idp_saml_initiate, SE_ROUTE_BROWSER),
	IDP("GET", "/oidc/.well-known/openid-configuration", se_h_idp_oidc_discovery, 0),
	IDP("GET", "/oidc/authorize", se_h_idp_oidc_authorize, SE_ROUTE_BROWSER),
	IDP("POST", "/oidc/login", se_h_idp_oidc_login, SE_ROUTE_BROWSER | SE_ROUTE_FORM),
	IDP("POST", "/oidc/token", se_h_idp_oidc_token, SE_ROUTE_FORM),
	IDP("GET", "/oidc/jwks", se_h_idp_oidc_jwks, 0),
	IDP("GET", "/oidc/userinfo", se_h_idp_oidc_userinfo, 0),
	IDP("POST", "/oidc/userinfo", se_h_idp_oidc_userinfo, SE_ROUTE_FORM),


	/* SCIM provisioning (SCIM.md). */

};

const size_t se_routes_count = sizeof se_routes / sizeof se_routes[0];
