/* The request pipeline: route, credentials, rate limit, faults, session, tenancy, RBAC, validation, handler,
 * response. Transport-neutral, so tests and the fuzzer drive it directly. The request is borrowed; the response
 * belongs to the caller, who releases it with se_http_out_release(). */
#ifndef SE_PIPELINE_H
#define SE_PIPELINE_H

#include "core/app.h"
#include "request/http.h"

/* Handles one request. Always fills *out with a complete response (an error body when anything
 * fails); release it with se_http_out_release(). */
void se_pipeline_handle(se_app *app, const se_http_in *in, se_http_out *out);

#endif
