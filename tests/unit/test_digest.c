/* Unit tests for crypto/digest.c: SHA-256 in hex and constant-time string comparison. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdlib.h>

#include "crypto/digest.h"

START_TEST(test_sha256)
{
	char out[65];
	se_crypto_sha256_hex("abc", 3, out);
	ck_assert_str_eq(out, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	se_crypto_sha256_hex("", 0, out);
	ck_assert_str_eq(out, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(test_streq)
{
	ck_assert_int_eq(se_crypto_streq("secret-abc", "secret-abc"), 1);
	ck_assert_int_eq(se_crypto_streq("", ""), 1);
	ck_assert_int_eq(se_crypto_streq("secret-abc", "secret-abd"), 0);
	ck_assert_int_eq(se_crypto_streq("secret", "secret-abc"), 0);
	ck_assert_int_eq(se_crypto_streq("secret-abc", "secret"), 0);
	ck_assert_int_eq(se_crypto_streq(NULL, "x"), 0);
	ck_assert_int_eq(se_crypto_streq("x", NULL), 0);
}
END_TEST

static Suite *digest_suite(void)
{
	Suite *s = suite_create("digest");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_sha256);
	tcase_add_test(tc, test_streq);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(digest_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
