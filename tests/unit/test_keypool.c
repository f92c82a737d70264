/* Unit tests for crypto/keypool.c: the pool is bounded and refills, hands keys out first in first out (and an
 * unused key back at the front), calls waiters back, restarts, stops cleanly, and is reproducible under a seed. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include <openssl/evp.h>

#include "crypto/keypool.h"
#include "crypto/rand.h"
#include "testutil.h"
#include "util/errors_code.h"

/* Waits (bounded: 60 s, for a slow shared machine) until p holds n keys. */
static void wait_count(se_keypool *p, size_t n)
{
	struct timespec d = {0, 10 * 1000 * 1000};
	for (int i = 0; i < 6000 && se_keypool_count(p) < n; i++)
		nanosleep(&d, NULL);
	ck_assert_uint_ge(se_keypool_count(p), n);
}

static EVP_PKEY *take(se_keypool *p)
{
	EVP_PKEY *k = NULL;
	ck_assert_int_eq(se_keypool_take(p, &k), 0);
	ck_assert_ptr_nonnull(k);
	return k;
}

static void take_all(se_keypool *p, EVP_PKEY **keys, size_t n)
{
	wait_count(p, n);
	for (size_t i = 0; i < n; i++)
		keys[i] = take(p);
}

static void free_all(EVP_PKEY **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		EVP_PKEY_free(keys[i]);
}

START_TEST(test_bounds)
{
	se_keypool *p = NULL;
	ck_assert_int_eq(se_keypool_new(0, 1, false, 0, &p), SE_EINVAL);
	ck_assert_int_eq(se_keypool_new(1025, 1, false, 0, &p), SE_EINVAL);
	ck_assert_int_eq(se_keypool_new(2, 65, false, 0, &p), SE_EINVAL);
	ck_assert_ptr_null(p);
	se_keypool_free(NULL);

	/* Two generators never fill past the cap, and refill what is taken. */
	ck_assert_int_eq(se_keypool_new(2, 2, false, 0, &p), 0);
	wait_count(p, 2);
	struct timespec d = {0, 400 * 1000 * 1000};
	nanosleep(&d, NULL);
	ck_assert_uint_eq(se_keypool_count(p), 2);
	EVP_PKEY *a = take(p), *b = take(p);
	ck_assert_int_eq(EVP_PKEY_get_bits(a), 2048);
	ck_assert_int_ne(EVP_PKEY_eq(a, b), 1);
	wait_count(p, 2);
	ck_assert_uint_eq(se_keypool_count(p), 2);
	EVP_PKEY_free(a);
	EVP_PKEY_free(b);
	se_keypool_free(p);
}
END_TEST

START_TEST(test_unget_front)
{
	se_keypool *p = NULL;
	ck_assert_int_eq(se_keypool_new(2, 1, false, 0, &p), 0);
	wait_count(p, 2);
	EVP_PKEY *a = take(p);
	se_keypool_unget(p, a);
	/* Full again plus the one given back: it comes out first. */
	ck_assert_ptr_eq(take(p), a);
	EVP_PKEY_free(a);
	se_keypool_unget(p, NULL);
	se_keypool_free(p);
}
END_TEST

typedef struct calls {
	atomic_int n;
} calls;

static void count_call(void *arg)
{
	atomic_fetch_add(&((calls *)arg)->n, 1);
}

