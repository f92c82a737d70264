/* Reading an identity provider's SAML 2.0 metadata document: its entity id, single sign-on URL and signing
 * certificate. The caller owns the se_metadata filled in (se_metadata_release) and any error text (free). */
#ifndef SE_METADATA_H
#define SE_METADATA_H

#include <stddef.h>

/* Largest metadata document accepted, in bytes (the fetch cap). */
#define SE_METADATA_MAX_BYTES (1024 * 1024)
/* Bounds checked on the raw text before parsing (a document past one is refused at once). */
#define SE_METADATA_MAX_ELEMENTS 20000
#define SE_METADATA_MAX_ATTRS 40000
#define SE_METADATA_MAX_ATTRS_PER_ELEMENT 256
#define SE_METADATA_MAX_DEPTH 64
/* Longest entityID or Location accepted. */
#define SE_METADATA_STR_MAX 2048

typedef struct se_metadata {
	char *entity_id;   /* EntityDescriptor/@entityID */
	char *sso_url;     /* SingleSignOnService/@Location, HTTP-Redirect binding first, then HTTP-POST */
	char *certificate; /* text of the first signing (or unqualified) KeyDescriptor's X509Certificate: base64 DER,
			    * surrounding whitespace trimmed */
} se_metadata;

/* Parses len bytes of metadata XML (an EntityDescriptor, or an EntitiesDescriptor holding exactly one) without
 * touching the network, loading a DTD or expanding entities; a document with a DOCTYPE is refused, and so is one
 * past the element, attribute or depth bounds above, before it is parsed: the time taken is linear in len (a few
 * milliseconds for the largest document). Messages never quote the document. On success fills
 * *ret, whose strings are malloc'd and freed by se_metadata_release(). Returns 0, SE_ENOMEM, or SE_EINVAL for input
 * that is too large, not well-formed, or lacks a piece; then *ret_error (malloc'd, caller frees) says why in one
 * sentence. */
int se_metadata_parse(const char *xml, size_t len, se_metadata *ret, char **ret_error);

/* Frees the strings of m and zeroes it. NULL is accepted. */
void se_metadata_release(se_metadata *m);

#endif
