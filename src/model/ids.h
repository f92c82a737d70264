/* Generated identifiers: <prefix><uuid4>, such as saml-connection-test-<uuid4>, from the process generator
 * (reproducible under --seed). No state; a new id is malloc'd for the caller, or written into the caller's buffer. */
#ifndef SE_IDS_H
#define SE_IDS_H

#include <stddef.h>

#define SE_ID_REQUEST "request-id-test-"
#define SE_ID_MEMBER "member-test-"
#define SE_ID_SESSION "member-session-test-"
#define SE_ID_SIGNING_KEY "saml-signing-key-test-"
#define SE_ID_VERIFICATION_KEY "saml-verification-key-test-"
#define SE_ID_ENCRYPTION_KEY "saml-encryption-key-test-"
#define SE_ID_SCIM_GROUP "scim-group-test-"

/* A new id prefix + uuid4, malloc'd into *ret. Returns 0 or a negative se_err. */
int se_id_new(const char *prefix, char **ret);

/* Writes prefix + uuid4 into buf (size at least strlen(prefix) + 37). Returns 0 or a negative se_err. */
int se_id_format(const char *prefix, char *buf, size_t size);

#endif
