/* The stored objects: organizations, members, sessions and the four connection kinds, with a field
 * table per connection kind that the store and the renderers both walk. */
#ifndef SE_MODEL_H
#define SE_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stddef.h>

/* The project row, cached because every request needs it. Immutable once published: a change
 * publishes a new snapshot, and readers hold a reference to the one they started with. */
typedef struct se_project {
	atomic_int refs;
	char *project_id;
	char *secret;
	char *public_token;
	bool sdk_member_actions_enabled;
	json_t *rbac_policy; /* {"roles": [...], "resources": [...]} */
	char *project_name;   /* shown by the SDKs' UI; "" when unnamed */
	json_t *admin_portal; /* the Admin Portal's switches: {sso_enabled, can_create_saml_connection, ...} */
} se_project;

/* Drops a reference to a snapshot; the last one frees it. NULL ok. */
void se_project_unref(se_project *p);

typedef struct se_org {
	char *organization_id;
	char *organization_slug;
	char *organization_name;
	json_t *email_allowed_domains;
	char *created_at;
	char *organization_external_id;  /* NULL: none */
	char *organization_logo_url;
	char *sso_default_connection_id; /* NULL: none */
	json_t *settings;                /* the other settings of se_org_settings[] that were set */
	char *updated_at;
	/* Read from the connections when the store loads one organization; NULL otherwise. */
	json_t *sso_active_connections; /* [{connection_id, display_name, identity_provider}] */
	json_t *scim_active_connection; /* {connection_id, display_name, ...} or JSON null */
} se_org;

/* How an organization setting is checked: one of a list of words, a list of strings (of words
 * when words is set), an object, or a list of {role_id, domain}. */
typedef enum se_setting_type {
	SE_SETTING_WORD,
	SE_SETTING_WORDS,
	SE_SETTING_OBJECT,
	SE_SETTING_EMAIL_ROLES,
} se_setting_type;

/* One organization setting kept in se_org.settings: its default and, when callers may change it,
 * the stytch.organization action that allows it (NULL: fixtures only). */
typedef struct se_org_setting {
	const char *name;
	se_setting_type type;
	const char *const *words; /* allowed values, NULL-terminated; NULL: any string */
	const char *json_default;
	const char *action;
} se_org_setting;

/* The settings, NULL-name terminated. */
extern const se_org_setting se_org_settings[];

/* The setting named name, or NULL. */
const se_org_setting *se_org_setting_get(const char *name);

/* Checks v against setting s. On failure returns SE_EINVAL with *ret_why (static text) saying
 * what it must be and *ret_index the offending list item (-1 for the whole value). */
int se_org_setting_check(const se_org_setting *s, const json_t *v, const char **ret_why, int *ret_index);

typedef struct se_member {
	char *member_id;
	char *organization_id;
	char *email_address;
	char *name;
	json_t *roles; /* ["role_id", ...], without the implicit stytch_member */
	char *created_at;
	char *status; /* "active" or "deleted" (SCIM deprovisioning); NULL reads as "active" */
	/* Set for a request's member by the SCIM store (SCIM.md 6.4, 6.5): the last n_scim_roles of roles
	 * come only from SCIM groups; scim_role_sources lists [{role_id, connection_id, group_id}];
	 * scim_registration is the member's SCIM registration. NULL when none. */
	size_t n_scim_roles;
	json_t *scim_role_sources;
	json_t *scim_registration;
} se_member;

typedef struct se_session {
	char *session_token;
	char *member_session_id;
	char *member_id;
	char *started_at;
	char *expires_at; /* NULL: never expires */
} se_session;

typedef struct se_saml {
	char *connection_id;
	char *organization_id;
	char *display_name;
	char *identity_provider;
	char *idp_entity_id;
	char *idp_sso_url;
	char *alternative_audience_uri;
	char *alternative_acs_url;
	char *nameid_format;
	bool idp_initiated_auth_disabled;
	bool allow_gateway_callback;
	json_t *attribute_mapping;
	json_t *signing_certificates;
	json_t *verification_certificates;
	json_t *encryption_private_keys;
	json_t *connection_role_assignments;
	json_t *group_role_assignments;
} se_saml;

