/* Pure functions from stored objects to the JSON objects of the API. Each returns a new reference,
 * or NULL on allocation failure. */
#ifndef SE_RENDER_H
#define SE_RENDER_H

#include <jansson.h>

#include "model/model.h"

/* Every field of a connection not marked secret, under its API name. */
json_t *se_render_fields(const se_kind *k, const void *obj);

/* A SAML connection, with status, acs_url and audience_uri under public_url. */
json_t *se_render_saml(const se_saml *c, const char *public_url);

/* An OIDC connection, with status and redirect_url. */
json_t *se_render_oidc(const se_oidc *c, const char *public_url);

/* An External connection (always active). */
json_t *se_render_external(const se_external *c);

/* A SCIM connection with base_url. A non-NULL bearer_token (create) replaces bearer_token_last_four
 * with the whole token; a non-NULL next_bearer_token (rotate start) likewise for the next one. */
json_t *se_render_scim(const se_scim *c, const char *public_url, const char *bearer_token,
		       const char *next_bearer_token);

/* Renders any kind through its renderer. */
json_t *se_render_conn(const se_kind *k, const void *obj, const char *public_url);

/* The Organization object (ORG.md section 2): every setting, with its default when unset, and the
 * active connections the store read into o (none when it did not). */
json_t *se_render_org(const se_org *o);

/* A member object; roles lists stytch_member and the given roles. */
json_t *se_render_member(const se_member *m);

/* A member_session object. */
json_t *se_render_member_session(const se_session *s, const se_member *m, const se_org *o);

#endif
