/* Unit tests for router.c: matching, path parameters, percent-decoding and its failures, methods,
 * segment limits; and properties of THE route table in routes.c. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "request/router.h"
#include "core/routes.h"

static int h_a(se_req *r)
{
	(void)r;
	return 0;
}

static int h_b(se_req *r)
{
	(void)r;
	return 1;
}

static const se_route table[] = {
    {SE_SURFACE_API, "GET", "/v1/things", h_a, SE_AUTH_SECRET, NULL, NULL, 0},
    {SE_SURFACE_API, "GET", "/v1/things/special", h_a, SE_AUTH_SECRET, NULL, NULL, 0},
    {SE_SURFACE_API, "GET", "/v1/things/{thing_id}", h_b, SE_AUTH_SECRET, NULL, NULL, 0},
    {SE_SURFACE_API, "DELETE", "/v1/things/{thing_id}", h_a, SE_AUTH_SECRET, NULL, NULL, 0},
    {SE_SURFACE_API, "PUT", "/v1/orgs/{organization_id}/connections/{connection_id}", h_a, SE_AUTH_SECRET, NULL, NULL,
     0},
    {SE_SURFACE_SDK, "POST", "/sdk/v1/a/{p1}/{p2}/{p3}/{p4}", h_a, SE_AUTH_SESSION, NULL, NULL, 0},
};
#define N_TABLE (sizeof table / sizeof table[0])

static int match(const char *method, const char *path, se_route_match *m)
{
	memset(m, 0, sizeof *m);
	return se_router_match(table, N_TABLE, method, path, m);
}

START_TEST(test_static)
{
	se_route_match m;
	ck_assert_int_eq(match("GET", "/v1/things", &m), 0);
	ck_assert_ptr_eq(m.route, &table[0]);
	ck_assert_uint_eq(m.index, 0);
	ck_assert_uint_eq(m.n_params, 0);
	/* A literal row listed before a parameter row wins. */
	ck_assert_int_eq(match("GET", "/v1/things/special", &m), 0);
	ck_assert_uint_eq(m.index, 1);
	ck_assert_ptr_null(se_route_param(&m, "thing_id"));
}
END_TEST

