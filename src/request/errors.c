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
	[SE_ERR_TOO_MANY_OUTBOUND_FETCHES] = {429, "too_many_outbound_fetches",
					      "Too many fetches of metadata or discovery documents are in flight; retry when they have ended."},
	[SE_ERR_OIDC_ISSUER_INVALID] = {400, "oidc_connection_issuer_url_invalid_format",
					"issuer must be an absolute https:// URL (http:// only for a loopback host) without a query or fragment."},
	[SE_ERR_SAML_SIGNING_KEY_INVALID] = {400, "saml_signing_private_key_invalid",
					     "signing_private_key must be a valid RSA private key of at least 2048 bits."},


	/* Sign-in (SIGNIN.md). */


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
