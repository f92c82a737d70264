/* After a successful assertion (SIGNIN.md section 4): the member found or created under the JIT
 * rules, its SSO registration, the single-use SSO token; the sessions of sso/authenticate; and the
 * Member and Organization objects with their sign-in fields. */
#ifndef SE_SIGNIN_MEMBER_H
#define SE_SIGNIN_MEMBER_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "request/req.h"

/* Where the member signs in. */
typedef struct se_signin_target {
	const char *organization_id;
	const char *connection_id; /* signed in through (the External connection for External flows) */
	const char *protocol;      /* "saml" or "oidc" */
	const char *login_url;     /* the flow's or the project's default; NULL: none (an error at a login) */
	const char *signup_url;    /* likewise, for a new member */
	bool no_redirect;          /* no redirect URL wanted (control API tokens) */
} se_signin_target;

/* What the IdP asserted, after the attribute mapping. Borrowed. */
typedef struct se_signin_identity {
	const char *email;
	const char *name;      /* "" when none */
	const json_t *groups;  /* [strings] */
	const json_t *trusted; /* {key: value} of the other mapped keys */
	const json_t *sso_attributes;
	const char *external_id;
} se_signin_identity;

/* What sections 4.1 to 4.3 produced. Strings malloc'd; release with se_signin_result_release(). */
typedef struct se_signin_result {
	char *token; /* the SSO token, shown once */
	char *member_id;
	char *organization_slug;
	char *redirect_url; /* login_url or signup_url with stytch_token_type, token and slug added */
	bool is_new_member;
	time_t expires_at;
} se_signin_result;

void se_signin_result_release(se_signin_result *res);

/* Sections 4.1 to 4.3 in one transaction: the member by email in the organization or a new one under
 * the JIT rules (403 invalid_connection_for_jit_provisioning), trusted metadata merged, the
 * registration upserted with its groups, a new SSO token valid lifetime seconds. Returns 0 or -1 with
 * the error recorded on r; on failure nothing changed. */
int se_signin_complete(se_req *r, const se_signin_target *t, const se_signin_identity *id, const char *pkce_challenge,
                       int lifetime, se_signin_result *ret);

/* 44 base64url characters from 33 random bytes; out has room for 45. Returns 0 or SE_ECRYPTO. */
int se_signin_random_token(char out[45]);

/* Unpadded base64url SHA-256 of s (the PKCE S256 transform); out has room for 44. */
void se_signin_s256(const char *s, char out[44]);

/* The member object with roles (and their sources), sso_registrations, trusted_metadata and
 * email_address_verified. New reference; NULL on failure. */
json_t *se_signin_render_member(se_db *db, const se_member *m);

/* The organization object with the sign-in fields of section 5. New reference. */
json_t *se_signin_render_org(se_db *db, const char *public_url, const se_org *o);

/* The role ids of a session of m whose SSO factors name connections (an array of factors): direct
 * roles and the implicit roles of those connections, without stytch_member. New reference. */
json_t *se_signin_session_roles(se_db *db, const se_member *m, const json_t *factors);

/* For a session with SSO factors, replaces m->roles by its session roles (above), so RBAC and the
 * session objects see the implicit roles. Sessions without SSO factors are left alone. */
int se_signin_apply_session_roles(se_db *db, const se_session *s, se_member *m);

#endif
