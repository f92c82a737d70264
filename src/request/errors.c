/* The one table of Stytch error types and the one writer of error bodies (API.md section 4). */
#include "request/errors.h"

#include <stdio.h>
#include <string.h>

struct se_error_row {
	int status;
	const char *type;
	const char *message;
};

static const struct se_error_row table[SE_ERR__COUNT] = {
	[SE_ERR_NONE] = {200, "", ""},
	[SE_ERR_BAD_REQUEST] = {400, "bad_request", "The request is invalid."},
	[SE_ERR_INVALID_SSO_IDP] = {400, "invalid_sso_idp", "identity_provider is not a supported SSO identity provider."},
	[SE_ERR_INVALID_SCIM_IDP] = {400, "invalid_scim_idp", "identity_provider is not a supported SCIM identity provider."},
	[SE_ERR_EXTERNAL_ORG_SAME] = {400, "external_organization_id_same_as_organization_id",
				      "external_organization_id must be a different organization than the one creating the connection."},
	[SE_ERR_DUPLICATE_EXTERNAL] = {400, "duplicate_external_sso_connection",
				       "This organization already has an External connection to that connection."},
	[SE_ERR_ACTIVE_SCIM_EXISTS] = {400, "active_scim_connection_exists",
				       "Cannot create a new SCIM connection for the specified organization since the organization already has an active SCIM connection. Organizations may only have one active SCIM connection at a time."},
	[SE_ERR_INVALID_X509] = {400, "invalid_x509_certificate", "x509_certificate is not a valid X.509 certificate in PEM format."},
	[SE_ERR_TOO_MANY_VERIFICATION_CERTS] = {400, "too_many_sso_verification_certificates",
						"A SAML connection can have at most 5 verification certificates."},
	[SE_ERR_CANNOT_DELETE_LAST_VERIFICATION_KEY] = {400, "cannot_delete_last_sso_verification_key",
							"Cannot delete the last verification certificate of an active SAML connection."},
	[SE_ERR_MISSING_GROUPS_KEY] = {400, "saml_connection_attribute_mapping_missing_groups_key",
				       "Group implicit role assignments need a groups key in the SAML connection's attribute_mapping."},
	[SE_ERR_INVALID_RBAC_ROLE_ID] = {400, "invalid_rbac_role_id", "The role_id does not exist in the project's RBAC policy."},
	[SE_ERR_SCIM_NOT_ROTATING] = {400, "scim_connection_not_rotating_token",
				      "The SCIM connection has no bearer token rotation in progress."},
	[SE_ERR_INVALID_SAML_METADATA_URL] = {400, "invalid_saml_metadata_url", "metadata_url could not be fetched."},
	[SE_ERR_INVALID_XML_FROM_METADATA_URL] = {400, "invalid_xml_from_saml_metadata_url",
						  "metadata_url did not return valid SAML metadata XML."},
	[SE_ERR_TOO_MANY_ENCRYPTION_KEYS] = {400, "too_many_saml_encryption_private_keys",
					     "A SAML connection can have at most 5 encryption private keys."},
	[SE_ERR_INVALID_ENCRYPTION_KEY] = {400, "invalid_saml_encryption_private_key",
					   "saml_encryption_private_key must be a PKCS#1 RSA private key in PEM format."},
	[SE_ERR_INVALID_SIGNING_KEY] = {400, "invalid_signing_private_key",
					"signing_private_key must be a PKCS#1 RSA private key in PEM format."},
	[SE_ERR_UNAUTHORIZED_CREDENTIALS] = {401, "unauthorized_credentials", "Unauthorized credentials."},
	[SE_ERR_ENDPOINT_NOT_AUTHORIZED_FOR_SDK] = {401, "endpoint_not_authorized_for_sdk",
						    "The project owner has not authorized the SDK to call this endpoint. Please enable it in the dashboard to continue: https://stytch.com/dashboard/sdk-configuration."},
	[SE_ERR_INVALID_SESSION_JWT] = {401, "jwt_invalid", "The session JWT is invalid or has expired."},
	[SE_ERR_SESSION_AUTHORIZATION] = {403, "session_authorization_error",
					  "The Member is not authorized to perform the requested action on that resource."},
	[SE_ERR_SESSION_TENANCY] = {403, "session_authorization_tenancy_error",
				    "OrganizationID in AuthorizationCheck request does not match session's Organization ID"},
	[SE_ERR_SESSION_NOT_FOUND] = {404, "session_not_found", "Session could not be found."},
	[SE_ERR_ORGANIZATION_NOT_FOUND] = {404, "organization_not_found", "Organization could not be found."},
	[SE_ERR_MEMBER_NOT_FOUND] = {404, "member_not_found", "Member could not be found."},
	[SE_ERR_SAML_CONNECTION_NOT_FOUND] = {404, "saml_connection_not_found", "SAML connection could not be found."},
	[SE_ERR_OIDC_CONNECTION_NOT_FOUND] = {404, "oidc_connection_not_found", "OIDC connection could not be found."},
	[SE_ERR_SSO_CONNECTION_NOT_FOUND] = {404, "sso_connection_not_found", "SSO connection could not be found."},
	[SE_ERR_VERIFICATION_KEY_NOT_FOUND] = {404, "sso_verification_key_not_found", "Verification certificate could not be found."},
	[SE_ERR_ENCRYPTION_KEY_NOT_FOUND] = {404, "sso_encryption_private_key_not_found",
					     "Encryption private key could not be found."},
	[SE_ERR_NO_ACTIVE_SCIM] = {404, "no_active_scim_connection", "The organization has no active SCIM connection."},
	[SE_ERR_ROUTE_NOT_FOUND] = {404, "route_not_found", "The requested route does not exist."},
	[SE_ERR_BODY_TOO_LARGE] = {413, "request_body_too_large", "The request body is larger than 1 MiB."},
	[SE_ERR_TOO_MANY_REQUESTS] = {429, "too_many_requests", "Too many requests have been made."},
	[SE_ERR_INTERNAL] = {500, "internal_server_error",
			     "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know what went wrong."},
	[SE_ERR_SERVICE_UNAVAILABLE] = {503, "service_unavailable", "The service is temporarily unavailable."},

	/* Organizations, the RBAC policy and the Admin Portal (ORG.md). */
	[SE_ERR_ORGANIZATION_SLUG_USED] = {400, "organization_slug_already_used",
					   "The organization_slug is already used by another organization."},
	[SE_ERR_CANNOT_ASSIGN_DEFAULT_ROLE] = {400, "cannot_assign_default_rbac_role_id",
					       "stytch_member is given to every member and cannot be assigned."},
	[SE_ERR_TOO_MANY_SESSION_ARGUMENTS] = {400, "too_many_session_arguments",
					       "Send X-Stytch-Member-Session or X-Stytch-Member-SessionJWT, not both."},
	[SE_ERR_SAML_EMAIL_MAPPING_REQUIRED] = {400, "saml_connection_email_mapping_required",
						"attribute_mapping needs an email key."},
	[SE_ERR_SAML_NAME_MAPPING_REQUIRED] = {400, "saml_connection_name_mapping_required",
					       "attribute_mapping needs full_name, or first_name and last_name."},
	[SE_ERR_SAML_NESTED_ATTRIBUTE_MAPPING] = {400, "saml_connection_no_nested_keys_in_attribute_mapping",
						  "attribute_mapping values must be strings, not nested objects or lists."},
	[SE_ERR_SAML_IDP_SSO_URL_INVALID] = {400, "saml_connection_idp_sso_url_invalid_format",
					     "idp_sso_url is not a valid URL."},
	[SE_ERR_SAML_IDP_SSO_URL_NOT_HTTPS] = {400, "saml_connection_idp_sso_url_not_https", "idp_sso_url must use https."},
	[SE_ERR_OIDC_AUTHORIZATION_URL_INVALID] = {400, "oidc_connection_authorization_url_invalid_format",
						   "authorization_url is not a valid URL."},
	[SE_ERR_OIDC_TOKEN_URL_INVALID] = {400, "oidc_connection_token_url_invalid_format", "token_url is not a valid URL."},
	[SE_ERR_OIDC_USERINFO_URL_INVALID] = {400, "oidc_connection_userinfo_url_invalid_format",
					      "userinfo_url is not a valid URL."},
	[SE_ERR_OIDC_JWKS_URL_INVALID] = {400, "oidc_connection_jwks_url_invalid_format", "jwks_url is not a valid URL."},
	[SE_ERR_EXTERNAL_CONNECTION_NOT_ACTIVE] = {400, "external_connection_not_active",
						   "The connection an External connection points at must be active."},
	[SE_ERR_SCIM_GROUP_DOES_NOT_EXIST] = {400, "scim_group_role_assignment_group_does_not_exist",
					      "A SCIM group role assignment names a group the connection does not have."},
	[SE_ERR_SCIM_GROUP_ID_MISSING] = {400, "scim_group_role_assignment_does_not_contain_group_id",
					  "A SCIM group role assignment needs a group_id."},
	[SE_ERR_TOO_MANY_ENCRYPTION_CERTIFICATES] = {400, "too_many_encryption_certificates",
						     "A SAML connection can have at most 5 encryption private keys."},
	[SE_ERR_SAML_SIGNING_KEY_FORMAT] = {400, "saml_signing_private_key_format_not_supported",
					    "signing_private_key must be a PKCS#1 or PKCS#8 RSA private key in PEM format."},


	/* Hardening: limits, hosts, the control API's protections, outbound fetches. */
	[SE_ERR_URI_TOO_LONG] = {414, "request_uri_too_long", "The request URL is longer than 8192 bytes."},
	[SE_ERR_TOO_MANY_QUERY_PARAMETERS] = {400, "too_many_query_parameters",
					      "The request URL has more than 32 query parameters."},
	[SE_ERR_HEADERS_TOO_LARGE] = {431, "request_headers_too_large",
				      "The request headers are larger than 32 KiB or more than 64 in number."},
	[SE_ERR_MALFORMED_HTTP_REQUEST] = {400, "malformed_http_request",
					   "The HTTP request is malformed: conflicting Content-Length headers, an unsupported "
					   "Transfer-Encoding, or HTTP/1.1 without a Host header."},
	[SE_ERR_HOST_NOT_ALLOWED] = {403, "host_not_allowed",
				     "The Host header names a host this emulator does not serve: add it with --allowed-hosts."},
	[SE_ERR_ORIGIN_NOT_ALLOWED] = {403, "origin_not_allowed",
				       "The control API refuses requests from an Origin that --cors-origins does not allow."},
	[SE_ERR_CONTENT_TYPE_NOT_JSON] = {415, "content_type_not_json",
					  "Control API writes need Content-Type: application/json."},
	[SE_ERR_CONTROL_API_PROTECTED] = {403, "control_api_protected_mode",
					  "The emulator listens on a non-loopback address without --admin-token, so the "
					  "control API answers only clients on a loopback address: start it with "
					  "--admin-token T and send Authorization: Bearer T to use it from elsewhere."},
	[SE_ERR_TOO_MANY_OUTBOUND_FETCHES] = {429, "too_many_outbound_fetches",
					      "Too many fetches of metadata or discovery documents are in flight; retry when they have ended."},
	[SE_ERR_OIDC_ISSUER_INVALID] = {400, "oidc_connection_issuer_url_invalid_format",
					"issuer must be an absolute https:// URL (http:// only for a loopback host) without a query or fragment."},
	[SE_ERR_SAML_SIGNING_KEY_INVALID] = {400, "saml_signing_private_key_invalid",
					     "signing_private_key must be a valid RSA private key of at least 2048 bits."},


	/* Sign-in (SIGNIN.md). */
	[SE_ERR_SI_PUBLIC_TOKEN_REQUIRED] = {400, "public_token_required", "public_token is required."},
	[SE_ERR_SI_MISSING_SSO_CONNECTION_LOCATOR] = {400, "missing_sso_connection_locator", "Pass connection_id or organization_id."},
	[SE_ERR_SI_TOO_MANY_SSO_CONNECTION_LOCATORS] = {400, "too_many_sso_connection_locators", "Pass connection_id or organization_id, not both."},
	[SE_ERR_SI_NO_SSO_CONNECTION_EXISTS_FOR_ORGANIZATION] = {400, "no_sso_connection_exists_for_organization", "The organization has no active SSO connection."},
	[SE_ERR_SI_INDETERMINATE_SSO_CONNECTION_FOR_ORGANIZATION] = {400, "indeterminate_sso_connection_for_organization", "The organization has several active SSO connections and no default one: pass connection_id."},
	[SE_ERR_SI_REQUIRES_ACTIVE_SSO_CONNECTION] = {400, "requires_active_sso_connection", "The SSO connection is not active."},
	[SE_ERR_SI_INVALID_LOGIN_SSO_URL] = {400, "invalid_login_sso_url", "login_redirect_url must be an absolute http or https URL without a fragment, at most 2048 characters."},
	[SE_ERR_SI_INVALID_SIGNUP_SSO_URL] = {400, "invalid_signup_sso_url", "signup_redirect_url must be an absolute http or https URL without a fragment, at most 2048 characters."},
	[SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL] = {400, "no_match_for_provided_sso_url", "The redirect URL does not match any of the project's registered redirect URLs of its type."},
	[SE_ERR_SI_NO_DEFAULT_LOGIN_REDIRECT_URL_SET] = {400, "no_default_login_redirect_url_set", "No login_redirect_url was given and the project has no default LOGIN redirect URL."},
	[SE_ERR_SI_NO_DEFAULT_SIGNUP_REDIRECT_URL_SET] = {400, "no_default_signup_redirect_url_set", "No signup_redirect_url was given and the project has no default SIGNUP redirect URL."},
	[SE_ERR_SI_INVALID_PKCE_CODE_CHALLENGE] = {400, "invalid_pkce_code_challenge", "pkce_code_challenge must be 43 characters of [A-Za-z0-9_-]."},
	[SE_ERR_SI_MISSING_SAML_RESPONSE] = {400, "missing_saml_response", "The callback has no SAMLResponse."},
	[SE_ERR_SI_SAML_RESPONSE_TOO_LONG] = {400, "saml_response_too_long", "The SAMLResponse is over 256 KiB."},
	[SE_ERR_SI_INVALID_XML_SAML_RESPONSE] = {400, "invalid_xml_saml_response", "The SAMLResponse is not a well-formed SAML 2.0 Response."},
	[SE_ERR_SI_FAILED_SAML_RESPONSE] = {400, "failed_saml_response", "The identity provider answered with a failure status."},
	[SE_ERR_SI_MISSING_SAML_RELAY_STATE] = {400, "missing_saml_relay_state", "The SAML Response answers a request but has no RelayState."},
	[SE_ERR_SI_UNSOLICITED_SAML_RESPONSE] = {400, "unsolicited_saml_response", "The SAML Response does not answer a sign-in started here."},
	[SE_ERR_SI_SAML_IDP_INITIATED_AUTH_DISABLED] = {400, "saml_idp_initiated_auth_disabled", "IdP-initiated sign-in is disabled for this connection."},
	[SE_ERR_SI_INVALID_SAML_RESPONSE] = {400, "invalid_saml_response", "The SAML Response is invalid."},
	[SE_ERR_SI_MISSING_SIGNATURE_SAML_RESPONSE] = {400, "missing_signature_saml_response", "The SAML Response is not signed."},
	[SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE] = {400, "invalid_signature_saml_response", "The SAML Response signature does not verify."},
	[SE_ERR_SI_SAML_CERTIFICATE_MISMATCH] = {400, "saml_certificate_mismatch", "The SAML Response is signed by a key that is not one of the connection's verification certificates."},
	[SE_ERR_SI_NOT_YET_VALID_SAML_RESPONSE] = {400, "not_yet_valid_saml_response", "The SAML assertion is not valid yet."},
	[SE_ERR_SI_EXPIRED_SAML_RESPONSE] = {400, "expired_saml_response", "The SAML assertion or sign-in flow has expired."},
	[SE_ERR_SI_INVALID_AUDIENCE_SAML_RESPONSE] = {400, "invalid_audience_saml_response", "The SAML assertion is not meant for this connection's audience."},
	[SE_ERR_SI_DUPLICATE_SAML_RESPONSE] = {400, "duplicate_saml_response", "This SAML assertion was already used."},
	[SE_ERR_SI_INVALID_SAML_RESPONSE_EMAIL] = {400, "invalid_saml_response_email", "The SAML assertion has no valid email address."},
	[SE_ERR_SI_INVALID_SAML_RESPONSE_GROUPS] = {400, "invalid_saml_response_groups", "The SAML assertion's groups attribute is invalid."},
	[SE_ERR_SI_MISSING_OIDC_STATE_PARAM] = {400, "missing_oidc_state_param", "The OIDC callback has no state."},
	[SE_ERR_SI_UNSOLICITED_OIDC_RESPONSE] = {400, "unsolicited_oidc_response", "The OIDC callback's state names no sign-in in progress."},
	[SE_ERR_SI_EXPIRED_OIDC_RESPONSE] = {400, "expired_oidc_response", "The OIDC sign-in flow has expired."},
	[SE_ERR_SI_OIDC_INVALID_CALLBACK_REQUEST] = {400, "oidc_invalid_callback_request", "The OIDC callback request is invalid."},
	[SE_ERR_SI_OIDC_AUTH_CODE_ERROR] = {400, "oidc_auth_code_error", "The identity provider did not give an authorization code or tokens."},
	[SE_ERR_SI_OIDC_INVALID_ID_TOKEN] = {400, "oidc_invalid_id_token", "The id_token is not a compact JWS."},
	[SE_ERR_SI_ID_TOKEN_INVALID] = {400, "id_token_invalid", "The id_token is invalid."},
	[SE_ERR_SI_ID_TOKEN_INCORRECT_AUDIENCE] = {400, "id_token_incorrect_audience", "The id_token is not meant for this connection's client_id."},
	[SE_ERR_SI_ID_TOKEN_EXPIRED] = {400, "id_token_expired", "The id_token has expired."},
	[SE_ERR_SI_ID_TOKEN_NONCE_INVALID] = {400, "id_token_nonce_invalid", "The id_token's nonce does not match the sign-in flow."},
	[SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISSING] = {400, "oidc_response_subject_missing", "The id_token has no sub."},
	[SE_ERR_SI_OIDC_INVALID_USERINFO] = {400, "oidc_invalid_userinfo", "The userinfo endpoint did not answer with JSON."},
	[SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISMATCH] = {400, "oidc_response_subject_mismatch", "The userinfo sub differs from the id_token's."},
	[SE_ERR_SI_OIDC_RESPONSE_EMAIL_MISSING] = {400, "oidc_response_email_missing", "The identity provider gave no email address."},
	[SE_ERR_SI_OIDC_RESPONSE_UNVERIFIED_EMAIL] = {400, "oidc_response_unverified_email", "The identity provider says the email address is not verified."},
	[SE_ERR_SI_INVALID_CONNECTION_FOR_JIT_PROVISIONING] = {403, "invalid_connection_for_jit_provisioning", "The organization does not allow just-in-time provisioning through this connection."},
	[SE_ERR_SI_SSO_TOKEN_NOT_FOUND] = {404, "sso_token_not_found", "The SSO token is unknown, expired or already used."},
	[SE_ERR_SI_PKCE_EXPECTED_CODE_VERIFIER] = {400, "pkce_expected_code_verifier", "This SSO token was started with a PKCE challenge: pkce_code_verifier is required."},
	[SE_ERR_SI_PKCE_DID_NOT_EXPECT_CODE_VERIFIER] = {400, "pkce_did_not_expect_code_verifier", "This SSO token was started without a PKCE challenge: do not send pkce_code_verifier."},
	[SE_ERR_SI_PKCE_MISMATCH] = {400, "pkce_mismatch", "pkce_code_verifier does not match the PKCE challenge."},
	[SE_ERR_SI_INVALID_SESSION_DURATION_MINUTES] = {400, "invalid_session_duration_minutes", "session_duration_minutes must be between 5 and 527040."},
	[SE_ERR_SI_CUSTOM_CLAIMS_TOO_LARGE] = {400, "custom_claims_too_large", "session_custom_claims is over 4 KB."},
	[SE_ERR_SI_SESSION_ON_CODE_DOES_NOT_MATCH_SESSION_PASSED_IN] = {400, "session_on_code_does_not_match_session_passed_in", "The session passed belongs to another member."},
	[SE_ERR_SI_INTERMEDIATE_SESSION_NOT_FOUND] = {404, "intermediate_session_not_found", "The intermediate session could not be found."},
	[SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST] = {400, "emulator_idp_invalid_request", "The built-in identity provider cannot take this request."},
	[SE_ERR_SI_EMULATOR_IDP_LOGIN_REQUIRED] = {400, "emulator_idp_login_required", "The built-in identity provider needs a user: open this page in a browser, pass login_hint, or add a preset."},
	[SE_ERR_SI_EMULATOR_IDP_REQUEST_EXPIRED] = {400, "emulator_idp_request_expired", "The login page is over 10 minutes old: start the sign-in again."},


	/* SCIM provisioning (SCIM.md). */
};

