/* RFC 3339 timestamps (UTC, second precision) as the API shows them. No state; callers pass the buffers. */
#ifndef SE_UTIL_TIME_H
#define SE_UTIL_TIME_H

#include <time.h>

/* Writes t as RFC 3339 UTC with second precision, e.g. "2026-11-22T11:30:16Z", into out. Times outside years
 * 0000..9999 are clamped to those bounds. */
void se_time_format(time_t t, char out[21]);

/* Parses an RFC 3339 date-time "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" ('t'/'z' accepted, fraction of
 * one to nine digits truncated) into *ret. Returns 0, or SE_EINVAL when s is not such a timestamp (*ret untouched). */
int se_time_parse(const char *s, time_t *ret);

#endif
