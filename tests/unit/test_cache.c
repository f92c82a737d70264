/* Unit tests for cache.c: hits, staleness after a commit, owners, limits; and that a store's
 * commits make the cache stale. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/cache.h"
#include "util/errors_code.h"
#include "testutil.h"

static int owner_a, owner_b;

START_TEST(test_hit_and_miss)
{
	char *text = NULL;
	size_t len = 0;
	se_cache_clear();
	ck_assert_int_eq(se_cache_get(&owner_a, "org-1", &text, &len), SE_ENOTFOUND);
	se_cache_put(&owner_a, "org-1", se_cache_generation(), "{\"a\":1}", 7);
	ck_assert_int_eq(se_cache_get(&owner_a, "org-1", &text, &len), 0);
	ck_assert_str_eq(text, "{\"a\":1}");
	ck_assert_uint_eq(len, 7);
	free(text);
	/* Another key, another owner: misses. */
	ck_assert_int_eq(se_cache_get(&owner_a, "org-2", &text, &len), SE_ENOTFOUND);
	ck_assert_int_eq(se_cache_get(&owner_b, "org-1", &text, &len), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_invalidate)
{
	char *text = NULL;
	size_t len = 0;
	se_cache_clear();
	se_cache_put(&owner_a, "org-1", se_cache_generation(), "{}", 2);
	se_cache_invalidate();
	ck_assert_int_eq(se_cache_get(&owner_a, "org-1", &text, &len), SE_ENOTFOUND);
	/* Made from data read before a commit: never stored. */
	uint64_t before = se_cache_generation();
	se_cache_invalidate();
	se_cache_put(&owner_a, "org-1", before, "{\"old\":true}", 12);
	ck_assert_int_eq(se_cache_get(&owner_a, "org-1", &text, &len), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_replace)
{
	char *text = NULL;
	size_t len = 0;
	se_cache_clear();
	se_cache_put(&owner_a, "org-1", se_cache_generation(), "{\"v\":1}", 7);
	se_cache_put(&owner_a, "org-1", se_cache_generation(), "{\"v\":2}", 7);
	ck_assert_int_eq(se_cache_get(&owner_a, "org-1", &text, &len), 0);
	ck_assert_str_eq(text, "{\"v\":2}");
	free(text);
}
END_TEST

START_TEST(test_limits)
{
	char *text = NULL;
	size_t len = 0;
	se_cache_clear();
	/* An entry over 256 kB is not kept. */
	size_t big = 300 * 1024;
	char *b = malloc(big + 1);
	ck_assert_ptr_nonnull(b);
	memset(b, 'x', big);
	b[big] = '\0';
	se_cache_put(&owner_a, "org-big", se_cache_generation(), b, big);
	ck_assert_int_eq(se_cache_get(&owner_a, "org-big", &text, &len), SE_ENOTFOUND);
	/* Nor is a key of 128 bytes or more. */
	char key[200];
	memset(key, 'k', sizeof key - 1);
	key[sizeof key - 1] = '\0';
	se_cache_put(&owner_a, key, se_cache_generation(), "{}", 2);
	ck_assert_int_eq(se_cache_get(&owner_a, key, &text, &len), SE_ENOTFOUND);
	/* Past the 4 MB total, new entries are refused until stale ones go. */
	size_t kept = 0;
	for (int i = 0; i < 200; i++) {
		char k[32];
		snprintf(k, sizeof k, "org-%d", i);
		se_cache_put(&owner_b, k, se_cache_generation(), b, 100 * 1024);
	}
	for (int i = 0; i < 200; i++) {
		char k[32];
		snprintf(k, sizeof k, "org-%d", i);
		if (se_cache_get(&owner_b, k, &text, &len) == 0) {
			kept++;
			free(text);
		}
	}
	ck_assert_uint_le(kept * 100 * 1024, 4 * 1024 * 1024);
	ck_assert_uint_gt(kept, 0);
	se_cache_invalidate();
	se_cache_put(&owner_b, "org-after", se_cache_generation(), b, 100 * 1024);
	ck_assert_int_eq(se_cache_get(&owner_b, "org-after", &text, &len), 0);
	free(text);
	free(b);
}
END_TEST

START_TEST(test_commit_invalidates)
{
	se_db *db = NULL;
	se_store *s = t_store(true, &db);
	uint64_t g = se_cache_generation();
	ck_assert_int_eq(se_db_begin(db), 0);
	ck_assert_int_eq(se_db_commit(db), 0);
	ck_assert_uint_gt(se_cache_generation(), g);
	/* A rollback changes nothing, so it keeps the cache. */
	g = se_cache_generation();
	ck_assert_int_eq(se_db_begin(db), 0);
	se_db_rollback(db);
	ck_assert_uint_eq(se_cache_generation(), g);
	se_store_close(s);
	ck_assert_uint_gt(se_cache_generation(), g);
}
END_TEST

static Suite *cache_suite(void)
{
	Suite *s = suite_create("cache");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_hit_and_miss);
	tcase_add_test(tc, test_invalidate);
	tcase_add_test(tc, test_replace);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_commit_invalidates);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cache_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
