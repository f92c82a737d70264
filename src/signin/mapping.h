/* The attribute mapping of sign-in: what a verified SAML assertion asserts, through the connection's
 * attribute_mapping (SIGNIN.md section 2, Attributes). */
#ifndef SE_SIGNIN_MAPPING_H
#define SE_SIGNIN_MAPPING_H

#include <jansson.h>
#include <stdbool.h>

#include "request/errors.h"
#include "signin/saml.h"

/* The identity a sign-in asserts. Everything owned; release with se_signin_mapped_release(). */
typedef struct se_signin_mapped {
	char *email, *name, *external_id;
	json_t *groups, *trusted, *sso_attributes;
} se_signin_mapped;

void se_signin_mapped_release(se_signin_mapped *m);

/* An email address as sign-in takes it: one '@', both parts non-empty, at most 254 characters. */
bool se_signin_valid_email(const char *e);

/* Maps a verified assertion: SE_ERR_NONE with *m filled, or invalid_saml_response_email,
 * invalid_saml_response_groups (with *why naming the cause) or SE_ERR_INTERNAL. *m is zeroed first
 * and is to be released either way. */
se_error_id se_signin_map_saml(const se_saml_assertion *a, const json_t *mapping, se_signin_mapped *m,
                               const char **why);

#endif
