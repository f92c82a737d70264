/* Unit tests for text.c: UTF-8 validity, cutting on character boundaries, replacement of invalid bytes, and that
 * every output is valid UTF-8 that fits. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"

START_TEST(test_valid)
{
	ck_assert(se_utf8_valid("", 0));
	ck_assert(se_utf8_valid("abc", 3));
	ck_assert(se_utf8_valid("\xc3\xa4\xe2\x82\xac\xf0\x9f\x98\x80", 9));
	ck_assert(!se_utf8_valid("\xff", 1));
	ck_assert(!se_utf8_valid("\xc3", 1));             /* truncated */
	ck_assert(!se_utf8_valid("\xc0\xaf", 2));         /* overlong */
	ck_assert(!se_utf8_valid("\xe0\x80\xaf", 3));     /* overlong */
	ck_assert(!se_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
	ck_assert(!se_utf8_valid("\xf4\x90\x80\x80", 4)); /* past U+10FFFF */
	ck_assert(!se_utf8_valid("a\0b", 3));             /* NUL */
}
END_TEST

START_TEST(test_clip_boundaries)
{
	char buf[8];
	bool cut = true;
	ck_assert_uint_eq(se_text_clip_into(buf, sizeof buf, "abc", 3, &cut), 3);
	ck_assert_str_eq(buf, "abc");
	ck_assert(!cut);
	/* Seven bytes fit: "ääää" is eight, so it is cut after two characters and "..." (4 + 3 = 7). */
	ck_assert_uint_eq(se_text_clip_into(buf, sizeof buf, "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4", 8, &cut), 7);
	ck_assert(cut);
	ck_assert_str_eq(buf, "\xc3\xa4\xc3\xa4...");
	ck_assert(se_utf8_valid(buf, strlen(buf)));
	/* Exactly what fits is not cut. */
	ck_assert_uint_eq(se_text_clip_into(buf, sizeof buf,
	                                    "\xc3\xa4\xc3\xa4\xc3\xa4"
	                                    "a",
	                                    7, &cut),
	                  7);
	ck_assert(!cut);
	/* NULL is "". */
	ck_assert_uint_eq(se_text_clip_into(buf, sizeof buf, NULL, 5, &cut), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(test_clip_replaces)
{
	char buf[64];
	se_text_clip_into(buf, sizeof buf,
	                  "a\xff"
	                  "b\xc3",
	                  4, NULL);
	ck_assert_str_eq(buf, "a\xef\xbf\xbd"
	                      "b\xef\xbf\xbd");
	se_text_clip_into(buf, sizeof buf, "x\0y", 3, NULL);
	ck_assert_str_eq(buf, "x\xef\xbf\xbdy");
	char *s = se_text_clip("\xed\xa0\x80ok", 100);
	ck_assert_str_eq(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdok");
	free(s);
}
END_TEST

/* Every byte string, cut at every size, gives valid UTF-8 within the size. */
START_TEST(test_clip_always_valid)
{
	unsigned seed = 12345;
	char in[64], out[40];
	for (int round = 0; round < 20000; round++) {
		size_t len = (seed = seed * 1103515245u + 12345u) % sizeof in;
		for (size_t i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly bytes that start or continue multi-byte characters. */
			in[i] = (char)((seed >> 16) % 4 == 0 ? 'a' : 0x80 | ((seed >> 8) & 0x7f));
		}
		size_t size = 4 + (seed >> 20) % (sizeof out - 4);
		size_t n = se_text_clip_into(out, size, in, len, NULL);
		ck_assert_uint_lt(n, size);
		ck_assert_uint_eq(strlen(out), n);
		ck_assert(se_utf8_valid(out, n));
	}
}
END_TEST

static Suite *text_suite(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_valid);
	tcase_add_test(tc, test_clip_boundaries);
	tcase_add_test(tc, test_clip_replaces);
	tcase_add_test(tc, test_clip_always_valid);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(text_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
