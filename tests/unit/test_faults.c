/* Unit tests for faults.c: rule validation (every field and its error), defaults, matching by
 * method and exact or prefix path, counts used up, delay-only rules, listing and clearing. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "core/faults.h"

static se_faults *set(void)
{
	se_faults *f = NULL;
	ck_assert_int_eq(se_faults_new(&f), 0);
	ck_assert_ptr_nonnull(f);
	return f;
}

/* Adds the rule given as JSON text; returns the stored rule (caller decrefs). */
static json_t *add_ok(se_faults *f, const char *text)
{
	json_t *rule = json_loads(text, 0, NULL), *out = NULL;
	char *why = NULL;
	ck_assert_ptr_nonnull(rule);
	int r = se_faults_add(f, rule, &out, &why);
	ck_assert_msg(r == 0, "%s: %s", text, why ? why : "?");
	ck_assert_ptr_null(why);
	json_decref(rule);
	return out;
}

/* Adds a rule that must be refused with rc; checks that the message names want. */
static void add_bad(se_faults *f, const char *text, int rc, const char *want)
{
	json_t *rule = json_loads(text, JSON_DECODE_ANY, NULL), *out = NULL;
	char *why = NULL;
	ck_assert_ptr_nonnull(rule);
	ck_assert_int_eq(se_faults_add(f, rule, &out, &why), rc);
	ck_assert_ptr_null(out);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, want) != NULL, "%s: message %s does not name %s", text, why, want);
	free(why);
	json_decref(rule);
}

static int take(se_faults *f, const char *method, const char *path, se_error_id *err, unsigned *delay)
{
	*err = SE_ERR__COUNT;
	*delay = 12345;
	return se_faults_take(f, method, path, err, delay);
}

START_TEST(test_defaults_and_render)
{
	se_faults *f = set();
	json_t *r = add_ok(f, "{\"status\": 500}");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "fault-1");
	ck_assert(json_is_null(json_object_get(r, "method")));
	ck_assert(json_is_null(json_object_get(r, "path")));
	ck_assert_str_eq(json_string_value(json_object_get(r, "error_type")), "internal_server_error");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "status")), 500);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "delay_ms")), 0);
	json_decref(r);

	r = add_ok(f, "{\"method\": \"post\", \"path\": \"/v1/b2b/sso/*\", \"error_type\": \"service_unavailable\", "
		      "\"count\": 3, \"delay_ms\": 250}");
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "fault-2");
	ck_assert_str_eq(json_string_value(json_object_get(r, "method")), "POST");
	ck_assert_str_eq(json_string_value(json_object_get(r, "path")), "/v1/b2b/sso/*");
	ck_assert_int_eq(json_integer_value(json_object_get(r, "status")), 503);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "count")), 3);
	ck_assert_int_eq(json_integer_value(json_object_get(r, "delay_ms")), 250);
	json_decref(r);

	json_t *list = se_faults_list(f);
	ck_assert_int_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "id")), "fault-2");
	json_decref(list);
	se_faults_free(f);
}
END_TEST

START_TEST(test_status_maps_to_catalog)
{
	static const struct {
		int status;
		const char *type;
	} cases[] = {{400, "bad_request"},      {401, "unauthorized_credentials"}, {403, "session_authorization_error"},
		     {404, "route_not_found"}, {413, "request_body_too_large"},   {429, "too_many_requests"},
		     {500, "internal_server_error"}, {503, "service_unavailable"}};
	se_faults *f = set();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[64];
		snprintf(text, sizeof text, "{\"status\": %d}", cases[i].status);
		json_t *r = add_ok(f, text);
		ck_assert_str_eq(json_string_value(json_object_get(r, "error_type")), cases[i].type);
		json_decref(r);
	}
	/* Both given: they must agree. */
	json_decref(add_ok(f, "{\"error_type\": \"too_many_requests\", \"status\": 429}"));
	se_faults_free(f);
}
END_TEST