typedef struct se_oidc {
	char *connection_id;
	char *organization_id;
	char *display_name;
	char *identity_provider;
	char *client_id;
	char *client_secret;
	char *issuer;
	char *authorization_url;
	char *token_url;
	char *userinfo_url;
	char *jwks_url;
	char *custom_scopes;
	json_t *attribute_mapping;
} se_oidc;

typedef struct se_external {
	char *connection_id;
	char *organization_id;
	char *external_organization_id;
	char *external_connection_id;
	char *display_name;
	json_t *connection_role_assignments;
	json_t *group_role_assignments;
} se_external;

typedef struct se_scim {
	char *connection_id;
	char *organization_id;
	char *display_name;
	char *identity_provider;
	char *bearer_token_hash;
	char *bearer_token_last_four;
	char *bearer_token_expires_at;
	char *next_bearer_token_hash;
	char *next_bearer_token_last_four;
	char *next_bearer_token_expires_at;
	json_t *group_role_assignments;
} se_scim;

typedef enum se_field_type {
	SE_FIELD_TEXT,
	SE_FIELD_BOOL,
	SE_FIELD_JSON,
} se_field_type;

enum {
	SE_FIELD_SECRET = 1u << 0, /* stored, never rendered */
	SE_FIELD_KEY = 1u << 1,    /* connection_id / organization_id: set on insert only */
};

/* One column: its SQL name, its name in API objects (NULL = same), its type and its place. */
typedef struct se_field {
	const char *column;
	const char *json_name;
	se_field_type type;
	size_t offset;
	unsigned flags;
	const char *json_default; /* JSON text for JSON fields left NULL: "[]" or "{}" */
} se_field;

typedef enum se_kind_id {
	SE_KIND_SAML,
	SE_KIND_OIDC,
	SE_KIND_EXTERNAL,
	SE_KIND_SCIM,
	SE_KIND__COUNT,
} se_kind_id;

/* A connection kind: its table and fields. */
typedef struct se_kind {
	se_kind_id id;
	const char *table;
	const char *id_prefix; /* "saml-connection-test-" */
	const se_field *fields;
	size_t n_fields;
	size_t size; /* sizeof the struct */
} se_kind;

/* The descriptor of a kind. */
const se_kind *se_kind_get(se_kind_id id);

/* Frees every field of a connection struct of that kind and zeroes it. NULL fields ok. */
void se_conn_release(const se_kind *k, void *obj);

/* Fills NULL fields with defaults: "" for text, the field's json_default for JSON. Returns 0 or
 * SE_ENOMEM. */
int se_conn_fill_defaults(const se_kind *k, void *obj);

/* Deep copy of obj into *ret (zeroed first). Returns 0 or SE_ENOMEM. */
int se_conn_copy(const se_kind *k, const void *obj, void *ret);

/* The slot of text field column in a connection struct of kind k; NULL when the kind has none. */
char **se_conn_text_slot(const se_kind *k, void *obj, const char *column);

/* The text field column of a connection struct of kind k; "" when the kind has no such field. */
const char *se_conn_text(const se_kind *k, const void *obj, const char *column);

void se_org_release(se_org *o);

/* Whether slug is 2 to 128 of [a-z0-9._~-] (ORG.md section 3). */
bool se_org_slug_valid(const char *slug);
void se_member_release(se_member *m);
void se_session_release(se_session *s);

/* Deep copies of src into *ret (zeroed first; the caller releases it). Returns 0 or SE_ENOMEM (then *ret holds
 * nothing). A field added to one of these structs must be added to its copy too: model.c checks their sizes. */
int se_org_copy(const se_org *src, se_org *ret);
int se_member_copy(const se_member *src, se_member *ret);
int se_session_copy(const se_session *src, se_session *ret);

/* The two identity_provider enums of API.md section 3. NULL-terminated. */
extern const char *const se_sso_idps[];
extern const char *const se_scim_idps[];

/* "active" when a SAML connection has an IdP SSO URL, entity id, an email attribute mapping and a
 * verification certificate; "pending" otherwise. */
const char *se_saml_status(const se_saml *c);

/* "active" when an OIDC connection has issuer, client id and secret and the authorization, token and JWKS
 * URLs (userinfo_url is optional). */
const char *se_oidc_status(const se_oidc *c);

#endif
