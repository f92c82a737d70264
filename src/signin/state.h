/* Sign-in state kept in memory (SIGNIN.md Rule C): flows in flight with their expiry, the built-in
 * IdP's pending login pages, authorization codes and access tokens, presets, and the assertion log.
 * A restart ends it all; reset clears it. Every function is thread-safe. Objects are jansson values:
 * functions taking one steal the reference, functions returning one give a new reference. */
#ifndef SE_SIGNIN_STATE_H
#define SE_SIGNIN_STATE_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

/* Flows and items kept at most (the oldest go first). */
#define SE_SIGNIN_MAX_FLOWS 1000
#define SE_SIGNIN_MAX_ITEMS 1000
#define SE_SIGNIN_MAX_PRESETS 100
#define SE_SIGNIN_LOG_SIZE 50
/* Flows and pending logins live 10 minutes. */
#define SE_SIGNIN_FLOW_LIFETIME 600

typedef struct se_signin se_signin;

int se_signin_new(se_signin **ret);
void se_signin_free(se_signin *s);
/* Forgets everything (control reset). */
void se_signin_reset(se_signin *s);

/* Records a new flow (an object with at least flow_id and expires_at, an integer); state becomes
 * "started". Returns 0 or SE_ENOMEM. */
int se_signin_flow_put(se_signin *s, json_t *flow);

/* Uses a started flow up: *ret gets a copy. SE_ENOTFOUND when unknown or already used. When it has
 * expired at now, *ret_expired is set and its state becomes "expired". */
int se_signin_flow_take(se_signin *s, const char *flow_id, time_t now, json_t **ret, bool *ret_expired);

/* Whether a flow is started (not used) and, if so, a copy; NULL otherwise. */
json_t *se_signin_flow_peek(se_signin *s, const char *flow_id);

/* Records how a used flow ended ("completed" or "failed" with error_type). */
void se_signin_flow_end(se_signin *s, const char *flow_id, const char *state, const char *error_type);

/* The last limit flows, newest first. */
json_t *se_signin_flows(se_signin *s, size_t limit, time_t now);

/* Keyed items of a kind ("saml_login", "oidc_login", "code", "access_token"). */
int se_signin_item_put(se_signin *s, const char *kind, const char *key, json_t *v);
/* Removes and returns the item; NULL when absent. */
json_t *se_signin_item_take(se_signin *s, const char *kind, const char *key);
/* A copy of the item; NULL when absent. */
json_t *se_signin_item_get(se_signin *s, const char *kind, const char *key);

/* Adds a preset (SIGNIN.md 6.6) and returns a copy with its id; NULL when full or out of memory. */
json_t *se_signin_preset_add(se_signin *s, json_t *preset);
/* The first preset matching protocol and connection_id, with one use taken; NULL when none. */
json_t *se_signin_preset_take(se_signin *s, const char *protocol, const char *connection_id);
json_t *se_signin_presets(se_signin *s);
void se_signin_presets_clear(se_signin *s);

/* The assertion log: the last SE_SIGNIN_LOG_SIZE callbacks. */
void se_signin_log_add(se_signin *s, json_t *entry);
json_t *se_signin_log(se_signin *s, size_t limit);

/* The last assertion ID the built-in IdP issued per connection (the "replay" outcome resends it). */
void se_signin_last_response_put(se_signin *s, const char *connection_id, const char *xml);
/* malloc'd copy or NULL. */
char *se_signin_last_response_get(se_signin *s, const char *connection_id);

#endif
