/* Masking for every log: what looks like a credential becomes "[redacted]", and the rest is escaped
 * so that a log line is valid UTF-8 without control bytes. */
#ifndef SE_MASK_H
#define SE_MASK_H

#include <stdbool.h>
#include <stddef.h>

/* What a masked value is replaced with. */
#define SE_MASK_REDACTED "[redacted]"

/* How long a path in a log may be (bytes, "..." included). */
#define SE_LOG_PATH_MAX 256

/* Whether the name of a path parameter, query parameter or header says that its value is a
 * credential ("session_token", "Authorization", "X-Stytch-Member-SessionJWT", "client_secret"...). */
bool se_mask_sensitive_name(const char *name);

/* Whether value[0..len) is shaped like a credential: one of known (a NULL-terminated list of the
 * project's secret, public token and the admin token; NULL entries ends it, the list itself may be
 * NULL), a secret, public or session token by prefix, a JWT, or a long random-looking token (a SCIM
 * bearer token). Percent escapes are decoded before the check. */
bool se_mask_is_secret(const char *value, size_t len, const char *const *known);

/* Writes src[0..len) into dst (size >= 16 bytes) for a log: control bytes, backslashes, DEL and
 * bytes that are not part of valid UTF-8 become \xNN; the text is cut on a character boundary,
 * with "..." when cut, so that it fits into size - 1 bytes. Returns the length written (always
 * NUL-terminated). */
size_t se_mask_escape(char *dst, size_t size, const char *src, size_t len);

/* The path of a request as the logs show it: every segment that is a credential by its shape, or
 * sits where pattern (the route pattern, NULL when none matched) has a parameter with a sensitive
 * name, becomes [redacted]; the rest is escaped as by se_mask_escape and the whole cut to max
 * bytes (>= 32). Returns a malloc'd string, or NULL when out of memory. */
char *se_mask_path(const char *path, const char *pattern, const char *const *known, size_t max);

#endif
