/* Unit tests for control/ui.c: every embedded file with its type and headers, the page by default,
 * unknown names, ETag revalidation (304 with an empty body), and a full header list changing nothing. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/ui.h"
#include "util/errors_code.h"

static const char *header(const se_http_out *out, const char *name)
{
	for (size_t i = 0; i < out->n_headers; i++)
		if (strcmp(out->header_names[i], name) == 0)
			return out->header_values[i];
	return NULL;
}

static void serve_ok(const char *name, const char *type, const char *starts)
{
	se_http_out out = {0};
	ck_assert_int_eq(se_ui_serve(name, NULL, &out), 0);
	ck_assert_int_eq(out.status, 200);
	ck_assert_str_eq(header(&out, "Content-Type"), type);
	ck_assert_ptr_nonnull(strstr(header(&out, "Content-Security-Policy"), "script-src 'self'"));
	ck_assert_ptr_null(strstr(header(&out, "Content-Security-Policy"), "unsafe"));
	ck_assert_str_eq(header(&out, "Cache-Control"), "no-cache");
	ck_assert_str_eq(header(&out, "X-Content-Type-Options"), "nosniff");
	ck_assert_uint_eq(strlen(header(&out, "ETag")), 34);
	ck_assert_uint_gt(out.body_len, 100);
	ck_assert_uint_eq(strlen(out.body), out.body_len);
	ck_assert_int_eq(strncmp(out.body, starts, strlen(starts)), 0);
	se_http_out_release(&out);
}

START_TEST(test_files)
{
	serve_ok(NULL, "text/html; charset=utf-8", "<!doctype html>");
	serve_ok("index.html", "text/html; charset=utf-8", "<!doctype html>");
	serve_ok("app.js", "text/javascript; charset=utf-8", "/*");
	serve_ok("app.css", "text/css; charset=utf-8", "/*");
	serve_ok("favicon.svg", "image/svg+xml", "<svg");
}
END_TEST

START_TEST(test_unknown)
{
	se_http_out out = {0};
	static const char *const names[] = {"nope.js", "", "app", "app.js.map", "../app.js", "APP.JS", "index.html/"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		ck_assert_int_eq(se_ui_serve(names[i], NULL, &out), SE_ENOTFOUND);
		ck_assert_uint_eq(out.n_headers, 0);
		ck_assert_ptr_null(out.body);
	}
}
END_TEST

START_TEST(test_etag)
{
	se_http_out first = {0}, again = {0}, other = {0}, star = {0};
	ck_assert_int_eq(se_ui_serve("app.css", NULL, &first), 0);
	char list[128];
	const char *etag = header(&first, "ETag");
	ck_assert_ptr_nonnull(etag);
	/* Among others and weak, as browsers may send it. */
	snprintf(list, sizeof list, "\"abc\", W/%s", etag);
	ck_assert_int_eq(se_ui_serve("app.css", list, &again), 0);
	ck_assert_int_eq(again.status, 304);
	ck_assert_uint_eq(again.body_len, 0);
	ck_assert_str_eq(again.body, "");
	ck_assert_str_eq(header(&again, "ETag"), etag);
	/* Another file's ETag does not match. */
	ck_assert_int_eq(se_ui_serve("app.js", etag, &other), 0);
	ck_assert_int_eq(other.status, 200);
	ck_assert_str_ne(header(&other, "ETag"), etag);
	ck_assert_int_eq(se_ui_serve("app.js", " * ", &star), 0);
	ck_assert_int_eq(star.status, 304);
	se_http_out_release(&first);
	se_http_out_release(&again);
	se_http_out_release(&other);
	se_http_out_release(&star);
}
END_TEST

START_TEST(test_headers_full)
{
	se_http_out out = {0};
	for (int i = 0; i < SE_HTTP_MAX_OUT_HEADERS - 3; i++)
		ck_assert_int_eq(se_http_out_header(&out, "X-Filler", "1"), 0);
	ck_assert_int_eq(se_ui_serve(NULL, NULL, &out), SE_ELIMIT);
	/* What it had added is taken back; the body is untouched. */
	ck_assert_uint_eq(out.n_headers, SE_HTTP_MAX_OUT_HEADERS - 3);
	ck_assert_ptr_null(out.body);
	ck_assert_int_eq(out.status, 0);
	se_http_out_release(&out);
}
END_TEST

static Suite *ui_suite(void)
{
	Suite *s = suite_create("ui");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_files);
	tcase_add_test(tc, test_unknown);
	tcase_add_test(tc, test_etag);
	tcase_add_test(tc, test_headers_full);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ui_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