START_TEST(test_notify)
{
	se_keypool *p = NULL;
	calls c = {0}, c2 = {0}, c3 = {0};
	se_keypool_waiter w = {count_call, &c, NULL}, w2 = {count_call, &c2, NULL}, w3 = {count_call, &c3, NULL};
	ck_assert_int_eq(se_keypool_new(1, 1, false, 0, &p), 0);
	EVP_PKEY *k = NULL;
	/* Just started: nothing yet, and the waiter hears when there is. */
	if (se_keypool_take(p, &k) == SE_EAGAIN) {
		se_keypool_notify(p, &w);
		struct timespec d = {0, 10 * 1000 * 1000};
		for (int i = 0; i < 6000 && atomic_load(&c.n) == 0; i++)
			nanosleep(&d, NULL);
		ck_assert_int_eq(atomic_load(&c.n), 1);
	} else {
		EVP_PKEY_free(k);
	}
	wait_count(p, 1);
	/* A key is ready: called back at once. */
	se_keypool_notify(p, &w2);
	ck_assert_int_eq(atomic_load(&c2.n), 1);
	/* Empty again, then stopped: the waiter is called back and taking fails from then on. */
	k = take(p);
	EVP_PKEY *k2 = NULL;
	int t = se_keypool_take(p, &k2);
	if (t == 0)
		EVP_PKEY_free(k2);
	else
		ck_assert_int_eq(t, SE_EAGAIN);
	se_keypool_notify(p, &w3);
	/* Waiting on the calling thread (callers without a connection to suspend) gets the next key. */
	se_keypool_wait(p);
	ck_assert_uint_ge(se_keypool_count(p), 1);
	se_keypool_stop(p);
	ck_assert_int_eq(atomic_load(&c3.n), 1);
	ck_assert_int_eq(se_keypool_take(p, &k2), SE_ECRYPTO);
	se_keypool_wait(p);
	ck_assert_int_eq(se_keypool_take(p, &k2), SE_ECRYPTO);
	se_keypool_stop(p);
	EVP_PKEY_free(k);
	se_keypool_free(p);
	ck_assert_int_eq(atomic_load(&c.n) + atomic_load(&c2.n) + atomic_load(&c3.n) <= 3, 1);
}
END_TEST

START_TEST(test_stop_while_generating)
{
	/* Freed at once: generation in progress is abandoned, threads end, nothing leaks (LSan). */
	se_keypool *p = NULL;
	ck_assert_int_eq(se_keypool_new(16, 2, false, 0, &p), 0);
	se_keypool_free(p);
	ck_assert_int_eq(se_keypool_new(16, 1, true, 5, &p), 0);
	se_keypool_free(p);
}
END_TEST

START_TEST(test_seeded)
{
	enum { N = 3 };
	EVP_PKEY *a[N], *b[N], *c[N], *r[1];
	se_keypool *p = NULL;

	ck_assert_int_eq(se_keypool_new(N, 4, true, 7, &p), 0);
	take_all(p, a, N);
	se_keypool_free(p);

	/* The same seed: the same keys in the same order, whatever the process stream does meanwhile. */
	se_crypto_seed(99);
	ck_assert_int_eq(se_keypool_new(N, 0, true, 7, &p), 0);
	unsigned char junk[64];
	ck_assert_int_eq(se_crypto_random(junk, sizeof junk), 0);
	take_all(p, b, N);
	for (int i = 0; i < N; i++) {
		ck_assert_int_eq(EVP_PKEY_eq(a[i], b[i]), 1);
		for (int j = 0; j < i; j++)
			ck_assert_int_ne(EVP_PKEY_eq(a[i], a[j]), 1);
	}
	/* A restart hands out the first key again. */
	se_keypool_restart(p);
	take_all(p, r, 1);
	ck_assert_int_eq(EVP_PKEY_eq(a[0], r[0]), 1);
	se_keypool_free(p);

	/* Another seed: other keys. */
	ck_assert_int_eq(se_keypool_new(N, 1, true, 8, &p), 0);
	take_all(p, c, N);
	for (int i = 0; i < N; i++)
		ck_assert_int_ne(EVP_PKEY_eq(a[i], c[i]), 1);
	se_keypool_free(p);
	free_all(a, N);
	free_all(b, N);
	free_all(c, N);
	free_all(r, 1);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_bounds, test_unget_front, test_notify, test_stop_while_generating, test_seeded,
	};
	return t_run("keypool", tests, sizeof(tests) / sizeof(tests[0]));
}
