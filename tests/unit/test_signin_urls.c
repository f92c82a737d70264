/* Unit tests for signin/urls.c: self URLs (Rule A), redirect URL rules (section 4.4), query building. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "signin/urls.h"

START_TEST(self_urls)
{
	se_config cfg = {.host = "127.0.0.1", .port = 0, .bound_port = 4321, .public_url = "https://test.stytch.com"};
	const char *self[][2] = {{"/a/b?x=1", "/a/b?x=1"},
	                         {"https://test.stytch.com/v1/b2b/sso/callback/c", "/v1/b2b/sso/callback/c"},
	                         {"http://localhost:4321/x", "/x"},
	                         {"http://127.0.0.1:4321/x?y", "/x?y"},
	                         {"http://[::1]:4321/", "/"}};
	for (size_t i = 0; i < 5; i++) {
		char *p = se_signin_self_path(&cfg, self[i][0]);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p, self[i][1]);
		free(p);
	}
	const char *other[] = {"http://localhost:4322/x", "https://127.0.0.1:4321/x",  "https://test.stytch.com:8443/x",
	                       "//evil.example/x",        "http://evil.example:4321/", "",
	                       "javascript:alert(1)"};
	for (size_t i = 0; i < 7; i++)
		ck_assert_ptr_null(se_signin_self_path(&cfg, other[i]));
}
END_TEST

START_TEST(redirect_rules)
{
	json_t *urls = json_pack("[{s:s, s:[{s:s, s:b}]}, {s:s, s:[{s:s, s:b}]}]", "url",
	                         "https://app.example/auth?a=1", "valid_types", "type", "LOGIN", "is_default", 1, "url",
	                         "https://app.example/new", "valid_types", "type", "SIGNUP", "is_default", 0);
	se_signin_settings s = {.redirect_urls = urls, .allow_loopback_redirect_urls = true};
	ck_assert_int_eq(se_signin_redirect_check(&s, "https://app.example/auth?a=1", false), SE_ERR_NONE);
	ck_assert_int_eq(se_signin_redirect_check(&s, "HTTPS://www.APP.example:443/auth?a=1", false), SE_ERR_NONE);
	ck_assert_int_eq(se_signin_redirect_check(&s, "https://app.example/auth?a=2", false),
	                 SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL);
	ck_assert_int_eq(se_signin_redirect_check(&s, "https://app.example/new", false),
	                 SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL);
	ck_assert_int_eq(se_signin_redirect_check(&s, "https://app.example/new", true), SE_ERR_NONE);
	ck_assert_int_eq(se_signin_redirect_check(&s, "http://localhost:1234/any?q", true), SE_ERR_NONE);
	ck_assert_int_eq(se_signin_redirect_check(&s, "ftp://app.example/auth", false),
	                 SE_ERR_SI_INVALID_LOGIN_SSO_URL);
	ck_assert_int_eq(se_signin_redirect_check(&s, "https://app.example/auth#f", true),
	                 SE_ERR_SI_INVALID_SIGNUP_SSO_URL);
	char longurl[2100] = "https://app.example/";
	memset(longurl + strlen(longurl), 'a', 2049 - strlen(longurl));
	longurl[2049] = '\0';
	ck_assert_int_eq(se_signin_redirect_check(&s, longurl, false), SE_ERR_SI_INVALID_LOGIN_SSO_URL);
	s.allow_loopback_redirect_urls = false;
	ck_assert_int_eq(se_signin_redirect_check(&s, "http://localhost:1234/any", true),
	                 SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL);
	ck_assert_str_eq(se_signin_redirect_default(&s, false), "https://app.example/auth?a=1");
	ck_assert_ptr_null(se_signin_redirect_default(&s, true));
	json_decref(urls);
}
END_TEST

START_TEST(query_building)
{
	const char *cases[][2] = {{"https://a/b", "https://a/b?t=1"},
	                          {"https://a/b?x=2", "https://a/b?x=2&t=1"},
	                          {"https://a/b?", "https://a/b?t=1"},
	                          {"https://a/b#frag", "https://a/b?t=1#frag"}};
	for (size_t i = 0; i < 4; i++) {
		char *u = se_signin_url_add(cases[i][0], "t=1");
		ck_assert_str_eq(u, cases[i][1]);
		free(u);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signin_urls");
	TCase *tc = tcase_create("urls");
	tcase_add_test(tc, self_urls);
	tcase_add_test(tc, redirect_rules);
	tcase_add_test(tc, query_building);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
