/* Unit tests for crypto/rand.c: random strings and UUIDs, and the seeded stream's determinism. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/rand.h"
#include "testutil.h"

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

START_TEST(test_random_alnum)
{
	char buf[2001];
	memset(buf, 'x', sizeof(buf));
	ck_assert_int_eq(se_crypto_random_alnum(buf, 2000), 0);
	ck_assert_uint_eq(strlen(buf), 2000);
	int lower = 0, upper = 0, digit = 0;
	for (size_t i = 0; i < 2000; i++) {
		ck_assert(is_alnum(buf[i]));
		lower |= buf[i] >= 'a' && buf[i] <= 'z';
		upper |= buf[i] >= 'A' && buf[i] <= 'Z';
		digit |= buf[i] >= '0' && buf[i] <= '9';
	}
	ck_assert(lower && upper && digit);

	char one[1] = {'x'};
	ck_assert_int_eq(se_crypto_random_alnum(one, 0), 0);
	ck_assert_int_eq(one[0], '\0');

	char a[33], b[33];
	ck_assert_int_eq(se_crypto_random_alnum(a, 32), 0);
	ck_assert_int_eq(se_crypto_random_alnum(b, 32), 0);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(test_uuid4)
{
	char u[37], v[37];
	ck_assert_int_eq(se_crypto_uuid4(u), 0);
	ck_assert_int_eq(se_crypto_uuid4(v), 0);
	ck_assert_uint_eq(strlen(u), 36);
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			ck_assert_int_eq(u[i], '-');
		else
			ck_assert_msg(strchr("0123456789abcdef", u[i]) != NULL, "bad char in %s", u);
	}
	ck_assert_int_eq(u[14], '4');
	ck_assert_ptr_nonnull(strchr("89ab", u[19]));
	ck_assert_str_ne(u, v);
}
END_TEST

START_TEST(test_seeded_random)
{
	unsigned char a[100], b[100], c[100];
	char s1[41], s2[41];
	se_crypto_seed(42);
	ck_assert_int_eq(se_crypto_random(a, sizeof(a)), 0);
	ck_assert_int_eq(se_crypto_random_alnum(s1, 40), 0);
	se_crypto_seed(42);
	ck_assert_int_eq(se_crypto_random(b, sizeof(b)), 0);
	ck_assert_int_eq(se_crypto_random_alnum(s2, 40), 0);
	ck_assert_mem_eq(a, b, sizeof(a));
	ck_assert_str_eq(s1, s2);
	se_crypto_seed(43);
	ck_assert_int_eq(se_crypto_random(c, sizeof(c)), 0);
	ck_assert(memcmp(a, c, sizeof(a)) != 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_random_alnum,
	    test_uuid4,
	    test_seeded_random,
	};
	return t_run("rand", tests, sizeof(tests) / sizeof(tests[0]));
}
