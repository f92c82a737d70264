/* Unit tests for crypto/base64url.c: RFC 4648 vectors both ways and the strict decoder's refusals. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/base64url.h"
#include "testutil.h"
#include "util/errors_code.h"

START_TEST(test_vectors)
{
	static const struct {
		const char *bytes, *text;
	} v[] = {{"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
	         {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"}, {"\xfb\xff", "-_8"}};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *text = NULL;
		unsigned char *bytes = NULL;
		size_t len = 99;
		ck_assert_int_eq(se_b64url_encode(v[i].bytes, strlen(v[i].bytes), &text), 0);
		ck_assert_str_eq(text, v[i].text);
		ck_assert_int_eq(se_b64url_decode(text, strlen(text), &bytes, &len), 0);
		ck_assert_uint_eq(len, strlen(v[i].bytes));
		ck_assert_mem_eq(bytes, v[i].bytes, len);
		ck_assert_int_eq(bytes[len], '\0');
		free(text);
		free(bytes);
	}
}
END_TEST

START_TEST(test_refusals)
{
	/* Padding, whitespace, the standard alphabet, a length of 1 mod 4, leftover bits, a NUL: all refused, and
	 * "A=" (which cjose's own decoder asserts on) is refused before it gets there. */
	static const char *const bad[] = {"Zg==", "Zg=", "A=",    "AAAAA=", "Zm 8", "Zm8\n",
	                                  "+/8",  "Z",   "Zm9vY", "Zh",     "Zm9"};
	unsigned char *bytes = (unsigned char *)0x1;
	size_t len = 7;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(se_b64url_decode(bad[i], strlen(bad[i]), &bytes, &len) == SE_EINVAL, "%s accepted",
		              bad[i]);
	ck_assert_int_eq(se_b64url_decode("Zm\0v", 4, &bytes, &len), SE_EINVAL);
	ck_assert_int_eq(se_b64url_decode(NULL, 0, &bytes, &len), SE_EINVAL);
	ck_assert_ptr_eq(bytes, (unsigned char *)0x1);
	ck_assert_uint_eq(len, 7);
	ck_assert(se_b64url_is_text("AZaz09-_", 8));
	ck_assert(!se_b64url_is_text("AZaz09-_=", 9));
	ck_assert(se_b64url_is_text("", 0));
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_vectors,
	    test_refusals,
	};
	return t_run("base64url", tests, sizeof(tests) / sizeof(tests[0]));
}
