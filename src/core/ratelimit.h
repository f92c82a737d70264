/* Token buckets per credential and operation (EMULATOR.md --rate-limit). se_ratelimit owns its buckets
 * (se_ratelimit_new/se_ratelimit_free); credentials are borrowed and only their SHA-256 is kept. Thread-safe. */
#ifndef SE_RATELIMIT_H
#define SE_RATELIMIT_H

#include <stddef.h>

typedef struct se_ratelimit se_ratelimit;

/* At most this many buckets are kept; a new one past it replaces the least recently used. An
 * evicted bucket comes back full, as after an idle spell. */
#define SE_RATELIMIT_MAX_BUCKETS 65536

/* A limiter allowing `requests` per `seconds` (requests 0: off). Free with se_ratelimit_free(). */
int se_ratelimit_new(unsigned requests, unsigned seconds, se_ratelimit **ret);
void se_ratelimit_free(se_ratelimit *rl); /* NULL ok */

/* Changes the limit; every bucket starts full again. */
void se_ratelimit_set(se_ratelimit *rl, unsigned requests, unsigned seconds);

/* The current limit (requests 0: off). */
void se_ratelimit_get(se_ratelimit *rl, unsigned *ret_requests, unsigned *ret_seconds);

/* Forgets every bucket. */
void se_ratelimit_clear(se_ratelimit *rl);

/* How many buckets are kept now. */
size_t se_ratelimit_count(se_ratelimit *rl);

/* Takes one token from the bucket of (credential, operation) at time now (seconds, monotonic).
 * Returns 0, or SE_ELIMIT with *ret_retry_after the whole seconds (>= 1) until a token is back. */
int se_ratelimit_take(se_ratelimit *rl, const char *credential, size_t operation, double now,
		      unsigned *ret_retry_after);

#endif
