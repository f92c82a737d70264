/* The fetch worker: one thread driving libcurl's multi interface for every outbound transfer of every request, so
 * that no server thread ever waits on the network, a slow peer or a file. Caps bound what may be in flight. */
#ifndef SE_OUTBOUND_H
#define SE_OUTBOUND_H

#include <stdbool.h>
#include <stddef.h>

#include "outbound/fetch.h"

/* Default caps on jobs in flight: over the whole process, and per credential (the rate-limit key). */
#define SE_OUTBOUND_MAX_IN_FLIGHT 64
#define SE_OUTBOUND_MAX_PER_KEY 4

typedef struct se_outbound se_outbound;
typedef struct se_outbound_job se_outbound_job;

/* Runs on the worker thread once a transfer has succeeded, to turn the body into the job's result (for example a
   bounded XML parse), so that this work never runs on a server thread either. Returns 0, or a negative se_err and
   may set *ret_error (malloc'd; the job takes it) for the job's error. Must be quick and must not block. */
typedef int (*se_outbound_digest_fn)(void *ctx, const char *body, size_t len, char **ret_error);

/* Called on the worker thread (or, once se_outbound_shutdown() ran, on the thread starting the job) when a started
   job has ended, successfully or not. It must only signal (for example resume a suspended connection): from the
   moment it is called the job belongs to the starter again. */
typedef void (*se_outbound_wake_fn)(void *ctx);

/* Starts the worker thread. Returns 0 and *ret, SE_ENOMEM or SE_EIO. Free with se_outbound_free(). */
int se_outbound_new(unsigned max_in_flight, unsigned max_per_key, se_outbound **ret);

/* Ends every job in flight at once (each with the error "the emulator is stopping", its wake called before this
   returns) and makes every later job end so as soon as it is started. Idempotent; NULL is accepted. */
void se_outbound_shutdown(se_outbound *o);

/* Shuts down, joins the worker and frees o. Jobs still owned by callers must have been freed before. NULL ok. */
void se_outbound_free(se_outbound *o);

/* Creates a job fetching url under opts (copied), counted against the caps: key names the credential (copied; NULL
   counts only against the global cap). digest (may be NULL) and its ctx (borrowed, must outlive the job) run after
   a successful transfer. url NULL makes a job without a transfer whose digest (then required) runs on the worker
   with body NULL: CPU work such as RSA key generation (it holds up the worker's transfers while it runs). Returns 0 and
   *ret (the caller owns it; free with se_outbound_job_free()); SE_ELIMIT when a cap is reached (nothing was created;
   *ret_error says which); SE_EINVAL for a URL that may not be fetched and SE_ENOMEM, both with *ret_error (malloc'd,
   caller frees). Never blocks. */
int se_outbound_job_new(se_outbound *o, const char *key, const char *url, const se_fetch_opts *opts,
                        se_outbound_digest_fn digest, void *ctx, se_outbound_job **ret, char **ret_error);

/* Hands job to the worker; wake(wake_ctx) is called exactly once when it has ended (possibly before this function
   returns). Until then the caller must not touch the job. */
void se_outbound_job_start(se_outbound_job *job, se_outbound_wake_fn wake, void *wake_ctx);

/* Runs job to its end on the calling thread, blocking for up to its time-out. Only for callers without a
   connection to suspend (unit tests, the fuzzer): never on a server thread. */
void se_outbound_job_run(se_outbound_job *job);

/* The result of an ended job: 0 with the body (*ret_body, *ret_len; borrowed from the job, NULL-able outputs), or
   the negative se_err of the fetch or of the digest, with *ret_error (borrowed, a sentence; may be NULL). */
int se_outbound_job_result(const se_outbound_job *job, const char **ret_body, size_t *ret_len, const char **ret_error);

/* Whether the job was ended by se_outbound_shutdown() rather than by its transfer (answer 503, change nothing). */
bool se_outbound_job_stopped(const se_outbound_job *job);

/* The HTTP status of an ended job's transfer (0 when there was none). With opts.any_status an error status still
   gives result 0 and the body (an OAuth token endpoint's error answer, for example). */
long se_outbound_job_http_status(const se_outbound_job *job);

/* Frees the job and gives its place under the caps back. Not while started and not yet woken. NULL ok. */
void se_outbound_job_free(se_outbound_job *job);

/* Jobs currently counted against the global cap (for tests and the health of the worker). */
unsigned se_outbound_in_flight(se_outbound *o);

#endif
