/* The one table of Stytch error types (status, error_type, default message) and the one writer of error bodies.
 * The table and its messages are static; error bodies are new JSON references for the caller. */
#ifndef SE_ERRORS_H
#define SE_ERRORS_H

#include <jansson.h>

typedef enum se_error_id {
	SE_ERR_NONE = 0,
	SE_ERR_BAD_REQUEST,
	SE_ERR_INVALID_SSO_IDP,
	SE_ERR_INVALID_SCIM_IDP,
	SE_ERR_EXTERNAL_ORG_SAME,
	SE_ERR_DUPLICATE_EXTERNAL,
	SE_ERR_ACTIVE_SCIM_EXISTS,
	SE_ERR_INVALID_X509,
	SE_ERR_TOO_MANY_VERIFICATION_CERTS,
	SE_ERR_CANNOT_DELETE_LAST_VERIFICATION_KEY,
	SE_ERR_MISSING_GROUPS_KEY,
	SE_ERR_INVALID_RBAC_ROLE_ID,
	SE_ERR_SCIM_NOT_ROTATING,
	SE_ERR_INVALID_SAML_METADATA_URL,
	SE_ERR_INVALID_XML_FROM_METADATA_URL,
	SE_ERR_TOO_MANY_ENCRYPTION_KEYS,
	SE_ERR_INVALID_ENCRYPTION_KEY,
	SE_ERR_INVALID_SIGNING_KEY,
	SE_ERR_UNAUTHORIZED_CREDENTIALS,
	SE_ERR_ENDPOINT_NOT_AUTHORIZED_FOR_SDK,
	SE_ERR_INVALID_SESSION_JWT,
	SE_ERR_SESSION_AUTHORIZATION,
	SE_ERR_SESSION_TENANCY,
	SE_ERR_SESSION_NOT_FOUND,
	SE_ERR_ORGANIZATION_NOT_FOUND,
	SE_ERR_MEMBER_NOT_FOUND,
	SE_ERR_SAML_CONNECTION_NOT_FOUND,
	SE_ERR_OIDC_CONNECTION_NOT_FOUND,
	SE_ERR_SSO_CONNECTION_NOT_FOUND,
	SE_ERR_VERIFICATION_KEY_NOT_FOUND,
	SE_ERR_ENCRYPTION_KEY_NOT_FOUND,
	SE_ERR_NO_ACTIVE_SCIM,
	SE_ERR_ROUTE_NOT_FOUND,
	SE_ERR_BODY_TOO_LARGE,
	SE_ERR_TOO_MANY_REQUESTS,
	SE_ERR_INTERNAL,
	SE_ERR_SERVICE_UNAVAILABLE,

	/* Organizations, the RBAC policy and the Admin Portal (ORG.md). */
	SE_ERR_ORGANIZATION_SLUG_USED,
	SE_ERR_CANNOT_ASSIGN_DEFAULT_ROLE,
	SE_ERR_TOO_MANY_SESSION_ARGUMENTS,
	SE_ERR_SAML_EMAIL_MAPPING_REQUIRED,
	SE_ERR_SAML_NAME_MAPPING_REQUIRED,
	SE_ERR_SAML_NESTED_ATTRIBUTE_MAPPING,
	SE_ERR_SAML_IDP_SSO_URL_INVALID,
	SE_ERR_SAML_IDP_SSO_URL_NOT_HTTPS,
	SE_ERR_OIDC_AUTHORIZATION_URL_INVALID,
	SE_ERR_OIDC_TOKEN_URL_INVALID,
	SE_ERR_OIDC_USERINFO_URL_INVALID,
	SE_ERR_OIDC_JWKS_URL_INVALID,
	SE_ERR_EXTERNAL_CONNECTION_NOT_ACTIVE,
	SE_ERR_SCIM_GROUP_DOES_NOT_EXIST,
	SE_ERR_SCIM_GROUP_ID_MISSING,
	SE_ERR_TOO_MANY_ENCRYPTION_CERTIFICATES,
	SE_ERR_SAML_SIGNING_KEY_FORMAT,


	/* Hardening: limits, hosts, the control API's protections, outbound fetches. */
	SE_ERR_TOO_MANY_OUTBOUND_FETCHES,
	SE_ERR_OIDC_ISSUER_INVALID,
	SE_ERR_SAML_SIGNING_KEY_INVALID,


	/* Sign-in (SIGNIN.md). */


	/* SCIM provisioning (SCIM.md). */

	SE_ERR__COUNT,
} se_error_id;

/* The HTTP status of an error id. */
int se_error_status(se_error_id id);

/* The error_type string of an error id ("bad_request"). Static storage. */
const char *se_error_type(se_error_id id);

/* The default (for verbatim ones, Stytch's own) message of an error id. Static storage. */
const char *se_error_default_message(se_error_id id);

/* Finds an error id by its error_type; SE_ERR_NONE when unknown. */
se_error_id se_error_by_type(const char *error_type);

/* The catalog's error for a bare HTTP status (429, 500, 503, 400, 401, 403, 404, 413); SE_ERR_NONE
 * when the catalog has none. */
se_error_id se_error_by_status(int status);

/* Builds the error body {status_code, request_id, error_type, error_message, error_url}. message NULL
 * means the default message. Returns a new reference. */
json_t *se_error_body(se_error_id id, const char *message, const char *request_id);

#endif
