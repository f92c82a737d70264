/* The one entry for a request from the edge: its request id and CORS headers, then the control API (EMULATOR.md
 * "Control API") or the API pipeline, siblings that never call each other. Owns nothing: the request is borrowed,
 * the response is the caller's to release. */
#ifndef SE_DISPATCH_H
#define SE_DISPATCH_H

#include "core/app.h"
#include "core/pipeline.h"
#include "request/http.h"

/* Handles one request. Always fills *out with a complete response; release it with
 * se_http_out_release(). Everything in *in is borrowed for the duration of the call. Outbound work
 * runs on the calling thread (tests, the fuzzer); the server uses se_dispatch_start(). */
void se_dispatch(se_app *app, const se_http_in *in, se_http_out *out);

/* Fills *out with the error body of error (an se_error_id; message NULL: its default) for a request
 * the edge refuses before dispatching it (limits, malformed HTTP, shutting down), with a request id,
 * the CORS headers and a masked log path. Release with se_http_out_release(). */
void se_dispatch_refuse(se_app *app, const se_http_in *in, int error, const char *message, se_http_out *out);

/* The same without blocking: returns 0 with *out complete, or 1 when the API pipeline left outbound
 * work pending (core/pipeline.h se_pipeline_start(): *ret_call, start its job, resume it later). */
int se_dispatch_start(se_app *app, const se_http_in *in, se_http_out *out, se_pipeline_call **ret_call);

#endif
