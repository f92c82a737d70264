/* The request log of the control API: a bounded ring of the most recent API requests, newest first, keeping only
 * what is safe to show (never a token, a secret or a body). se_reqlog owns copies of what it records
 * (se_reqlog_new/se_reqlog_free); listings are new JSON references. */
#ifndef SE_REQLOG_H
#define SE_REQLOG_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

/* How many requests the server's log keeps (EMULATOR.md, GET /_emulator/requests). */
#define SE_REQLOG_SIZE 1000

typedef struct se_reqlog se_reqlog;

/* A log keeping the last capacity (>= 1) entries. Free with se_reqlog_free(). Returns 0,
 * SE_EINVAL for a capacity of 0, or SE_ENOMEM. */
int se_reqlog_new(size_t capacity, se_reqlog **ret);

/* Frees the log; NULL ok. */
void se_reqlog_free(se_reqlog *l);

/* How many entries the log keeps at most. */
size_t se_reqlog_capacity(const se_reqlog *l);

/* Records one request, dropping the oldest entry when the ring is full. The strings are copied
 * (cut to a bounded length); path must already have its tokens masked. error_type NULL means
 * success. Never fails: an entry that cannot be stored is dropped. Thread-safe. */
void se_reqlog_add(se_reqlog *l, const char *method, const char *path, const char *surface, int status,
		   const char *error_type, double duration_ms, const char *request_id, time_t when);

/* The newest min(limit, stored) entries, newest first, as a new JSON array of
 * {method, path, surface, status, error_type (null on success), duration_ms, request_id, time}.
 * NULL on allocation failure. Thread-safe. */
json_t *se_reqlog_list(se_reqlog *l, size_t limit);

/* Forgets every entry. Thread-safe. */
void se_reqlog_clear(se_reqlog *l);

#endif
