/* The operations of API.md section 2 and the SDK's supporting calls. Each takes the request with its organization
 * (and member, when a session was given) already resolved (see router.h) and leaves its answer in the request,
 * which owns it (r->out, freed when the request ends). */
#ifndef SE_HANDLERS_H
#define SE_HANDLERS_H

#include "request/req.h"

/* sso.c */
int se_h_sso_get(se_req *r);
int se_h_sso_delete(se_req *r);

/* saml.c */
int se_h_saml_create(se_req *r);
int se_h_saml_update(se_req *r);
int se_h_saml_update_by_url(se_req *r);
int se_h_saml_delete_verification_certificate(se_req *r);
int se_h_saml_delete_encryption_private_key(se_req *r);

/* external.c */
int se_h_external_create(se_req *r);
int se_h_external_update(se_req *r);

/* oidc.c */
int se_h_oidc_create(se_req *r);
int se_h_oidc_update(se_req *r);

/* discovery.c: public, identified by the public token alone. */
int se_h_sso_discovery(se_req *r);

/* scim.c */
int se_h_scim_create(se_req *r);
int se_h_scim_get(se_req *r);
int se_h_scim_update(se_req *r);
int se_h_scim_delete(se_req *r);
int se_h_scim_groups(se_req *r);
int se_h_scim_rotate_start(se_req *r);
int se_h_scim_rotate_complete(se_req *r);
int se_h_scim_rotate_cancel(se_req *r);

/* sdk.c: what the frontend SDK needs besides the connection calls. */
int se_h_bootstrap(se_req *r);
int se_h_events(se_req *r);
int se_h_sessions_authenticate(se_req *r);

/* org.c: the caller's organization, the Admin Portal's configuration, the RBAC policy. */
int se_h_admin_portal_config(se_req *r);
int se_h_org_get(se_req *r);
int se_h_org_update(se_req *r);
int se_h_rbac_policy(se_req *r);

/* jwks.c: the public key set of session JWTs (no credentials; only our project id). */
int se_h_sessions_jwks(se_req *r);

/* Sign-in (SIGNIN.md): sso_start.c, sso_callback.c, sso_authenticate.c, idp.c. */
int se_h_sso_start(se_req *r);
int se_h_sso_callback_post(se_req *r);
int se_h_sso_callback_get(se_req *r);
int se_h_sso_authenticate(se_req *r);
int se_h_idp_saml_metadata(se_req *r);
int se_h_idp_saml_certificate(se_req *r);
int se_h_idp_saml_sso(se_req *r);
int se_h_idp_saml_login(se_req *r);
int se_h_idp_saml_initiate(se_req *r);
int se_h_idp_oidc_discovery(se_req *r);
int se_h_idp_oidc_authorize(se_req *r);
int se_h_idp_oidc_login(se_req *r);
int se_h_idp_oidc_token(se_req *r);
int se_h_idp_oidc_jwks(se_req *r);
int se_h_idp_oidc_userinfo(se_req *r);

/* A connection of any sign-in kind, loaded by id. */
typedef struct se_h_signin_conn {
	int kind; /* 0: nothing loaded */
	se_kind_id kind_id;
	union {
		se_saml saml;
		se_oidc oidc;
		se_external external;
	} u;
} se_h_signin_conn;

/* Loads the SAML, OIDC or External connection id of any organization; SE_ENOTFOUND when none. */
int se_h_signin_conn_get(se_db *db, const char *id, se_h_signin_conn *ret);
void se_h_signin_conn_release(se_h_signin_conn *c);
/* Whether a SAML or OIDC connection is active (External ones always are). */
bool se_h_signin_conn_active(const se_h_signin_conn *c);
/* <public_url>/v1/b2b/sso/callback/<id>, malloc'd. */
char *se_h_callback_url(const se_req *r, const char *connection_id);
/* The path-only form of a self URL (Rule A), else a copy of url. */
char *se_h_browser_url(const se_req *r, const char *url);
/* 43 random base64url characters. */
int se_h_random_43(char out[44]);

/* --- shared by the handlers (common.c) --- */

/* Checks identity_provider against the SSO (scim false) or SCIM enum. Absent or "" passes and
 * leaves *ret untouched; otherwise *ret points into the body. */
int se_h_idp(se_req *r, bool scim, const char **ret);

/* Update semantics of API.md section 1 for a string field: absent or "" keeps *dst, anything
 * else replaces it (a copy). */
int se_h_set_str(se_req *r, const char *field, char **dst);

/* Validates a role-assignment list under field (alias: a second accepted name, or NULL): an array of
 * objects with a role_id of the project's policy and, when group_key is not NULL, a non-empty
 * string under group_key. *ret is a normalized copy, or NULL when the field is absent. */
int se_h_role_assignments(se_req *r, const char *field, const char *alias, const char *group_key, json_t **ret);

/* Sets r->out to {"connection": c}, stealing c. NULL c is a 500. */
int se_h_out_connection(se_req *r, json_t *c);

/* Checks attribute_mapping, when present, is a flat object of strings (bad_request naming the key
 * otherwise). Call after se_req_check_types has checked it is an object. */
int se_h_check_attribute_mapping(se_req *r);

/* The start of every create: checks display_name and identity_provider (against the SCIM enum
 * for SE_KIND_SCIM, the SSO one otherwise; "generic" when absent) and sets a new connection_id,
 * the caller's organization_id, display_name and identity_provider of obj, a zeroed struct of kind
 * k. Returns 0, or -1 with the error recorded. */
int se_h_conn_new(se_req *r, const se_kind *k, void *obj);

/* Stores a new connection of kind k in a transaction of its own; a failure is a 500 and stores
 * nothing. */
int se_h_insert(se_req *r, const se_kind *k, const void *obj);

/* Commits the open transaction, or answers 500. */
int se_h_commit(se_req *r);

#endif
