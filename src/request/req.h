/* The state of one API request as it walks the pipeline, and what handlers use of it. se_req owns what it
 * accumulates (the project reference, the loaded organization and member, the answer) until the request ends. */
#ifndef SE_REQ_H
#define SE_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "crypto/jwt.h"
#include "crypto/keypool.h"
#include "model/config.h"
#include "request/errors.h"
#include "util/errors_code.h"
#include "request/http.h"
#include "model/model.h"
#include "outbound/outbound.h"
#include "request/router.h"
#include "store/store.h"

typedef struct se_signin se_signin;
typedef struct se_req se_req;

/* A handler's continuation (see se_req_pending()): runs on a server thread, with r->db usable, once job has ended;
   read the outcome with se_outbound_job_result(). Returns what a handler returns: 0 with r->out (or r->out_text)
   set, -1 with the error recorded, or SE_REQ_PENDING after registering the next job with se_req_pending(). */
typedef int (*se_req_continue_fn)(se_req *r, se_outbound_job *job, void *ctx);

/* What a handler returns when it left outbound work pending (se_req_pending()). */
#define SE_REQ_PENDING 1

struct se_req {
	const se_config *cfg;
	se_store *store;
	se_jwt_key *jwt_key;
	se_signin *signin;
	se_project *project; /* a reference, dropped when the request ends */
	se_db *db;          /* the calling thread's connection; set again before a continuation runs */
	se_outbound *outbound; /* the fetch worker (borrowed); NULL where nothing may be fetched */
	se_keypool *keypool;   /* RSA keys made ahead of demand (borrowed; crypto/keypool.h) */
	const se_http_in *in;
	se_route_match match;
	char request_id[64];
	time_t now;

	json_t *body; /* the request's JSON object ({} when there is none) */

	/* Resolved before the handler runs. */
	bool has_org;
	se_org org; /* without its active connections: se_store_org_links() before rendering it */
	bool has_member; /* a member session was given */
	se_member member;
	se_session session;
	char *credential; /* the rate-limit key of the credentials (owned): the per-credential outbound cap uses it */

	/* Outbound work left pending by se_req_pending(): owned by the request until it ends. */
	se_outbound_job *job;
	bool wait_key; /* instead of a job: waiting for the key pool (se_req_pending_key()) */
	se_req_continue_fn cont;
	void *cont_ctx;
	void (*cont_ctx_free)(void *ctx);

	/* Result. */
	json_t *out; /* success body (without request_id/status_code) */
	char *out_text; /* or the same as JSON object text, when a handler has it ready (owned) */
	se_error_id err;
	char *errmsg;

	/* Sign-in answers that are not the usual JSON object (SIGNIN.md Rule B): a 302 to location (owned)
	 * with Stytch's redirect body, or raw_body (owned) of raw_type with raw_status (200 when 0). */
	char *location;
	char *raw_body;
	const char *raw_type;
	int raw_status;
};

/* Records an error for the request and returns -1. fmt NULL means the error's default message. */
int se_req_fail(se_req *r, se_error_id id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Makes job (made with se_outbound_job_new(r->outbound, r->credential, ...)) the request's pending work: the
   pipeline starts it off the server thread, keeps r alive while it runs, and then calls cont(r, job, ctx) on a
   server thread; the response is finished from what cont leaves in r, as for a handler. The request takes job and
   ctx (ctx_free(ctx), when not NULL, runs when the request ends; a continuation that registers the same ctx again
   keeps it). A handler returns the result of this function as is: SE_REQ_PENDING. */
int se_req_pending(se_req *r, se_outbound_job *job, se_req_continue_fn cont, void *ctx, void (*ctx_free)(void *ctx));

/* Like se_req_pending() without a job: the request waits until the key pool (r->keypool) has a key, then
 * cont(r, NULL, ctx) runs on a server thread and may take it (or find it gone and wait again). No server thread waits
 * meanwhile. Returns SE_REQ_PENDING. */
int se_req_pending_key(se_req *r, se_req_continue_fn cont, void *ctx, void (*ctx_free)(void *ctx));

/* Records a 500 for an unexpected failure (allocation, database) and returns -1. */
int se_req_internal(se_req *r);

/* An input by name: a path parameter, else a string field of the body, else a query parameter.
 * Borrowed; NULL when absent. */
const char *se_req_arg(const se_req *r, const char *name);

/* Checks that every key listed is, when present, of the JSON type given ('s' string, 'b' bool,
 * 'a' array, 'o' object, 'i' integer); otherwise fails with bad_request naming the field. */
int se_req_check_types(se_req *r, const char *spec);

#endif
