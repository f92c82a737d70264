/* The request pipeline: route, credentials, rate limit, faults, session, tenancy, RBAC, validation, handler,
 * response. Transport-neutral, so tests and the fuzzer drive it directly. The request is borrowed; the response
 * belongs to the caller, who releases it with se_http_out_release(). */
#ifndef SE_PIPELINE_H
#define SE_PIPELINE_H

#include "core/app.h"
#include "outbound/outbound.h"
#include "request/http.h"

/* A request waiting for outbound work (request/req.h se_req_pending()): it owns the whole request state. */
typedef struct se_pipeline_call se_pipeline_call;

/* Handles one request. Always fills *out with a complete response (an error body when anything
 * fails); release it with se_http_out_release(). Outbound work a handler asks for runs on the
 * calling thread, blocking it: for tests and the fuzzer; the server uses se_pipeline_start(). */
void se_pipeline_handle(se_app *app, const se_http_in *in, se_http_out *out);

/* Starts handling a request. Returns 0 with *out complete; or 1 when a handler left outbound work
 * pending: then *ret_call (the caller owns it) holds the request, *out holds only the headers set so
 * far, and in (with everything it points to) and out must stay valid until the call is resumed to its
 * end or freed. The caller starts se_pipeline_call_job(*ret_call) with se_outbound_job_start() and,
 * once woken, calls se_pipeline_resume() on a server thread. Never blocks. */
int se_pipeline_start(se_app *app, const se_http_in *in, se_http_out *out, se_pipeline_call **ret_call);

/* The pending job of call (owned by call; start it, never free it); NULL when call waits for the key pool instead
 * (then ask se_keypool_notify() to wake it). */
se_outbound_job *se_pipeline_call_job(se_pipeline_call *call);

/* Waits on the calling thread for what call waits for: runs its job (se_outbound_job_run()), or waits until the
 * key pool has a key. Only for callers without a connection to suspend (tests, the fuzzer). */
void se_pipeline_call_wait(se_app *app, se_pipeline_call *call);

/* Runs the continuation of call, whose job has ended, on the calling thread. Returns 0 with *out
 * complete and call freed; or 1 when the continuation left more work pending (start its job again). */
int se_pipeline_resume(se_app *app, se_pipeline_call *call, se_http_out *out);

/* Frees a call that will not be resumed (its connection went away). Not while its job runs. NULL ok. */
void se_pipeline_call_free(se_pipeline_call *call);

#endif
