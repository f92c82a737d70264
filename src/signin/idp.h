/* The built-in identity provider (SIGNIN.md section 6): its keys and users, the user picked for a
 * login (preset, login_hint, page), SAML Responses with the test outcomes, and the OIDC provider's
 * authorization codes, token and userinfo endpoints (also called in-process by the OIDC callback). */
#ifndef SE_SIGNIN_IDP_H
#define SE_SIGNIN_IDP_H

#include <jansson.h>
#include <stdbool.h>

#include "request/req.h"

#define SE_IDP_SAML_ENTITY_ID "urn:ssoemu:idp:saml"
#define SE_IDP_OIDC_PATH "/_emulator/idp/oidc"

#include "signin/keys.h"

/* Whether outcome is one of the outcomes of section 6.5 for protocol ("saml" or "oidc"). */
bool se_idp_outcome_valid(const char *protocol, const char *outcome);

/* A user object {email, name, first_name, last_name, groups, idp_user_id, attributes} for email:
 * the fixtures' idp_users entry when there is one, else one made from the address (name = the part
 * before "@"). overrides (may be NULL) replaces fields. New reference. */
json_t *se_idp_user(se_req *r, const char *email, const json_t *overrides);

/* A pending SAML login: what the AuthnRequest asked. */
typedef struct se_idp_saml_request {
	const char *acs_url;
	const char *request_id;  /* NULL: IdP-initiated */
	const char *audience;    /* the AuthnRequest's Issuer */
	const char *relay_state; /* may be NULL */
	const char *nameid_format;
	const char *connection_id; /* the SP connection found by its ACS URL, or NULL */
} se_idp_saml_request;

/* Builds the Response for user with outcome into *ret_xml (malloc'd): signed by the built-in key,
 * encrypted when the connection has encryption keys. For "malformed", not XML. Returns 0 or -1
 * with the error recorded. */
int se_idp_saml_response(se_req *r, const se_idp_saml_request *q, const json_t *user, const char *outcome,
                         char **ret_xml);

/* The OIDC token endpoint: form (grant_type, code, redirect_uri, code_verifier, client_id,
 * client_secret) and the Authorization header. *ret_status and *ret_body (new reference) are the
 * answer: 200 with tokens or an RFC 6749 section 5.2 error. */
void se_idp_oidc_token(se_req *r, const json_t *form, const char *authorization, int *ret_status, json_t **ret_body);

/* The userinfo endpoint for a bearer access token. */
void se_idp_oidc_userinfo(se_req *r, const char *access_token, int *ret_status, json_t **ret_body);

/* Issues an authorization code for a login and returns it (malloc'd). pending holds client_id,
 * redirect_uri, nonce, scope, code_challenge, connection_id; user the user; outcome the outcome. */
char *se_idp_oidc_code(se_req *r, const json_t *pending, const json_t *user, const char *outcome);

#endif
