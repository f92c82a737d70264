/* Unit tests for ratelimit.c: N per S, Retry-After, refill over time, separate buckets, set(),
 * clear() and off. Time is the `now` argument, so nothing here sleeps. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>

#include "util/errors_code.h"
#include "core/ratelimit.h"

static se_ratelimit *limiter(unsigned n, unsigned s)
{
	se_ratelimit *rl = NULL;
	ck_assert_int_eq(se_ratelimit_new(n, s, &rl), 0);
	ck_assert_ptr_nonnull(rl);
	return rl;
}

static int take(se_ratelimit *rl, const char *cred, size_t op, double now, unsigned *retry)
{
	*retry = 0;
	return se_ratelimit_take(rl, cred, op, now, retry);
}

/* Takes n tokens for cred and op at now, each allowed. */
static void drain(se_ratelimit *rl, const char *cred, size_t op, double now, int n)
{
	unsigned retry;
	for (int i = 0; i < n; i++) {
		ck_assert_int_eq(take(rl, cred, op, now, &retry), 0);
		ck_assert_uint_eq(retry, 0);
	}
}

/* drain(), then one more, refused; returns that refusal's Retry-After. */
static unsigned exhaust(se_ratelimit *rl, const char *cred, size_t op, double now, int n)
{
	unsigned retry;
	drain(rl, cred, op, now, n);
	ck_assert_int_eq(take(rl, cred, op, now, &retry), SE_ELIMIT);
	return retry;
}

START_TEST(test_n_per_s)
{
	se_ratelimit *rl = limiter(3, 60);
	unsigned retry;
	/* One token comes back every 20 s. */
	ck_assert_uint_eq(exhaust(rl, "api:p:", 0, 1000.0, 3), 20);
	ck_assert_int_eq(take(rl, "api:p:", 0, 1000.5, &retry), SE_ELIMIT);
	ck_assert_uint_eq(retry, 20);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_retry_after)
{
	se_ratelimit *rl = limiter(3, 60);
	unsigned retry;
	drain(rl, "c", 1, 0.0, 3);
	ck_assert_int_eq(take(rl, "c", 1, 4.5, &retry), SE_ELIMIT);
	ck_assert_uint_eq(retry, 16); /* 0.225 tokens: 15.5 s to the next one */
	ck_assert_int_eq(take(rl, "c", 1, 19.2, &retry), SE_ELIMIT);
	ck_assert_uint_eq(retry, 1); /* 0.8 s left: rounded up to whole seconds */
	se_ratelimit_free(rl);

	/* Fast limits still say at least one second. */
	rl = limiter(100, 1);
	ck_assert_uint_eq(exhaust(rl, "c", 0, 50.0, 100), 1);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_refill)
{
	se_ratelimit *rl = limiter(3, 60);
	unsigned retry;
	drain(rl, "c", 0, 0.0, 3);
	ck_assert_int_eq(take(rl, "c", 0, 19.9, &retry), SE_ELIMIT);
	exhaust(rl, "c", 0, 20.0, 1);
	/* A long pause fills the bucket to its size, not beyond. */
	exhaust(rl, "c", 0, 10000.0, 3);
	/* A clock going backwards adds nothing. */
	ck_assert_int_eq(take(rl, "c", 0, 5000.0, &retry), SE_ELIMIT);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_separate_buckets)
{
	se_ratelimit *rl = limiter(2, 60);
	unsigned retry;
	exhaust(rl, "sdk:pt:session-a", 4, 0.0, 2);
	/* Another credential, same operation. */
	exhaust(rl, "sdk:pt:session-b", 4, 0.0, 2);
	/* Same credential, another operation. */
	exhaust(rl, "sdk:pt:session-a", 5, 0.0, 2);
	/* The empty credential (routes without one) is a bucket like any other. */
	ck_assert_int_eq(take(rl, "", 4, 0.0, &retry), 0);
	/* Credentials that only share a prefix do not share a bucket. */
	ck_assert_int_eq(take(rl, "sdk:pt:session-", 4, 0.0, &retry), 0);
	ck_assert_int_eq(take(rl, "sdk:pt:session-a1", 4, 0.0, &retry), 0);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_many_buckets)
{
	/* Thousands of clients each get their own full bucket. */
	se_ratelimit *rl = limiter(1, 60);
	unsigned retry;
	char cred[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(cred, sizeof cred, "client-%d", i);
		ck_assert_int_eq(take(rl, cred, 0, 0.0, &retry), 0);
	}
	for (int i = 0; i < 10000; i += 997) {
		snprintf(cred, sizeof cred, "client-%d", i);
		ck_assert_int_eq(take(rl, cred, 0, 1.0, &retry), SE_ELIMIT);
	}
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_lru_bound)
{
	/* Past SE_RATELIMIT_MAX_BUCKETS the least recently used bucket goes; one in use stays. */
	se_ratelimit *rl = limiter(1, 3600);
	unsigned retry;
	char cred[32];
	ck_assert_int_eq(take(rl, "cold", 0, 0.0, &retry), 0);
	ck_assert_int_eq(take(rl, "hot", 0, 0.0, &retry), 0);
	for (int i = 0; i < 70000; i++) {
		snprintf(cred, sizeof cred, "bogus-%d", i);
		ck_assert_int_eq(take(rl, cred, 0, 1.0, &retry), 0);
		if (i % 1000 == 0)
			ck_assert_int_eq(take(rl, "hot", 0, 1.0, &retry), SE_ELIMIT);
		ck_assert_uint_le(se_ratelimit_count(rl), SE_RATELIMIT_MAX_BUCKETS);
	}
	ck_assert_uint_eq(se_ratelimit_count(rl), SE_RATELIMIT_MAX_BUCKETS);
	/* The bucket used all along is still empty; the one never used again was evicted and comes
	 * back full. */
	ck_assert_int_eq(take(rl, "hot", 0, 2.0, &retry), SE_ELIMIT);
	ck_assert_int_eq(take(rl, "cold", 0, 2.0, &retry), 0);
	ck_assert_int_eq(take(rl, "cold", 0, 2.0, &retry), SE_ELIMIT);
	/* The oldest of the bogus ones went first, the newest are kept. */
	ck_assert_int_eq(take(rl, "bogus-69999", 0, 2.0, &retry), SE_ELIMIT);
	ck_assert_int_eq(take(rl, "bogus-0", 0, 2.0, &retry), 0);
	se_ratelimit_clear(rl);
	ck_assert_uint_eq(se_ratelimit_count(rl), 0);
	ck_assert_int_eq(take(rl, "hot", 0, 2.0, &retry), 0);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_set_resets)
{
	se_ratelimit *rl = limiter(1, 60);
	unsigned n, s;
	exhaust(rl, "c", 0, 0.0, 1);
	se_ratelimit_set(rl, 2, 10);
	se_ratelimit_get(rl, &n, &s);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(s, 10);
	/* Every bucket starts full again, with the new size. */
	ck_assert_uint_eq(exhaust(rl, "c", 0, 0.0, 2), 5);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_clear)
{
	se_ratelimit *rl = limiter(1, 60);
	unsigned n, s;
	exhaust(rl, "c", 0, 0.0, 1);
	se_ratelimit_clear(rl);
	exhaust(rl, "c", 0, 0.0, 1);
	/* The limit itself is kept. */
	se_ratelimit_get(rl, &n, &s);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(s, 60);
	se_ratelimit_free(rl);
}
END_TEST

