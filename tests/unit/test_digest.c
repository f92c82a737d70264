/* Unit tests for crypto/digest.c: SHA-256 in hex and constant-time string comparison. */
#include <check.h>
#include <stdlib.h>

#include "crypto/digest.h"
#include "testutil.h"

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

int main(void)
{
	const TTest *const tests[] = {
	    test_sha256,
	    test_streq,
	};
	return t_run("digest", tests, sizeof(tests) / sizeof(tests[0]));
}