START_TEST(test_invalid_rules)
{
	se_faults *f = set();
	add_bad(f, "[]", SE_EINVAL, "JSON object");
	add_bad(f, "{}", SE_EINVAL, "error_type, status or delay_ms");
	add_bad(f, "{\"path\": \"/v1/x\"}", SE_EINVAL, "error_type, status or delay_ms");
	add_bad(f, "{\"status\": 418}", SE_EINVAL, "status 418");
	add_bad(f, "{\"status\": 99}", SE_EINVAL, "status");
	add_bad(f, "{\"status\": \"500\"}", SE_EINVAL, "status");
	add_bad(f, "{\"error_type\": \"no_such_error\"}", SE_EINVAL, "error_type no_such_error");
	add_bad(f, "{\"error_type\": 5}", SE_EINVAL, "error_type");
	add_bad(f, "{\"error_type\": \"bad_request\", \"status\": 500}", SE_EINVAL, "does not match");
	add_bad(f, "{\"status\": 500, \"count\": 0}", SE_EINVAL, "count");
	add_bad(f, "{\"status\": 500, \"count\": 1000001}", SE_EINVAL, "count");
	add_bad(f, "{\"status\": 500, \"count\": 1.5}", SE_EINVAL, "count");
	add_bad(f, "{\"delay_ms\": -1}", SE_EINVAL, "delay_ms");
	add_bad(f, "{\"delay_ms\": 60001}", SE_EINVAL, "delay_ms");
	add_bad(f, "{\"status\": 500, \"method\": \"\"}", SE_EINVAL, "method");
	add_bad(f, "{\"status\": 500, \"method\": \"GE T\"}", SE_EINVAL, "method");
	add_bad(f, "{\"status\": 500, \"method\": 1}", SE_EINVAL, "method");
	add_bad(f, "{\"status\": 500, \"path\": \"v1/x\"}", SE_EINVAL, "path");
	add_bad(f, "{\"status\": 500, \"path\": \"/v1/*/x\"}", SE_EINVAL, "path");
	add_bad(f, "{\"status\": 500, \"path\": 3}", SE_EINVAL, "path");
	add_bad(f, "{\"status\": 500, \"paht\": \"/v1\"}", SE_EINVAL, "paht");
	/* Nothing was added by any of them. */
	json_t *list = se_faults_list(f);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	se_faults_free(f);
}
END_TEST

START_TEST(test_limit)
{
	se_faults *f = set();
	for (int i = 0; i < SE_FAULTS_MAX; i++)
		json_decref(add_ok(f, "{\"status\": 500, \"path\": \"/nowhere\"}"));
	add_bad(f, "{\"status\": 500}", SE_ELIMIT, "clear them");
	ck_assert_uint_eq(se_faults_clear(f), SE_FAULTS_MAX);
	json_t *r = add_ok(f, "{\"status\": 500}");
	/* Ids start again after a clear. */
	ck_assert_str_eq(json_string_value(json_object_get(r, "id")), "fault-1");
	json_decref(r);
	se_faults_free(f);
}
END_TEST

START_TEST(test_match_and_count)
{
	se_faults *f = set();
	se_error_id err;
	unsigned delay;
	json_decref(add_ok(f, "{\"method\": \"POST\", \"path\": \"/v1/b2b/scim/org/connection\", \"status\": 503, "
			      "\"count\": 2}"));
	/* Another method or path does not match and uses nothing. */
	ck_assert_int_eq(take(f, "GET", "/v1/b2b/scim/org/connection", &err, &delay), 0);
	ck_assert_int_eq(take(f, "POST", "/v1/b2b/scim/org/connection/x", &err, &delay), 0);
	ck_assert_int_eq(take(f, "POST", "/v1/b2b/scim/org", &err, &delay), 0);
	/* Exactly twice. */
	ck_assert_int_eq(take(f, "post", "/v1/b2b/scim/org/connection", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_SERVICE_UNAVAILABLE);
	ck_assert_uint_eq(delay, 0);
	json_t *list = se_faults_list(f);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(list, 0), "count")), 1);
	json_decref(list);
	ck_assert_int_eq(take(f, "POST", "/v1/b2b/scim/org/connection", &err, &delay), 1);
	ck_assert_int_eq(take(f, "POST", "/v1/b2b/scim/org/connection", &err, &delay), 0);
	list = se_faults_list(f);
	ck_assert_int_eq(json_array_size(list), 0);
	json_decref(list);
	se_faults_free(f);
}
END_TEST

