/* Bounded retrieval of a document by URL (IdP metadata, OIDC discovery) with libcurl: scheme allow-list, redirect
 * cap, time-outs and a size cap. No state; the body or the error text is malloc'd for the caller. */
#ifndef SE_FETCH_H
#define SE_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* Default time-out (connect and total) and body cap for fetches made on behalf of an API request. */
#define SE_FETCH_TIMEOUT_MS 3000
#define SE_FETCH_MAX_BYTES (1024 * 1024)

/* Fetches url with libcurl: http:// and https:// always, file:// only when allow_file. Follows at most 3 redirects
   (same schemes), times out after timeout_ms (connect and total), reads at most max_bytes (more is an error).
   On success *ret_body is a malloc'd NUL-terminated buffer and *ret_len its length. On failure returns SE_EIO
   (or SE_EINVAL for a URL of another scheme / malformed) and *ret_error (malloc'd) says why in one sentence that
   names the URL. The caller frees *ret_body or *ret_error. Safe to call from several threads at once. */
int se_fetch(const char *url, bool allow_file, long timeout_ms, size_t max_bytes, char **ret_body, size_t *ret_len,
	     char **ret_error);

/* Whether url is an absolute http:// or https:// URL with a host, as libcurl's URL parser reads it (at most 2048
   characters, no spaces or control characters). *ret_https says whether it is https, *ret_loopback whether its host
   is localhost, 127.0.0.0/8 or ::1. Returns 0 or SE_EINVAL (or SE_ENOMEM). */
int se_url_check(const char *url, bool *ret_https, bool *ret_loopback);

#endif