START_TEST(test_off)
{
	se_ratelimit *rl = limiter(0, 1);
	unsigned retry, n, s;
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(take(rl, "c", 0, 0.0, &retry), 0);
	se_ratelimit_get(rl, &n, &s);
	ck_assert_uint_eq(n, 0);
	/* Switched on, then off again at run time. */
	se_ratelimit_set(rl, 1, 1);
	exhaust(rl, "c", 0, 0.0, 1);
	se_ratelimit_set(rl, 0, 1);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(take(rl, "c", 0, 0.0, &retry), 0);
	se_ratelimit_free(rl);
	se_ratelimit_free(NULL);
}
END_TEST

START_TEST(test_zero_seconds)
{
	/* A zero period is read as one second rather than dividing by zero. */
	se_ratelimit *rl = limiter(2, 0);
	unsigned n, s;
	se_ratelimit_get(rl, &n, &s);
	ck_assert_uint_eq(s, 1);
	ck_assert_uint_eq(exhaust(rl, "c", 0, 0.0, 2), 1);
	se_ratelimit_free(rl);
}
END_TEST

static Suite *ratelimit_suite(void)
{
	Suite *s = suite_create("ratelimit");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_n_per_s);
	tcase_add_test(tc, test_retry_after);
	tcase_add_test(tc, test_refill);
	tcase_add_test(tc, test_separate_buckets);
	tcase_add_test(tc, test_many_buckets);
	tcase_add_test(tc, test_lru_bound);
	tcase_add_test(tc, test_set_resets);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_off);
	tcase_add_test(tc, test_zero_seconds);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ratelimit_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
