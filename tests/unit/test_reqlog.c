/* Unit tests for reqlog.c: entry fields, newest first, limits, the ring dropping the oldest,
 * long strings cut, clearing, and concurrent writers. */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "core/reqlog.h"

static se_reqlog *ring(size_t n)
{
	se_reqlog *l = NULL;
	ck_assert_int_eq(se_reqlog_new(n, &l), 0);
	ck_assert_ptr_nonnull(l);
	ck_assert_uint_eq(se_reqlog_capacity(l), n);
	return l;
}

static void add(se_reqlog *l, int i)
{
	char path[32], id[32];
	snprintf(path, sizeof path, "/v1/req/%d", i);
	snprintf(id, sizeof id, "request-id-test-%d", i);
	se_reqlog_add(l, "GET", path, "api", 200, NULL, 1.0, id, 0);
}

static const char *path_at(json_t *list, size_t i)
{
	return json_string_value(json_object_get(json_array_get(list, i), "path"));
}

START_TEST(test_fields)
{
	se_reqlog *l = ring(10);
	se_reqlog_add(l, "POST", "/sdk/v1/b2b/sso/saml", "sdk", 403, "session_authorization_error", 12.34,
		      "request-id-test-1", 1795500000);
	se_reqlog_add(l, "GET", "/v1/b2b/sso/org", "api", 200, NULL, 0.04, "request-id-test-2", 1795500001);
	json_t *list = se_reqlog_list(l, 100);
	ck_assert_int_eq(json_array_size(list), 2);
	json_t *e = json_array_get(list, 1);
	ck_assert_int_eq(json_object_size(e), 8);
	ck_assert_str_eq(json_string_value(json_object_get(e, "method")), "POST");
	ck_assert_str_eq(json_string_value(json_object_get(e, "path")), "/sdk/v1/b2b/sso/saml");
	ck_assert_str_eq(json_string_value(json_object_get(e, "surface")), "sdk");
	ck_assert_int_eq(json_integer_value(json_object_get(e, "status")), 403);
	ck_assert_str_eq(json_string_value(json_object_get(e, "error_type")), "session_authorization_error");
	ck_assert(json_is_real(json_object_get(e, "duration_ms")));
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "duration_ms")), 12.3, 1e-9);
	ck_assert_str_eq(json_string_value(json_object_get(e, "request_id")), "request-id-test-1");
	ck_assert_str_eq(json_string_value(json_object_get(e, "time")), "2026-11-24T06:00:00Z");
	/* Success: error_type is null; durations are tenths of a millisecond. */
	e = json_array_get(list, 0);
	ck_assert(json_is_null(json_object_get(e, "error_type")));
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "duration_ms")), 0.0, 1e-9);
	json_decref(list);
	se_reqlog_free(l);
}
END_TEST

START_TEST(test_newest_first_and_limit)
{
	se_reqlog *l = ring(10);
	json_t *list = se_reqlog_list(l, 100);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	for (int i = 1; i <= 5; i++)
		add(l, i);
	list = se_reqlog_list(l, 3);
	ck_assert_int_eq(json_array_size(list), 3);
	ck_assert_str_eq(path_at(list, 0), "/v1/req/5");
	ck_assert_str_eq(path_at(list, 2), "/v1/req/3");
	json_decref(list);
	list = se_reqlog_list(l, 0);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	se_reqlog_free(l);
}
END_TEST

START_TEST(test_ring_drops_oldest)
{
	se_reqlog *l = ring(SE_REQLOG_SIZE);
	for (int i = 1; i <= SE_REQLOG_SIZE + 250; i++)
		add(l, i);
	json_t *list = se_reqlog_list(l, (size_t)-1);
	ck_assert_int_eq(json_array_size(list), SE_REQLOG_SIZE);
	char want[32];
	snprintf(want, sizeof want, "/v1/req/%d", SE_REQLOG_SIZE + 250);
	ck_assert_str_eq(path_at(list, 0), want);
	ck_assert_str_eq(path_at(list, SE_REQLOG_SIZE - 1), "/v1/req/251");
	json_decref(list);
	se_reqlog_free(l);
}
END_TEST

START_TEST(test_long_strings_cut)
{
	se_reqlog *l = ring(2);
	char path[2000];
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	se_reqlog_add(l, "VERYLONGMETHODNAMEHERE", path, "api", 404, "route_not_found", 1.0, "id", 0);
	se_reqlog_add(l, NULL, NULL, NULL, 500, NULL, -3.0, NULL, 0);
	json_t *list = se_reqlog_list(l, 2);
	json_t *e = json_array_get(list, 1);
	const char *p = json_string_value(json_object_get(e, "path"));
	ck_assert_uint_lt(strlen(p), 600);
	ck_assert_str_eq(p + strlen(p) - 3, "...");
	ck_assert_uint_lt(strlen(json_string_value(json_object_get(e, "method"))), 16);
	/* Missing strings are empty, a negative duration is 0. */
	e = json_array_get(list, 0);
	ck_assert_str_eq(json_string_value(json_object_get(e, "path")), "");
	ck_assert_double_eq_tol(json_real_value(json_object_get(e, "duration_ms")), 0.0, 1e-9);
	json_decref(list);
	se_reqlog_free(l);
}
END_TEST

START_TEST(test_clear)
{
	se_reqlog *l = ring(4);
	for (int i = 0; i < 6; i++)
		add(l, i);
	se_reqlog_clear(l);
	json_t *list = se_reqlog_list(l, 10);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	add(l, 42);
	list = se_reqlog_list(l, 10);
	ck_assert_int_eq(json_array_size(list), 1);
	ck_assert_str_eq(path_at(list, 0), "/v1/req/42");
	json_decref(list);
	se_reqlog_free(l);
	se_reqlog_free(NULL);
	ck_assert_int_eq(se_reqlog_new(0, &l), SE_EINVAL);
}
END_TEST

static void *writer(void *v)
{
	for (int i = 0; i < 2000; i++)
		add(v, i);
	return NULL;
}

START_TEST(test_concurrent_writers)
{
	se_reqlog *l = ring(SE_REQLOG_SIZE);
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, writer, l), 0);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	json_t *list = se_reqlog_list(l, SE_REQLOG_SIZE);
	ck_assert_int_eq(json_array_size(list), SE_REQLOG_SIZE);
	for (size_t i = 0; i < json_array_size(list); i++)
		ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, i), "method")), "GET");
	json_decref(list);
	se_reqlog_free(l);
}
END_TEST

static Suite *reqlog_suite(void)
{
	Suite *s = suite_create("reqlog");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_newest_first_and_limit);
	tcase_add_test(tc, test_ring_drops_oldest);
	tcase_add_test(tc, test_long_strings_cut);
	tcase_add_test(tc, test_clear);
	tcase_add_test(tc, test_concurrent_writers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(reqlog_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
