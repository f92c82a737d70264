/* Unit tests for control.c, driven through the pipeline without a socket: dispatch and the
 * control surface, the request log's default limit, masking of session tokens in the log path,
 * request ids outside the seeded stream, and a reset that fails (fixtures file gone) changing
 * nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/app.h"
#include "control/control.h"
#include "crypto/rand.h"
#include "util/errors_code.h"
#include "store/fixtures.h"
#include "request/http.h"
#include "http/dispatch.h"
#include "core/reqlog.h"
#include "testutil.h"

static se_app app;
static char fixtures_path[] = "/tmp/ssoemu-test-control-XXXXXX";

static void setup(void)
{
	int fd = mkstemp(fixtures_path);
	ck_assert_int_ge(fd, 0);
	const char *text = se_fixtures_default_text();
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(&app, 0, sizeof app);
	ck_assert_int_eq(se_config_init(&app.cfg), 0);
	app.cfg.fixtures_path = strdup(fixtures_path);
	char *err = NULL;
	ck_assert_msg(se_app_open(&app, &err) == 0, "se_app_open: %s", err ? err : "?");
}

static void teardown(void)
{
	se_app_close(&app);
	se_config_release(&app.cfg);
	unlink(fixtures_path);
	strcpy(fixtures_path, "/tmp/ssoemu-test-control-XXXXXX");
}

/* Runs one request through the pipeline; returns the parsed body (caller decrefs). */
static json_t *call(const char *method, const char *path, const char *query_limit, const char *body,
		    se_http_out *out)
{
	se_http_in in = {.method = method, .path = path, .body = body, .body_len = body ? strlen(body) : 0};
	/* As a tool sends it: control writes with a body are JSON. */
	if (body) {
		in.headers[0].name = "Content-Type";
		in.headers[0].value = "application/json";
		in.n_headers = 1;
	}
	if (query_limit) {
		in.query[0].name = "limit";
		in.query[0].value = query_limit;
		in.n_query = 1;
	}
	se_dispatch(&app, &in, out);
	json_t *doc = json_loadb(out->body, out->body_len, 0, NULL);
	ck_assert_ptr_nonnull(doc);
	return doc;
}

START_TEST(test_control_surface)
{
	se_http_out out;
	json_t *doc = call("GET", "/_emulator/health", NULL, NULL, &out);
	ck_assert_int_eq(out.status, 200);
	ck_assert_str_eq(out.surface, "control");
	ck_assert_int_eq(out.log, 0);
	ck_assert_str_eq(out.log_path, "/_emulator/health");
	ck_assert_str_eq(json_string_value(json_object_get(doc, "status")), "ok");
	ck_assert(t_match(out.request_id, "request-id-test-" T_UUID4_RE));
	json_decref(doc);
	se_http_out_release(&out);

	ck_assert(se_control_path("/_emulator/x"));
	ck_assert(!se_control_path("/_emulator"));
	ck_assert(!se_control_path("/v1/_emulator/health"));
	ck_assert(!se_control_path(NULL));
}
END_TEST

START_TEST(test_session_token_masked_in_log_path)
{
	se_http_out out;
	json_t *doc = call("DELETE", "/_emulator/sessions/session-acme-admin", NULL, NULL, &out);
	ck_assert_int_eq(out.status, 200);
	ck_assert_str_eq(out.log_path, "/_emulator/sessions/[redacted]");
	ck_assert_ptr_null(strstr(out.body, "session-acme-admin"));
	json_decref(doc);
	se_http_out_release(&out);
}
END_TEST

START_TEST(test_request_ids_outside_the_seeded_stream)
{
	char a[64], b[64];
	ck_assert_int_eq(se_control_request_id(a, sizeof a), 0);
	ck_assert(t_match(a, "request-id-test-" T_UUID4_RE));
	/* Restarting the seeded stream does not repeat control ids. */
	se_crypto_seed(1);
	ck_assert_int_eq(se_control_request_id(a, sizeof a), 0);
	se_crypto_seed(1);
	ck_assert_int_eq(se_control_request_id(b, sizeof b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(se_control_request_id(a, 20), SE_ELIMIT);
}
END_TEST

START_TEST(test_requests_default_limit)
{
	for (int i = 0; i < 150; i++)
		se_reqlog_add(app.reqlog, "GET", "/v1/x", "api", 200, NULL, 1.0, "request-id-test-x", 0);
	se_http_out out;
	json_t *doc = call("GET", "/_emulator/requests", NULL, NULL, &out);
	ck_assert_int_eq(out.status, 200);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "requests")), 100);
	json_decref(doc);
	se_http_out_release(&out);
	doc = call("GET", "/_emulator/requests", "150", NULL, &out);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "requests")), 150);
	json_decref(doc);
	se_http_out_release(&out);
	doc = call("GET", "/_emulator/requests", "1001", NULL, &out);
	ck_assert_int_eq(out.status, 400);
	ck_assert_str_eq(out.error_type, "bad_request");
	json_decref(doc);
	se_http_out_release(&out);
}
END_TEST

