/* The state of one API request as it walks the pipeline, and what handlers use of it. se_req owns what it
 * accumulates (the project reference, the loaded organization and member, the answer) until the request ends. */
#ifndef SE_REQ_H
#define SE_REQ_H

#include <jansson.h>
#include <stdbool.h>
#include <time.h>

#include "crypto/jwt.h"
#include "model/config.h"
#include "request/errors.h"
#include "util/errors_code.h"
#include "request/http.h"
#include "model/model.h"
#include "request/router.h"
#include "store/store.h"

typedef struct se_req {
	const se_config *cfg;
	se_store *store;
	se_jwt_key *jwt_key;
	se_project *project; /* a reference, dropped when the request ends */
	se_db *db;
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

	/* Result. */
	json_t *out; /* success body (without request_id/status_code) */
	char *out_text; /* or the same as JSON object text, when a handler has it ready (owned) */
	se_error_id err;
	char *errmsg;
} se_req;

/* Records an error for the request and returns -1. fmt NULL means the error's default message. */
int se_req_fail(se_req *r, se_error_id id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Records a 500 for an unexpected failure (allocation, database) and returns -1. */
int se_req_internal(se_req *r);

/* An input by name: a path parameter, else a string field of the body, else a query parameter.
 * Borrowed; NULL when absent. */
const char *se_req_arg(const se_req *r, const char *name);

/* Checks that every key listed is, when present, of the JSON type given ('s' string, 'b' bool,
 * 'a' array, 'o' object, 'i' integer); otherwise fails with bad_request naming the field. */
int se_req_check_types(se_req *r, const char *spec);

#endif
