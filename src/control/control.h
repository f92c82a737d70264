/* The control API (EMULATOR.md "Control API") under /_emulator/: health, reset, sessions, faults, the request log,
 * state export and import, runtime settings. Works on the se_app it is given (borrowed); responses are owned by the
 * se_http_out the caller releases; error texts are malloc'd for the caller. */
#ifndef SE_CONTROL_H
#define SE_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "core/app.h"
#include "request/http.h"

#define SE_CONTROL_PREFIX "/_emulator/"

/* A session minted by the control API lives this long unless session_duration_minutes says
 * otherwise (Stytch's own default session length). */
#define SE_CONTROL_SESSION_MINUTES 60

/* Whether a raw request path belongs to the control API. */
bool se_control_path(const char *path);

/* Writes a request id "request-id-test-<uuid4>" drawn from the operating system's generator,
 * never from the --seed stream: control calls (health polls above all) must not shift the ids
 * the API hands out. Returns 0 or SE_ECRYPTO / SE_ELIMIT. */
int se_control_request_id(char *buf, size_t size);

/* Answers one control call. out comes with its request id, CORS headers, surface and log flag
 * already set by the pipeline; this fills status, body, error_type, log_path (secrets masked)
 * and Content-Type. Every answer is a bare JSON object; errors use the error body of API.md. */
void se_control_handle(se_app *app, const se_http_in *in, se_http_out *out);

/* Puts everything back to the fixtures, re-read from the configured file: the store (cleared
 * and re-filled in one transaction), the project snapshot, the --seed stream (restarted), the
 * start-up rate limit with empty buckets, no faults and an empty request log. On failure the
 * store, settings, faults and log are unchanged (the --seed stream may have restarted) and
 * *ret_error (malloc'd) says why. */
int se_control_reset(se_app *app, char **ret_error);

#endif