START_TEST(test_prefix_any_and_order)
{
	se_faults *f = set();
	se_error_id err;
	unsigned delay;
	json_decref(add_ok(f, "{\"path\": \"/sdk/v1/*\", \"error_type\": \"too_many_requests\"}"));
	json_decref(add_ok(f, "{\"status\": 500, \"count\": 5}"));
	ck_assert_int_eq(take(f, "GET", "/sdk/v1/b2b/sso", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_TOO_MANY_REQUESTS);
	/* The prefix rule is used up: the catch-all takes over, for any method and path. */
	ck_assert_int_eq(take(f, "GET", "/sdk/v1/b2b/sso", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_INTERNAL);
	ck_assert_int_eq(take(f, "DELETE", "/v1/anything", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_INTERNAL);
	se_faults_free(f);

	/* The prefix is literal text, not path segments; a lone slash and star matches every path. */
	f = set();
	json_decref(add_ok(f, "{\"path\": \"/v1/b2b/sso*\", \"status\": 400, \"count\": 10}"));
	ck_assert_int_eq(take(f, "GET", "/v1/b2b/ssox", &err, &delay), 1);
	ck_assert_int_eq(take(f, "GET", "/v1/b2b/sso", &err, &delay), 1);
	ck_assert_int_eq(take(f, "GET", "/v1/b2b/ss", &err, &delay), 0);
	ck_assert_int_eq(take(f, "GET", "/sdk/v1/b2b/sso", &err, &delay), 0);
	se_faults_clear(f);
	json_decref(add_ok(f, "{\"path\": \"/*\", \"status\": 400, \"count\": 10}"));
	ck_assert_int_eq(take(f, "PUT", "/sdk/v1/b2b/sso/x", &err, &delay), 1);
	ck_assert_int_eq(take(f, "GET", "/", &err, &delay), 1);
	se_faults_free(f);
}
END_TEST

START_TEST(test_delay_only)
{
	se_faults *f = set();
	se_error_id err;
	unsigned delay;
	json_t *r = add_ok(f, "{\"delay_ms\": 1500}");
	ck_assert(json_is_null(json_object_get(r, "error_type")));
	ck_assert(json_is_null(json_object_get(r, "status")));
	json_decref(r);
	ck_assert_int_eq(take(f, "GET", "/v1/x", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_NONE);
	ck_assert_uint_eq(delay, 1500);
	ck_assert_int_eq(take(f, "GET", "/v1/x", &err, &delay), 0);
	/* An error with a delay gives both. */
	json_decref(add_ok(f, "{\"status\": 429, \"delay_ms\": 20}"));
	ck_assert_int_eq(take(f, "GET", "/v1/x", &err, &delay), 1);
	ck_assert_int_eq(err, SE_ERR_TOO_MANY_REQUESTS);
	ck_assert_uint_eq(delay, 20);
	se_faults_free(f);
}
END_TEST

START_TEST(test_clear)
{
	se_faults *f = set();
	se_error_id err;
	unsigned delay;
	json_decref(add_ok(f, "{\"status\": 500, \"count\": 100}"));
	json_decref(add_ok(f, "{\"status\": 503}"));
	ck_assert_uint_eq(se_faults_clear(f), 2);
	ck_assert_int_eq(take(f, "GET", "/v1/x", &err, &delay), 0);
	ck_assert_uint_eq(se_faults_clear(f), 0);
	se_faults_free(f);
	se_faults_free(NULL);
}
END_TEST

static Suite *faults_suite(void)
{
	Suite *s = suite_create("faults");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_defaults_and_render);
	tcase_add_test(tc, test_status_maps_to_catalog);
	tcase_add_test(tc, test_invalid_rules);
	tcase_add_test(tc, test_limit);
	tcase_add_test(tc, test_match_and_count);
	tcase_add_test(tc, test_prefix_any_and_order);
	tcase_add_test(tc, test_delay_only);
	tcase_add_test(tc, test_clear);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(faults_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
