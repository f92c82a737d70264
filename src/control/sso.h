/* The control API's sign-in calls under /_emulator/sso/ (SIGNIN.md 6.6) and the sign-in settings of
 * /_emulator/config. */
#ifndef SE_CONTROL_SSO_H
#define SE_CONTROL_SSO_H

#include <jansson.h>

#include "core/app.h"
#include "request/errors.h"
#include "request/http.h"

/* Answers one call: name is the path after /_emulator/ ("sso/presets"). *ret is the success body
 * (new reference), or *ret_err and *ret_msg (malloc'd, may be NULL) the error. */
void se_control_sso(se_app *app, const char *method, const char *name, const se_http_in *in, const json_t *body,
                    json_t **ret, se_error_id *ret_err, char **ret_msg);

/* Adds pkce_required_for_sso, allow_loopback_redirect_urls and sso_token_lifetime_seconds to a
 * config object. Returns 0 or a negative code. */
int se_control_sso_config(se_app *app, json_t *config);

/* Whether key is one of those settings. */
int se_control_sso_config_key(const char *key);

/* Validates and stores those of body's keys; on a bad value *ret_msg (malloc'd) says which and
 * nothing is stored. Returns 0, SE_EINVAL or another negative code. */
int se_control_sso_config_patch(se_app *app, const json_t *body, char **ret_msg);

#endif