static const struct se_error_row *row(se_error_id id)
{
	if ((int)id <= 0 || id >= SE_ERR__COUNT)
		return &table[SE_ERR_INTERNAL];
	return &table[id];
}

int se_error_status(se_error_id id)
{
	return row(id)->status;
}

const char *se_error_type(se_error_id id)
{
	return row(id)->type;
}

const char *se_error_default_message(se_error_id id)
{
	return row(id)->message;
}

se_error_id se_error_by_type(const char *error_type)
{
	if (!error_type)
		return SE_ERR_NONE;
	for (int i = 1; i < SE_ERR__COUNT; i++)
		if (strcmp(table[i].type, error_type) == 0)
			return (se_error_id)i;
	return SE_ERR_NONE;
}

se_error_id se_error_by_status(int status)
{
	switch (status) {
	case 400: return SE_ERR_BAD_REQUEST;
	case 401: return SE_ERR_UNAUTHORIZED_CREDENTIALS;
	case 403: return SE_ERR_SESSION_AUTHORIZATION;
	case 404: return SE_ERR_ROUTE_NOT_FOUND;
	case 413: return SE_ERR_BODY_TOO_LARGE;
	case 429: return SE_ERR_TOO_MANY_REQUESTS;
	case 500: return SE_ERR_INTERNAL;
	case 503: return SE_ERR_SERVICE_UNAVAILABLE;
	default: return SE_ERR_NONE;
	}
}

json_t *se_error_body(se_error_id id, const char *message, const char *request_id)
{
	const struct se_error_row *r = row(id);
	char url[64];
	snprintf(url, sizeof url, "https://stytch.com/docs/api/errors/%d", r->status);
	return json_pack("{s:i, s:s, s:s, s:s, s:s}", "status_code", r->status, "request_id", request_id ? request_id : "",
			 "error_type", r->type, "error_message", message ? message : r->message, "error_url", url);
}
