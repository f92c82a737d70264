/* The one module that sees SAML XML (libxml2 + libxmlsec1 on OpenSSL): AuthnRequests by the
 * HTTP-Redirect binding, SAML Responses built and signed (built-in IdP) or verified, decrypted and
 * read (assertion consumer service), and IdP metadata. */
#ifndef SE_SIGNIN_SAML_H
#define SE_SIGNIN_SAML_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "request/errors.h"

/* Largest decoded SAMLResponse or SAMLRequest accepted (SIGNIN.md section 2, check 1). */
#define SE_SAML_MAX_XML (256 * 1024)

#define SE_SAML_NS_PROTOCOL "urn:oasis:names:tc:SAML:2.0:protocol"
#define SE_SAML_NS_ASSERTION "urn:oasis:names:tc:SAML:2.0:assertion"
#define SE_SAML_NAMEID_EMAIL "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"
#define SE_SAML_NAMEID_TRANSIENT "urn:oasis:names:tc:SAML:2.0:nameid-format:transient"
#define SE_SAML_NAMEID_PERSISTENT "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"

/* Initializes libxml2 and xmlsec once for the process. Returns 0 or SE_ECRYPTO. Thread-safe. */
int se_saml_init(void);

/* --- AuthnRequest (service provider side) ------------------------------------------------------ */

typedef struct se_saml_authn_params {
	const char *destination; /* idp_sso_url */
	const char *acs_url;
	const char *issuer;
	const char *nameid_format;
	time_t now;
} se_saml_authn_params;

/* Builds an AuthnRequest with a new ID ("_" + 40 hex digits). *ret_id and *ret_xml are malloc'd, the
 * caller frees them. Returns 0, SE_ENOMEM or SE_ECRYPTO. */
int se_saml_authn_request(const se_saml_authn_params *p, char **ret_id, char **ret_xml);

/* The HTTP-Redirect binding query for a SAML message (param "SAMLRequest" or "SAMLResponse"): raw
 * DEFLATE, base64, URL-encoded, then RelayState (when not NULL) and, when key_pem is not NULL (an RSA
 * private key), SigAlg RSA-SHA256 and Signature over those (SAML Bindings 3.4.4.1). *ret (malloc'd)
 * has no leading '?'. Returns 0, SE_EINVAL (bad key), SE_ENOMEM or SE_ECRYPTO. */
int se_saml_redirect_query(const char *param, const char *xml, const char *relay_state, const char *key_pem,
                           char **ret);

/* Decodes a Redirect-binding message (base64 then raw INFLATE, at most SE_SAML_MAX_XML) or, when
 * deflated is false, a POST-binding one (base64 only). *ret is malloc'd XML text. SE_EINVAL when it
 * does not decode, SE_ELIMIT when too long. */
int se_saml_decode(const char *b64, bool deflated, char **ret);

/* Base64 of xml for the HTTP-POST binding; malloc'd, NULL on allocation failure. */
char *se_saml_encode_post(const char *xml);

/* What the built-in IdP reads of an AuthnRequest. Strings malloc'd; release with
 * se_saml_authn_req_release(). */
typedef struct se_saml_authn_req {
	char *id;
	char *issuer;
	char *acs_url;       /* "" when absent */
	char *nameid_format; /* "" when absent */
} se_saml_authn_req;

/* Parses an AuthnRequest document. SE_EINVAL when it is not one (no DOCTYPE, Version 2.0, an ID and an
 * Issuer). */
int se_saml_authn_req_parse(const char *xml, se_saml_authn_req *ret);
void se_saml_authn_req_release(se_saml_authn_req *a);

/* --- Response (identity provider side) --------------------------------------------------------- */

typedef struct se_saml_resp_params {
	const char *destination;    /* Destination and bearer Recipient */
	const char *in_response_to; /* NULL: unsolicited */
	const char *issuer;         /* Response and Assertion Issuer */
	const char *audience;
	const char *nameid;
	const char *nameid_format;
	time_t now;
	time_t not_before, not_on_or_after;
	const json_t *attributes; /* {name: string or [strings]} */
	/* Failure status: NULL for Success; then the Response is unsigned and has no assertion. */
	const char *status_code2; /* e.g. "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed" */
	const char *status_message;
	const char *key_pem;         /* signing key; NULL: unsigned */
	const char *cert_pem;        /* its certificate, put in KeyInfo */
	bool tamper;                 /* alter the assertion after signing (test outcome) */
	const char *encrypt_key_pem; /* RSA key whose public half the assertion is encrypted to; NULL: plain */
} se_saml_resp_params;

/* Builds (and signs, encrypts) a Response. *ret_xml is malloc'd. Returns 0, SE_EINVAL (bad key),
 * SE_ENOMEM or SE_ECRYPTO. */
int se_saml_response_build(const se_saml_resp_params *p, char **ret_xml);

/* IdP metadata: EntityDescriptor with the signing certificate and Redirect and POST
 * SingleSignOnService at sso_url. *ret_xml malloc'd. */
int se_saml_idp_metadata(const char *entity_id, const char *sso_url, const char *cert_pem, char **ret_xml);

/* --- Response (service provider side) ---------------------------------------------------------- */

/* What the ACS reads of a verified Response. Strings are malloc'd ("" when absent); times 0 when
 * absent. Release with se_saml_assertion_release(). */
typedef struct se_saml_assertion {
	char *status_code, *status_code2, *status_message;
	char *response_issuer, *destination, *in_response_to;
	char *assertion_id, *assertion_issuer;
	char *nameid, *nameid_format;
	char *sc_recipient, *sc_in_response_to;
	time_t sc_not_on_or_after;
	time_t not_before, not_on_or_after;
	json_t *audiences;      /* [strings] */
	json_t *attributes;     /* {Name: [values]} and {FriendlyName: [values]} where it differs */
	json_t *element_valued; /* [Names] whose values have element content */
	char *decrypted;        /* the decrypted assertion XML, when it was encrypted; else NULL */
	bool was_encrypted;
} se_saml_assertion;

void se_saml_assertion_release(se_saml_assertion *a);

/* Trust for one verification: PEM certificates and PEM RSA private keys (newest first). */
typedef struct se_saml_trust {
	const char *const *certs;
	size_t n_certs;
	const char *const *dec_keys;
	size_t n_dec_keys;
} se_saml_trust;

/* Checks 2 to 6 of SIGNIN.md section 2 on a decoded Response and reads what the later checks need.
 * Returns SE_ERR_NONE with *ret filled; or the error id of the first failing check (*ret is still
 * filled as far as it got, for the assertion log: release it either way), with *ret_detail a static
 * text naming the check. */
se_error_id se_saml_response_verify(const char *xml, size_t len, const se_saml_trust *t, se_saml_assertion *ret,
                                    const char **ret_detail);

#endif
