/* RFC 3339 timestamps: formatting with gmtime_r/strftime, parsing with strptime/timegm after a check of the exact
 * shape RFC 3339 allows (strptime alone accepts one-digit fields, spaces and other forms). */
#define _XOPEN_SOURCE 700 /* strptime */
#include "util/time.h"

#include <stdio.h>
#include <string.h>

#include "util/errors_code.h"

/* 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: the range a four-digit year can show. */
#define TIME_MIN ((time_t)-62167219200LL)
#define TIME_MAX ((time_t)253402300799LL)

void se_time_format(time_t t, char out[21])
{
	struct tm tm;
	if (t < TIME_MIN)
		t = TIME_MIN;
	if (t > TIME_MAX)
		t = TIME_MAX;
	if (!gmtime_r(&t, &tm)) {
		memcpy(out, "1970-01-01T00:00:00Z", 21);
		return;
	}
	/* ISO C's %Y does not pad years below 1000 to four digits (glibc's "%04Y" would, but is an extension). */
	snprintf(out, 5, "%04u", (unsigned)(tm.tm_year + 1900) % 10000u);
	strftime(out + 4, 17, "-%m-%dT%H:%M:%SZ", &tm);
}

/* Whether s starts with the pattern: 'd' a digit, 'T' either 'T' or 't', anything else itself. */
static int shape_is(const char *s, const char *pattern)
{
	for (; *pattern; pattern++, s++) {
		if (*pattern == 'd' ? *s < '0' || *s > '9' : *pattern == 'T' ? *s != 'T' && *s != 't' : *s != *pattern)
			return 0;
	}
	return 1;
}

int se_time_parse(const char *s, time_t *ret)
{
	char norm[32];
	struct tm tm, back;

	if (!s || !shape_is(s, "dddd-dd-ddTdd:dd:dd"))
		return SE_EINVAL;
	/* The date and time, then the zone without the fraction (which is truncated), with 'T' and 'Z' upper-case. */
	memcpy(norm, s, 19);
	norm[10] = 'T';
	const char *p = s + 19;
	if (*p == '.') {
		size_t digits = strspn(p + 1, "0123456789");
		if (digits < 1 || digits > 9)
			return SE_EINVAL;
		p += 1 + digits;
	}
	if ((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0')
		memcpy(norm + 19, "Z", 2);
	else if ((p[0] == '+' || p[0] == '-') && shape_is(p + 1, "dd:dd") && p[6] == '\0')
		memcpy(norm + 19, p, 7);
	else
		return SE_EINVAL;

	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(norm, "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* strptime allows leap seconds and offsets up to 99 hours; RFC 3339 offsets stay within a day here. */
	if (!end || *end != '\0' || tm.tm_sec > 59 || tm.tm_gmtoff <= -24 * 3600 || tm.tm_gmtoff >= 24 * 3600)
		return SE_EINVAL;
	long offset = tm.tm_gmtoff;
	tm.tm_isdst = 0;
	back = tm;
	time_t t = timegm(&tm);
	/* timegm normalizes February 30 into March; a date that moves did not exist. */
	if (tm.tm_mday != back.tm_mday || tm.tm_mon != back.tm_mon || tm.tm_year != back.tm_year)
		return SE_EINVAL;
	*ret = t - (time_t)offset;
	return 0;
}
