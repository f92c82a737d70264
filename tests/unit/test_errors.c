/* Unit tests for errors.c: the error table, lookups by type and status, and the error body. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "request/errors.h"
#include "testutil.h"

static bool known_status(int s)
{
	static const int ok[] = {400, 401, 403, 404, 413, 414, 415, 429, 431, 500, 503};
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (ok[i] == s)
			return true;
	return false;
}

START_TEST(test_every_row)
{
	for (int i = 1; i < SE_ERR__COUNT; i++) {
		se_error_id id = (se_error_id)i;
		const char *type = se_error_type(id), *msg = se_error_default_message(id);
		ck_assert_msg(known_status(se_error_status(id)), "row %d: status %d", i, se_error_status(id));
		ck_assert_msg(type && t_match(type, "[a-z][a-z0-9_]*[a-z0-9]"), "row %d: error_type %s", i,
		              type ? type : "");
		ck_assert_msg(msg && strlen(msg) > 10, "row %d (%s): message", i, type);
		/* Types are unique, so lookups by type are unambiguous. */
		for (int j = 1; j < i; j++)
			ck_assert_msg(strcmp(type, se_error_type((se_error_id)j)) != 0, "%s appears twice", type);
	}
}
END_TEST

START_TEST(test_by_type)
{
	for (int i = 1; i < SE_ERR__COUNT; i++)
		ck_assert_int_eq(se_error_by_type(se_error_type((se_error_id)i)), i);
	ck_assert_int_eq(se_error_by_type("no_such_error"), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_type(""), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_type(NULL), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_type("Bad_Request"), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_type("too_many_requests"), SE_ERR_TOO_MANY_REQUESTS);
}
END_TEST

START_TEST(test_by_status)
{
	static const int statuses[] = {400, 401, 403, 404, 413, 429, 500, 503};
	for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
		se_error_id id = se_error_by_status(statuses[i]);
		ck_assert_msg(id != SE_ERR_NONE, "no error for %d", statuses[i]);
		ck_assert_int_eq(se_error_status(id), statuses[i]);
	}
	ck_assert_str_eq(se_error_type(se_error_by_status(429)), "too_many_requests");
	ck_assert_str_eq(se_error_type(se_error_by_status(500)), "internal_server_error");
	ck_assert_str_eq(se_error_type(se_error_by_status(503)), "service_unavailable");
	ck_assert_int_eq(se_error_by_status(200), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_status(418), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_status(0), SE_ERR_NONE);
	ck_assert_int_eq(se_error_by_status(-1), SE_ERR_NONE);
}
END_TEST

START_TEST(test_verbatim_messages)
{
	ck_assert_str_eq(se_error_default_message(SE_ERR_UNAUTHORIZED_CREDENTIALS), "Unauthorized credentials.");
	ck_assert_str_eq(se_error_default_message(SE_ERR_SESSION_NOT_FOUND), "Session could not be found.");
	ck_assert_str_eq(se_error_default_message(SE_ERR_TOO_MANY_REQUESTS), "Too many requests have been made.");
	ck_assert_str_eq(se_error_default_message(SE_ERR_SESSION_AUTHORIZATION),
	                 "The Member is not authorized to perform the requested action on that resource.");
	ck_assert_str_eq(se_error_default_message(SE_ERR_SESSION_TENANCY),
	                 "OrganizationID in AuthorizationCheck request does not match session's Organization ID");
	ck_assert_str_eq(
	    se_error_default_message(SE_ERR_ACTIVE_SCIM_EXISTS),
	    "Cannot create a new SCIM connection for the specified organization since the organization already "
	    "has an active SCIM connection. Organizations may only have one active SCIM connection at a time.");
	ck_assert_str_eq(
	    se_error_default_message(SE_ERR_INTERNAL),
	    "Oops, something seems to have gone wrong, please reach out to support@stytch.com to let us know "
	    "what went wrong.");
	ck_assert_str_eq(se_error_default_message(SE_ERR_ENDPOINT_NOT_AUTHORIZED_FOR_SDK),
	                 "The project owner has not authorized the SDK to call this endpoint. Please enable it in the "
	                 "dashboard to continue: https://stytch.com/dashboard/sdk-configuration.");
}
END_TEST

START_TEST(test_body_shape)
{
	for (int i = 1; i < SE_ERR__COUNT; i++) {
		se_error_id id = (se_error_id)i;
		json_t *b = se_error_body(id, NULL, "request-id-test-x");
		ck_assert_ptr_nonnull(b);
		ck_assert_uint_eq(json_object_size(b), 5);
		ck_assert(json_is_integer(json_object_get(b, "status_code")));
		ck_assert_int_eq(json_integer_value(json_object_get(b, "status_code")), se_error_status(id));
		ck_assert_str_eq(json_string_value(json_object_get(b, "request_id")), "request-id-test-x");
		ck_assert_str_eq(json_string_value(json_object_get(b, "error_type")), se_error_type(id));
		ck_assert_str_eq(json_string_value(json_object_get(b, "error_message")), se_error_default_message(id));
		char url[64];
		snprintf(url, sizeof url, "https://stytch.com/docs/api/errors/%d", se_error_status(id));
		ck_assert_str_eq(json_string_value(json_object_get(b, "error_url")), url);
		json_decref(b);
	}
	/* A given message replaces the default; a missing request id is "". */
	json_t *b = se_error_body(SE_ERR_BAD_REQUEST, "display_name must be a string.", NULL);
	ck_assert_str_eq(json_string_value(json_object_get(b, "error_message")), "display_name must be a string.");
	ck_assert_str_eq(json_string_value(json_object_get(b, "request_id")), "");
	ck_assert_int_eq(json_integer_value(json_object_get(b, "status_code")), 400);
	json_decref(b);
}
END_TEST

START_TEST(test_out_of_range)
{
	/* Anything outside the table is an internal error, never a crash or a 200. */
	ck_assert_int_eq(se_error_status(SE_ERR_NONE), 500);
	ck_assert_int_eq(se_error_status(SE_ERR__COUNT), 500);
	ck_assert_int_eq(se_error_status((se_error_id)-3), 500);
	ck_assert_str_eq(se_error_type((se_error_id)9999), "internal_server_error");
	json_t *b = se_error_body(SE_ERR__COUNT, NULL, "r");
	ck_assert_str_eq(json_string_value(json_object_get(b, "error_type")), "internal_server_error");
	json_decref(b);
}
END_TEST

static Suite *errors_suite(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_every_row);
	tcase_add_test(tc, test_by_type);
	tcase_add_test(tc, test_by_status);
	tcase_add_test(tc, test_verbatim_messages);
	tcase_add_test(tc, test_body_shape);
	tcase_add_test(tc, test_out_of_range);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(errors_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