START_TEST(test_no_partial_match)
{
	se_route_match m;
	ck_assert_int_eq(match("GET", "/v1/thing", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/thingsx", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/things/", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/things/a/b", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "v1/things", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/V1/things", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "//v1/things", &m), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_params)
{
	se_route_match m;
	ck_assert_int_eq(match("GET", "/v1/things/abc-123", &m), 0);
	ck_assert_uint_eq(m.index, 2);
	ck_assert_uint_eq(m.n_params, 1);
	ck_assert_str_eq(se_route_param(&m, "thing_id"), "abc-123");
	ck_assert_ptr_null(se_route_param(&m, "thing"));
	ck_assert_ptr_null(se_route_param(&m, "other"));

	ck_assert_int_eq(match("PUT", "/v1/orgs/acme/connections/saml-connection-test-1", &m), 0);
	ck_assert_uint_eq(m.index, 4);
	ck_assert_uint_eq(m.n_params, 2);
	ck_assert_str_eq(se_route_param(&m, "organization_id"), "acme");
	ck_assert_str_eq(se_route_param(&m, "connection_id"), "saml-connection-test-1");

	ck_assert_int_eq(match("POST", "/sdk/v1/a/1/2/3/4", &m), 0);
	ck_assert_uint_eq(m.n_params, 4);
	ck_assert_str_eq(se_route_param(&m, "p1"), "1");
	ck_assert_str_eq(se_route_param(&m, "p4"), "4");
}
END_TEST

START_TEST(test_empty_param)
{
	se_route_match m;
	ck_assert_int_eq(match("PUT", "/v1/orgs//connections/x", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("PUT", "/v1/orgs/acme/connections/", &m), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_percent_decoding)
{
	se_route_match m;
	ck_assert_int_eq(match("GET", "/v1/things/%41bc%2d%7E", &m), 0);
	ck_assert_str_eq(se_route_param(&m, "thing_id"), "Abc-~");
	/* An encoded slash stays inside its segment. */
	ck_assert_int_eq(match("GET", "/v1/things/a%2Fb", &m), 0);
	ck_assert_uint_eq(m.index, 2);
	ck_assert_str_eq(se_route_param(&m, "thing_id"), "a/b");
	/* '+' is not a space in a path. */
	ck_assert_int_eq(match("GET", "/v1/things/a+b", &m), 0);
	ck_assert_str_eq(se_route_param(&m, "thing_id"), "a+b");
	/* UTF-8 passes through. */
	ck_assert_int_eq(match("GET", "/v1/things/%C3%A9", &m), 0);
	ck_assert_str_eq(se_route_param(&m, "thing_id"), "\xc3\xa9");
	/* Literal segments are compared raw: an encoded literal is not that literal. */
	ck_assert_int_eq(match("GET", "/v1/thing%73", &m), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_bad_escapes)
{
	se_route_match m;
	ck_assert_int_eq(match("GET", "/v1/things/%zz", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/things/%4", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/things/abc%", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("GET", "/v1/things/%g1", &m), SE_ENOTFOUND);
	/* An embedded NUL would cut the id short. */
	ck_assert_int_eq(match("GET", "/v1/things/a%00b", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("PUT", "/v1/orgs/acme/connections/%0", &m), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_method_mismatch)
{
	se_route_match m;
	ck_assert_int_eq(match("POST", "/v1/things", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("get", "/v1/things", &m), SE_ENOTFOUND);
	ck_assert_int_eq(match("PATCH", "/v1/things/x", &m), SE_ENOTFOUND);
	/* The same pattern under two methods: each finds its own row. */
	ck_assert_int_eq(match("DELETE", "/v1/things/x", &m), 0);
	ck_assert_uint_eq(m.index, 3);
	ck_assert_int_eq(match("GET", "/v1/things/x", &m), 0);
	ck_assert_uint_eq(m.index, 2);
}
END_TEST

START_TEST(test_long_segment)
{
	se_route_match m;
	char path[1024];
	char seg[SE_ROUTE_PARAM_MAX + 2];
	/* The longest segment that fits. */
	memset(seg, 'a', SE_ROUTE_PARAM_MAX - 1);
	seg[SE_ROUTE_PARAM_MAX - 1] = '\0';
	snprintf(path, sizeof path, "/v1/things/%s", seg);
	ck_assert_int_eq(match("GET", path, &m), 0);
	ck_assert_uint_eq(strlen(se_route_param(&m, "thing_id")), SE_ROUTE_PARAM_MAX - 1);
	/* One more byte is refused, not truncated. */
	memset(seg, 'a', SE_ROUTE_PARAM_MAX);
	seg[SE_ROUTE_PARAM_MAX] = '\0';
	snprintf(path, sizeof path, "/v1/things/%s", seg);
	ck_assert_int_eq(match("GET", path, &m), SE_ENOTFOUND);
	/* Length counts before decoding. */
	char enc[3 * SE_ROUTE_PARAM_MAX];
	enc[0] = '\0';
	for (int i = 0; i < 100; i++)
		strcat(enc, "%41");
	snprintf(path, sizeof path, "/v1/things/%s", enc);
	ck_assert_int_eq(match("GET", path, &m), SE_ENOTFOUND);
}
END_TEST

START_TEST(test_too_many_params)
{
	static const se_route five[] = {
	    {SE_SURFACE_API, "GET", "/{a}/{b}/{c}/{d}/{e}", h_a, SE_AUTH_NONE, NULL, NULL, 0},
	};
	se_route_match m;
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(se_router_match(five, 1, "GET", "/1/2/3/4/5", &m), SE_ENOTFOUND);
	ck_assert_int_eq(se_router_match(five, 0, "GET", "/1/2/3/4/5", &m), SE_ENOTFOUND);
}
END_TEST

/* The real table: both surfaces under their prefixes, no row shadowed by an earlier one. */
START_TEST(test_route_table)
{
	ck_assert_uint_gt(se_routes_count, 0);
	for (size_t i = 0; i < se_routes_count; i++) {
		const se_route *r = &se_routes[i];
		ck_assert(r->handler != NULL);
		ck_assert_ptr_nonnull(r->method);
		ck_assert_msg((r->resource == NULL) == (r->action == NULL),
		              "row %zu %s: resource and action go together", i, r->pattern);
		if (r->surface == SE_SURFACE_SDK)
			ck_assert_msg(strncmp(r->pattern, "/sdk/v1/", 8) == 0, "SDK row %s", r->pattern);
		else if (r->surface == SE_SURFACE_IDP)
			ck_assert_msg(strncmp(r->pattern, "/_emulator/idp/", 15) == 0, "IdP row %s", r->pattern);
		else
			ck_assert_msg(strncmp(r->pattern, "/v1/", 4) == 0, "API row %s", r->pattern);
		/* A concrete path for the row: every {param} becomes a value no literal uses. */
		char path[512] = "";
		for (const char *p = r->pattern; *p;) {
			if (*p == '{') {
				strcat(path, "Value-Of-A-Param");
				p = strchr(p, '}');
				ck_assert_ptr_nonnull(p);
				p++;
			} else {
				size_t n = strlen(path);
				path[n] = *p++;
				path[n + 1] = '\0';
			}
		}
		se_route_match m;
		memset(&m, 0, sizeof m);
		ck_assert_msg(se_router_match(se_routes, se_routes_count, r->method, path, &m) == 0,
		              "row %zu %s %s does not match itself", i, r->method, r->pattern);
		ck_assert_msg(m.index == i, "row %zu %s %s is shadowed by row %zu %s", i, r->method, r->pattern,
		              m.index, m.route->pattern);
		/* Backend rows that check RBAC find their organization in the path. */
		if (r->surface == SE_SURFACE_API && r->resource)
			ck_assert_msg(strstr(r->pattern, "{organization_id}") != NULL,
			              "API row %s has no {organization_id}", r->pattern);
	}
}
END_TEST

START_TEST(test_route_table_lookups)
{
	se_route_match m;
	memset(&m, 0, sizeof m);
	ck_assert_int_eq(se_router_match(se_routes, se_routes_count, "GET", "/v1/b2b/sso/acme", &m), 0);
	ck_assert_int_eq(m.route->surface, SE_SURFACE_API);
	ck_assert_str_eq(se_route_param(&m, "organization_id"), "acme");
	ck_assert_str_eq(m.route->resource, "stytch.sso");
	ck_assert_str_eq(m.route->action, "get");

	ck_assert_int_eq(se_router_match(se_routes, se_routes_count, "POST", "/sdk/v1/b2b/sso/saml", &m), 0);
	ck_assert_int_eq(m.route->surface, SE_SURFACE_SDK);
	ck_assert_str_eq(m.route->action, "create");
	ck_assert_uint_eq(m.n_params, 0);

	ck_assert_int_eq(
	    se_router_match(se_routes, se_routes_count, "DELETE", "/sdk/v1/b2b/sso/saml-connection-test-x", &m), 0);
	ck_assert_str_eq(se_route_param(&m, "connection_id"), "saml-connection-test-x");
	ck_assert_str_eq(m.route->action, "delete");

	ck_assert_int_eq(se_router_match(se_routes, se_routes_count, "POST", "/sdk/v1/events", &m), 0);
	ck_assert_int_eq(m.route->auth, SE_AUTH_NONE);

	ck_assert_int_eq(se_router_match(se_routes, se_routes_count, "GET", "/v1/b2b/nothing", &m), SE_ENOTFOUND);
	ck_assert_int_eq(se_router_match(se_routes, se_routes_count, "OPTIONS", "/v1/b2b/sso/acme", &m), SE_ENOTFOUND);
}
END_TEST

static Suite *router_suite(void)
{
	Suite *s = suite_create("router");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_static);
	tcase_add_test(tc, test_no_partial_match);
	tcase_add_test(tc, test_params);
	tcase_add_test(tc, test_empty_param);
	tcase_add_test(tc, test_percent_decoding);
	tcase_add_test(tc, test_bad_escapes);
	tcase_add_test(tc, test_method_mismatch);
	tcase_add_test(tc, test_long_segment);
	tcase_add_test(tc, test_too_many_params);
	tcase_add_test(tc, test_route_table);
	tcase_add_test(tc, test_route_table_lookups);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(router_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
