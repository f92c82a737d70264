/* Unit tests for util/time.c: RFC 3339 formatting and parsing. */
#include <check.h>
#include <stdlib.h>
#include <time.h>

#include "testutil.h"
#include "util/errors_code.h"
#include "util/time.h"

/* 2026-11-24T10:00:00Z and 2036-11-24T10:00:00Z */
#define CREATED ((time_t)1795514400)
#define EXPIRES ((time_t)2111133600)

START_TEST(test_time)
{
	char out[21];
	time_t t = 0;
	se_time_format(0, out);
	ck_assert_str_eq(out, "1970-01-01T00:00:00Z");
	se_time_format(CREATED, out);
	ck_assert_str_eq(out, "2026-11-24T10:00:00Z");

	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16Z", &t), 0);
	se_time_format(t, out);
	ck_assert_str_eq(out, "2026-11-22T11:30:16Z");
	ck_assert_int_eq(se_time_parse("2036-11-24T10:00:00Z", &t), 0);
	ck_assert_int_eq(t, EXPIRES);
	ck_assert_int_eq(se_time_parse("2026-11-24T11:30:00.123456+01:30", &t), 0);
	ck_assert_int_eq(t, CREATED);
	ck_assert_int_eq(se_time_parse("2026-11-24t10:00:00z", &t), 0);
	ck_assert_int_eq(t, CREATED);
	ck_assert_int_eq(se_time_parse("2024-02-29T00:00:00Z", &t), 0);
	se_time_format(t, out);
	ck_assert_str_eq(out, "2024-02-29T00:00:00Z");

	t = 99;
	ck_assert_int_eq(se_time_parse("2026-02-29T00:00:00Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-13-01T00:00:00Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22 11:30:16Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16Zjunk", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16.Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T24:00:00Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse(NULL, &t), SE_EINVAL);
	/* Exactly two digits per field, seconds up to 59, one to nine fraction digits, offsets below a day. */
	ck_assert_int_eq(se_time_parse("2026-1-22T11:30:16Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:60Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16.1234567890Z", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16+24:00", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16+0100", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse("2026-11-22T11:30:16+01:60", &t), SE_EINVAL);
	ck_assert_int_eq(se_time_parse(" 2026-11-22T11:30:16Z", &t), SE_EINVAL);
	ck_assert_int_eq(t, 99);
	ck_assert_int_eq(se_time_parse("2026-11-24T10:00:00.123456789Z", &t), 0);
	ck_assert_int_eq(t, CREATED);
	ck_assert_int_eq(se_time_parse("2026-11-24T00:01:00-09:59", &t), 0);
	ck_assert_int_eq(t, CREATED);

	/* Clamped to four-digit years. */
	se_time_format((time_t)400000000000LL, out);
	ck_assert_str_eq(out, "9999-12-31T23:59:59Z");
	se_time_format((time_t)-400000000000LL, out);
	ck_assert_str_eq(out, "0000-01-01T00:00:00Z");
	se_time_format((time_t)-61000000000LL, out);
	ck_assert_str_eq(out, "0036-12-26T11:33:20Z");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_time,
	};
	return t_run("time", tests, sizeof(tests) / sizeof(tests[0]));
}
