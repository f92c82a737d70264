/* Unit tests for signin/state.c: flows are single-use and expire, items are taken once, presets count
 * down and match, the assertion log keeps the newest, reset forgets everything. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "signin/state.h"
#include "util/errors_code.h"

static json_t *flow(const char *id, time_t expires)
{
	return json_pack("{s:s, s:I}", "flow_id", id, "expires_at", (json_int_t)expires);
}

START_TEST(flows_single_use_and_expiry)
{
	se_signin *s;
	ck_assert_int_eq(se_signin_new(&s), 0);
	time_t now = 1000000;
	ck_assert_int_eq(se_signin_flow_put(s, flow("live", now + 600)), 0);
	ck_assert_int_eq(se_signin_flow_put(s, flow("old", now - 1)), 0);
	json_t *f = se_signin_flow_peek(s, "live");
	ck_assert_ptr_nonnull(f);
	json_decref(f);
	bool expired = true;
	ck_assert_int_eq(se_signin_flow_take(s, "live", now, &f, &expired), 0);
	ck_assert(!expired);
	json_decref(f);
	ck_assert_int_eq(se_signin_flow_take(s, "live", now, &f, &expired), SE_ENOTFOUND);
	ck_assert_ptr_null(se_signin_flow_peek(s, "live"));
	ck_assert_int_eq(se_signin_flow_take(s, "old", now, &f, &expired), 0);
	ck_assert(expired);
	json_decref(f);
	ck_assert_int_eq(se_signin_flow_take(s, "nope", now, &f, &expired), SE_ENOTFOUND);
	se_signin_flow_end(s, "live", "failed", "x_error");
	json_t *list = se_signin_flows(s, 10, now);
	ck_assert_int_eq(json_array_size(list), 2);
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 0), "state")), "expired");
	ck_assert_str_eq(json_string_value(json_object_get(json_array_get(list, 1), "state")), "failed");
	json_decref(list);
	/* Bounded: the oldest go first. */
	for (int i = 0; i < SE_SIGNIN_MAX_FLOWS + 5; i++) {
		char id[32];
		snprintf(id, sizeof id, "f%d", i);
		ck_assert_int_eq(se_signin_flow_put(s, flow(id, now + 600)), 0);
	}
	list = se_signin_flows(s, SE_SIGNIN_MAX_FLOWS + 100, now);
	ck_assert_int_eq(json_array_size(list), SE_SIGNIN_MAX_FLOWS);
	json_decref(list);
	ck_assert_ptr_null(se_signin_flow_peek(s, "f0"));
	se_signin_reset(s);
	ck_assert_ptr_null(se_signin_flow_peek(s, "f10"));
	se_signin_free(s);
}
END_TEST

START_TEST(items_and_presets)
{
	se_signin *s;
	ck_assert_int_eq(se_signin_new(&s), 0);
	ck_assert_int_eq(se_signin_item_put(s, "code", "c1", json_pack("{s:s}", "a", "b")), 0);
	json_t *v = se_signin_item_get(s, "code", "c1");
	ck_assert_ptr_nonnull(v);
	json_decref(v);
	v = se_signin_item_take(s, "code", "c1");
	ck_assert_ptr_nonnull(v);
	json_decref(v);
	ck_assert_ptr_null(se_signin_item_take(s, "code", "c1"));
	ck_assert_ptr_null(se_signin_item_take(s, "other", "c1"));

	json_t *p = se_signin_preset_add(s, json_pack("{s:s, s:i}", "protocol", "saml", "count", 2));
	ck_assert_str_eq(json_string_value(json_object_get(p, "id")), "preset-1");
	json_decref(p);
	ck_assert_ptr_null(se_signin_preset_take(s, "oidc", "conn"));
	p = se_signin_preset_take(s, "saml", "conn");
	ck_assert_ptr_nonnull(p);
	json_decref(p);
	p = se_signin_presets(s);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(p, 0), "count")), 1);
	json_decref(p);
	p = se_signin_preset_take(s, "saml", NULL);
	ck_assert_ptr_nonnull(p);
	json_decref(p);
	ck_assert_ptr_null(se_signin_preset_take(s, "saml", "conn"));
	/* A connection-bound preset matches only its connection. */
	json_decref(se_signin_preset_add(s, json_pack("{s:s, s:i}", "connection_id", "c-1", "count", 1)));
	ck_assert_ptr_null(se_signin_preset_take(s, "saml", "c-2"));
	p = se_signin_preset_take(s, "oidc", "c-1");
	ck_assert_ptr_nonnull(p);
	json_decref(p);

	for (int i = 0; i < SE_SIGNIN_LOG_SIZE + 3; i++)
		se_signin_log_add(s, json_pack("{s:i}", "n", i));
	json_t *log = se_signin_log(s, 100);
	ck_assert_int_eq(json_array_size(log), SE_SIGNIN_LOG_SIZE);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(log, 0), "n")), SE_SIGNIN_LOG_SIZE + 2);
	json_decref(log);
	se_signin_free(s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signin_state");
	TCase *tc = tcase_create("state");
	tcase_add_test(tc, flows_single_use_and_expiry);
	tcase_add_test(tc, items_and_presets);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
