/* Credentials to principal: HTTP Basic parsing, the project's public token and secret, and member sessions given as
 * opaque tokens. Owns nothing; parsed strings are malloc'd for the caller, looked-up sessions and members are the
 * caller's to release (se_session_release, se_member_release). */
#ifndef SE_AUTH_H
#define SE_AUTH_H

#include <stdbool.h>
#include <time.h>

#include "model/model.h"
#include "request/errors.h"
#include "model/model.h"
#include "store/store.h"

/* Parses an Authorization header "Basic base64(user:pass)". On success *ret_user and *ret_pass are
 * malloc'd (caller frees). SE_EINVAL for anything else. */
int se_auth_basic(const char *header, char **ret_user, char **ret_pass);

/* Whether user is the project's public token (constant time). */
bool se_auth_is_public_token(const se_project *p, const char *user);

/* Whether user:pass are the project's id and secret (constant time). */
bool se_auth_is_secret(const se_project *p, const char *user, const char *pass);

/* Resolves an opaque session token into its session and member. Returns SE_ERR_NONE, or
 * SE_ERR_SESSION_NOT_FOUND for an unknown or expired one, or SE_ERR_INTERNAL. On success the caller
 * releases *ret_session and *ret_member. */
se_error_id se_auth_session(se_db *db, const char *token, time_t now, se_session *ret_session,
			    se_member *ret_member);

#endif
