/* Unit tests for mask.c: what counts as a credential, escaping for log lines, masked paths. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "testutil.h"

static bool secret(const char *v, const char *const *known)
{
	return se_mask_is_secret(v, strlen(v), known);
}

/* Whether s is valid UTF-8 without control bytes. */
static bool clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		size_t n = *p < 0x80             ? 1
		           : (*p & 0xe0) == 0xc0 ? 2
		           : (*p & 0xf0) == 0xe0 ? 3
		           : (*p & 0xf8) == 0xf0 ? 4
		                                 : 0;
		if (n == 0)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

START_TEST(test_shapes)
{
	const char *known[] = {"my-own-secret-value", NULL};
	ck_assert(secret("secret-test-ssoemu-local-secret-0000000000000", NULL));
	ck_assert(secret("public-token-test-11111111-1111-4111-8111-111111111111", NULL));
	ck_assert(secret("session-acme-admin", NULL));
	ck_assert(secret("session-test-SR0fX1obCZV53SmH1ioQjGNckRv4f1miUfAxGy3h", NULL));
	ck_assert(secret("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln", NULL));
	ck_assert(secret("abc.def.ghijklmnopqrstuvwxyz", NULL));
	ck_assert(secret("Zq8v2LrT0mWc5XyB7nK3pD9sF1hJ4gA6eR0tU2iO8wQ5zX7c", NULL)); /* a SCIM bearer token */
	ck_assert(secret("my-own-secret-value", known));
	ck_assert(secret("prefix-my-own-secret-value", known));
	ck_assert(secret("secret%2Dtest-x", NULL)); /* escaped */
	/* Ids, slugs and words are not credentials. */
	ck_assert(!secret("organization-test-aaaaaaaa-0000-4000-8000-000000000001", NULL));
	ck_assert(!secret("saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001", NULL));
	ck_assert(!secret("acme", NULL));
	ck_assert(!secret("a-very-long-organization-slug-2024", NULL));
	ck_assert(!secret("verification_certificates", NULL));
	ck_assert(!secret("", NULL));
	ck_assert(!se_mask_is_secret(NULL, 0, NULL));
	ck_assert(se_mask_sensitive_name("session_token"));
	ck_assert(se_mask_sensitive_name("X-Stytch-Member-SessionJWT"));
	ck_assert(se_mask_sensitive_name("Authorization"));
	ck_assert(se_mask_sensitive_name("client_secret"));
	ck_assert(!se_mask_sensitive_name("connection_id"));
	ck_assert(!se_mask_sensitive_name("organization_id"));
	ck_assert(!se_mask_sensitive_name(NULL));
}
END_TEST

START_TEST(test_escape)
{
	char buf[64];
	const char in[] = "a\x1b[31m\x07\\b\xff\xc3\xa4\x7f";
	size_t n = se_mask_escape(buf, sizeof buf, in, sizeof in - 1);
	ck_assert_str_eq(buf, "a\\x1b[31m\\x07\\x5cb\\xff\xc3\xa4\\x7f");
	ck_assert_uint_eq(n, strlen(buf));
	/* Overlong and surrogate forms are not UTF-8. */
	se_mask_escape(buf, sizeof buf, "\xc0\xaf\xed\xa0\x80", 5);
	ck_assert_str_eq(buf, "\\xc0\\xaf\\xed\\xa0\\x80");
	/* Cut on a character boundary, marked with "...". */
	char small[16];
	const char *aa = "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4";
	n = se_mask_escape(small, sizeof small, aa, strlen(aa));
	ck_assert(clean(small));
	ck_assert_uint_lt(n, sizeof small);
	ck_assert_str_eq(small + n - 3, "...");
	ck_assert_uint_eq((n - 3) % 2, 0);
	n = se_mask_escape(small, sizeof small, "\x01\x01\x01\x01\x01", 5);
	ck_assert_uint_lt(n, sizeof small);
	ck_assert(clean(small));
	se_mask_escape(small, sizeof small, "short", 5);
	ck_assert_str_eq(small, "short");
}
END_TEST

START_TEST(test_path)
{
	const char *known[] = {"public-token-x", NULL};
	char *p = se_mask_path("/v1/b2b/sso/secret-test-abc", "/v1/b2b/sso/{organization_id}", NULL, 256);
	ck_assert_str_eq(p, "/v1/b2b/sso/[redacted]");
	free(p);
	p = se_mask_path("/_emulator/sessions/anything", "/_emulator/sessions/{session_token}", NULL, 256);
	ck_assert_str_eq(p, "/_emulator/sessions/[redacted]");
	free(p);
	p = se_mask_path("/sdk/v1/projects/bootstrap/public-token-x/extra", NULL, known, 256);
	ck_assert_str_eq(p, "/sdk/v1/projects/bootstrap/[redacted]/extra");
	free(p);
	p = se_mask_path("/v1/b2b/sso/acme/connections/saml-connection-test-1",
	                 "/v1/b2b/sso/{organization_id}/connections/{connection_id}", NULL, 256);
	ck_assert_str_eq(p, "/v1/b2b/sso/acme/connections/saml-connection-test-1");
	free(p);
	p = se_mask_path("/x/\x1b]0;title\x07", NULL, NULL, 256);
	ck_assert_str_eq(p, "/x/\\x1b]0;title\\x07");
	free(p);
	/* Long paths are cut to max on a character boundary. */
	char longp[2000] = "/";
	for (int i = 0; i < 600; i++)
		strcat(longp, "\xc3\xa4");
	p = se_mask_path(longp, NULL, NULL, 64);
	ck_assert_uint_le(strlen(p), 64);
	ck_assert(clean(p));
	ck_assert_str_eq(p + strlen(p) - 3, "...");
	free(p);
	for (int i = 0; i < 100; i++)
		strcat(longp, "/\xff");
	p = se_mask_path(longp + 1200, NULL, NULL, 40);
	ck_assert_uint_le(strlen(p), 40);
	ck_assert(clean(p));
	free(p);
	/* Many short segments of two-byte characters: the cut never splits one. */
	for (size_t max = 32; max < 80; max++) {
		p = se_mask_path("/\xc3\xa4/\xc3\xa4\xc3\xa4/\xc3\xa4\xc3\xa4\xc3\xa4/\xc3\xa4/\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4/"
				 "\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4/\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4\xc3\xa4",
				 NULL, NULL, max);
		ck_assert_uint_le(strlen(p), max);
		ck_assert(clean(p));
		free(p);
	}
	p = se_mask_path("", NULL, NULL, 10);
	ck_assert_str_eq(p, "");
	free(p);
	p = se_mask_path(NULL, NULL, NULL, 10);
	ck_assert_str_eq(p, "");
	free(p);
}
END_TEST

static Suite *mask_suite(void)
{
	Suite *s = suite_create("mask");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_shapes);
	tcase_add_test(tc, test_escape);
	tcase_add_test(tc, test_path);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(mask_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
