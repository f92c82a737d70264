/* One bounded retrieval of a document by URL (IdP metadata, OIDC discovery): scheme allow-list, redirect cap,
 * time-outs, a size cap, and file:// confined to one directory and to regular files. No
 * shared state; bodies and error texts are malloc'd for the caller. */
#ifndef SE_FETCH_H
#define SE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* Default time-out (connect and total) and body cap for fetches made on behalf of an API request. */
#define SE_FETCH_TIMEOUT_MS 3000
#define SE_FETCH_MAX_BYTES (1024 * 1024)
#define SE_FETCH_MAX_REDIRS 3

/* What a fetch may do. Borrowed by every function below for the duration of the call. */
typedef struct se_fetch_opts {
	long timeout_ms;      /* connect and total */
	size_t max_bytes;     /* a longer document is an error */
	const char *file_dir; /* NULL: file:// is refused; else the only directory (absolute, resolved) file:// URLs
	                       * may read from, and then only regular files */
	/* For calls to an API rather than reading a document (all optional, copied by se_fetch_new()): */
	const char *post_body; /* non-NULL: a POST of post_len bytes (never quoted in any message) */
	size_t post_len;
	const char *const *headers; /* NULL-terminated "Name: value" request headers */
	bool any_status;            /* an HTTP error status is not a failure: the body is kept, the status is in
	                             * se_fetch_status() */
} se_fetch_opts;

/* Initialises libcurl once for the process (thread-safe; every function here calls it). Returns 0 or SE_EIO. */
int se_fetch_global_init(void);

/* One transfer, prepared by se_fetch_new(): a libcurl easy handle for http(s), or a file to read. */
typedef struct se_transfer se_transfer;

/* Checks url (shape, scheme, length; for file:// the directory rule) and prepares its transfer. Returns 0 and
   *ret (free with se_fetch_free()), or SE_EINVAL / SE_ENOMEM with *ret_error (malloc'd, caller frees): one
   sentence in general terms that names the URL but never what is (or is not) on this machine. */
int se_fetch_new(const char *url, const se_fetch_opts *opts, se_transfer **ret, char **ret_error);

/* The transfer's CURL easy handle (as void *, so that callers need not include curl.h), to be driven by a multi
   handle; NULL for a file:// transfer, which se_fetch_finish() performs itself without blocking (regular files
   only). The handle stays owned by f. */
void *se_fetch_easy(se_transfer *f);

/* Ends the transfer: curl_code is the CURLcode the multi handle reported (ignored for file://). On success
   *ret_body is a malloc'd NUL-terminated buffer of *ret_len bytes (caller frees); otherwise returns SE_EIO (or
   SE_ENOMEM) and *ret_error (malloc'd, caller frees) says what failed in general terms: unreachable, timed out,
   too large, an HTTP status, too many redirects, not allowed. Remote content is never echoed. */
int se_fetch_finish(se_transfer *f, int curl_code, char **ret_body, size_t *ret_len, char **ret_error);

/* The HTTP status of an ended http(s) transfer (0 when there was none, for example for file://). */
long se_fetch_status(const se_transfer *f);

/* Frees f (and its easy handle, which must have been removed from any multi handle). NULL is accepted. */
void se_fetch_free(se_transfer *f);

/* se_fetch_new(), the transfer on the calling thread, se_fetch_finish(). Blocks for up to opts->timeout_ms: for
   tests and tools only, never for a request on a server thread (use outbound.h). */
int se_fetch(const char *url, const se_fetch_opts *opts, char **ret_body, size_t *ret_len, char **ret_error);

#endif