START_TEST(test_failed_reset_changes_nothing)
{
	se_http_out out;
	json_t *before = call("GET", "/_emulator/state", NULL, NULL, &out);
	char *state = strdup(out.body);
	se_http_out_release(&out);
	json_decref(before);
	/* Something to undo, then the fixtures file goes away. */
	json_decref(call("DELETE", "/_emulator/sessions/session-acme-member", NULL, NULL, &out));
	se_http_out_release(&out);
	json_decref(call("POST", "/_emulator/faults", NULL, "{\"status\": 500}", &out));
	se_http_out_release(&out);
	ck_assert_int_eq(unlink(fixtures_path), 0);

	json_t *doc = call("POST", "/_emulator/reset", NULL, NULL, &out);
	ck_assert_int_eq(out.status, 500);
	ck_assert_str_eq(out.error_type, "internal_server_error");
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(doc, "error_message")), fixtures_path));
	json_decref(doc);
	se_http_out_release(&out);

	/* The revoked session stays revoked and the fault stays. */
	doc = call("GET", "/_emulator/state", NULL, NULL, &out);
	ck_assert_str_ne(out.body, state);
	ck_assert_ptr_null(strstr(out.body, "session-acme-member"));
	json_decref(doc);
	se_http_out_release(&out);
	doc = call("GET", "/_emulator/faults", NULL, NULL, &out);
	ck_assert_int_eq(json_array_size(json_object_get(doc, "faults")), 1);
	json_decref(doc);
	se_http_out_release(&out);
	free(state);
}
END_TEST

START_TEST(test_reset_with_invalid_fixtures_changes_nothing)
{
	se_http_out out;
	json_decref(call("DELETE", "/_emulator/sessions/session-acme-member", NULL, NULL, &out));
	se_http_out_release(&out);
	json_decref(call("GET", "/_emulator/state", NULL, NULL, &out));
	char *state = strdup(out.body);
	se_http_out_release(&out);
	FILE *f = fopen(fixtures_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"project\": {\"project_id\": \"p\", \"secret\": \"s\", \"public_token\": \"t\"}, "
	      "\"rbac_policy\": {\"roles\": []}, \"organizations\": [{\"organization_id\": \"o\"}]}",
	      f);
	fclose(f);
	json_t *doc = call("POST", "/_emulator/reset", NULL, NULL, &out);
	ck_assert_int_eq(out.status, 500);
	ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(doc, "error_message")),
				     "organizations[0].organization_slug"));
	json_decref(doc);
	se_http_out_release(&out);
	/* The cleared store was rolled back: the state is as before, project included. */
	json_decref(call("GET", "/_emulator/state", NULL, NULL, &out));
	ck_assert_str_eq(out.body, state);
	se_http_out_release(&out);
	se_project *p = se_app_project(&app);
	ck_assert_str_eq(p->project_id, T_PROJECT_ID);
	se_project_unref(p);
	free(state);
}
END_TEST

START_TEST(test_reset_rereads_the_fixtures_file)
{
	/* A fixtures file edited while the server runs is what a reset applies. */
	FILE *f = fopen(fixtures_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("{\"project\": {\"project_id\": \"project-test-other\", \"secret\": \"secret-test-other\", "
	      "\"public_token\": \"public-token-test-other\"}, \"rbac_policy\": {\"roles\": []}}",
	      f);
	fclose(f);
	se_http_out out;
	json_decref(call("POST", "/_emulator/reset", NULL, NULL, &out));
	ck_assert_int_eq(out.status, 200);
	se_http_out_release(&out);
	se_project *p = se_app_project(&app);
	ck_assert_str_eq(p->project_id, "project-test-other");
	se_project_unref(p);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_control_surface);
	tcase_add_test(tc, test_session_token_masked_in_log_path);
	tcase_add_test(tc, test_request_ids_outside_the_seeded_stream);
	tcase_add_test(tc, test_requests_default_limit);
	tcase_add_test(tc, test_failed_reset_changes_nothing);
	tcase_add_test(tc, test_reset_with_invalid_fixtures_changes_nothing);
	tcase_add_test(tc, test_reset_rereads_the_fixtures_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
