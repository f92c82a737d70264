/* Storage of sign-in state (schema/004_signin.sql): project sign-in settings and the built-in IdP's
 * users, organizations' JIT settings, members' SSO registrations and trusted metadata, session
 * factors, hashed single-use SSO tokens and the SAML replay cache. */
#ifndef SE_STORE_SIGNIN_H
#define SE_STORE_SIGNIN_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "store/store.h"

typedef struct se_signin_settings {
	json_t *redirect_urls; /* [{url, valid_types: [{type, is_default}]}] */
	bool allow_loopback_redirect_urls;
	bool pkce_required_for_sso;
	int sso_token_lifetime_seconds;
	json_t *idp_users;
} se_signin_settings;

/* The settings, or their defaults when none were stored. Release with se_signin_settings_release. */
int se_store_signin_settings_get(se_db *db, se_signin_settings *ret);
int se_store_signin_settings_put(se_db *db, const se_signin_settings *s);
void se_signin_settings_release(se_signin_settings *s);

typedef struct se_org_signin {
	char *sso_jit_provisioning; /* ALL_ALLOWED, RESTRICTED, NOT_ALLOWED */
	json_t *allowed_connections;
	char *sso_default_connection_id; /* "" when none */
} se_org_signin;

/* An organization's settings, defaults when none were stored. */
int se_store_org_signin_get(se_db *db, const char *org_id, se_org_signin *ret);
void se_org_signin_release(se_org_signin *s);

/* A member's trusted metadata ({} when none; new reference) and email verification. */
int se_store_member_signin_get(se_db *db, const char *member_id, json_t **ret_trusted, bool *ret_verified);
int se_store_member_signin_put(se_db *db, const char *member_id, const json_t *trusted, bool verified);

/* Inserts or updates the registration of member on connection; *ret_registration_id (malloc'd) is
 * the registration's id, new_id when it was created. */
int se_store_registration_upsert(se_db *db, const char *member_id, const char *connection_id, const char *external_id,
                                 const json_t *sso_attributes, const json_t *groups, const char *new_id,
                                 char **ret_registration_id);
/* The member's registrations: [{registration_id, connection_id, external_id, sso_attributes, groups}]
 * in creation order (new reference). */
int se_store_registrations_of(se_db *db, const char *member_id, json_t **ret);

int se_store_session_factors_put(se_db *db, const char *member_session_id, const json_t *factors);
/* [] when none (new reference). */
int se_store_session_factors_get(se_db *db, const char *member_session_id, json_t **ret);

typedef struct se_sso_token {
	char *member_id, *organization_id, *connection_id, *protocol, *external_id, *registration_id;
	char *pkce_code_challenge; /* "" when none */
	bool is_new_member;
	time_t expires_at;
} se_sso_token;

void se_sso_token_release(se_sso_token *t);
int se_store_sso_token_insert(se_db *db, const char *token_hash, const se_sso_token *t);
/* The live token of that hash; SE_ENOTFOUND when unknown, used or expired at now. */
int se_store_sso_token_get(se_db *db, const char *token_hash, time_t now, se_sso_token *ret);
/* Uses a token up; SE_ENOTFOUND when it was already gone (another call won). */
int se_store_sso_token_consume(se_db *db, const char *token_hash);

/* Records an accepted assertion id; SE_ECONFLICT when it is already recorded and not yet expired
 * at now. Expired entries are dropped on the way. */
int se_store_saml_replay_add(se_db *db, const char *connection_id, const char *assertion_id, time_t expires_at,
                             time_t now);

/* Whether assertion_id was accepted on connection_id and is still remembered at now. */
int se_store_saml_replay_seen(se_db *db, const char *connection_id, const char *assertion_id, time_t now, bool *ret);

/* Fixtures (SIGNIN.md section 6.6): reads project.redirect_urls, .allow_loopback_redirect_urls,
 * .pkce_required_for_sso, idp_users, organizations' JIT settings and members' trusted_metadata and
 * sso_registrations of doc; call after organizations and members exist. On error *ret_error
 * (malloc'd) names the field. */
int se_store_signin_apply(se_db *db, const json_t *doc, char **ret_error);

/* Adds the same fields to an exported document. */
int se_store_signin_export(se_db *db, json_t *doc);

#endif
