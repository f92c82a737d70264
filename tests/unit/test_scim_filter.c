/* Unit tests for scim/filter.c: a table of filters from RFC 7644 3.4.2.2 and from Okta's and Entra's
 * documented requests, each matched against sample resources, and a table of filters that must be
 * refused with invalidFilter. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "scim/filter.h"

static const char *const user_json =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"id\":\"member-test-1\","
    "\"externalId\":\"00u1a2b3c4d5e6f7g8h9\",\"userName\":\"Dana@Acme.test\",\"title\":\"Tour Guide\","
    "\"userType\":\"Employee\",\"active\":true,\"name\":{\"givenName\":\"Dana\",\"familyName\":\"Lee\"},"
    "\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true},"
    "{\"value\":\"dana@home.test\",\"type\":\"home\"}],"
    "\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"manager\":{\"value\":\"member-test-boss\"},"
    "\"employeeNumber\":\"701984\"},"
    "\"meta\":{\"resourceType\":\"User\",\"created\":\"2011-08-01T18:29:49Z\",\"lastModified\":\"2011-08-02T18:29:"
    "49Z\"}}";

static const char *const group_json =
    "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],\"id\":\"scim-group-test-1\","
    "\"displayName\":\"Engineering\",\"externalId\":\"5f0c\",\"members\":[{\"value\":\"member-test-1\","
    "\"display\":\"dana@acme.test\"}]}";

typedef struct row {
	const char *filter;
	bool user_match;
} row;

static const row user_rows[] = {
    /* RFC 7644 3.4.2.2 examples. */
    {"userName eq \"dana@acme.test\"", true},
    {"userName Eq \"DANA@ACME.TEST\"", true},
    {"name.familyName co \"ee\"", true},
    {"userName sw \"D\"", true},
    {"userName ew \".test\"", true},
    {"title pr", true},
    {"nickName pr", false},
    {"meta.lastModified gt \"2011-05-13T04:42:34Z\"", true},
    {"meta.lastModified ge \"2011-08-02T18:29:49Z\"", true},
    {"meta.lastModified lt \"2011-05-13T04:42:34Z\"", false},
    {"meta.lastModified le \"2011-05-13T04:42:34Z\"", false},
    {"title pr and userType eq \"Employee\"", true},
    {"title pr or userType eq \"Intern\"", true},
    {"userType eq \"Employee\" and (emails co \"example.com\" or emails.value co \"acme.test\")", true},
    {"userType ne \"Employee\" and not (emails co \"example.com\" or emails.value co \"example.org\")", false},
    {"userType eq \"Employee\" and (emails.type eq \"work\")", true},
    {"userType eq \"Employee\" and emails[type eq \"work\" and value co \"@acme.test\"]", true},
    {"emails[type eq \"work\" and value co \"@example.com\"] or ims[type eq \"xmpp\" and value co \"@foo.com\"]",
     false},
    /* Okta. */
    {"userName eq \"dana@acme.test\"", true},
    {"externalId eq \"00u1a2b3c4d5e6f7g8h9\"", true},
    {"externalId eq \"00U1A2B3C4D5E6F7G8H9\"", false}, /* externalId is caseExact */
    {"id eq \"member-test-1\"", true},
    {"emails[type eq \"work\"].value eq \"dana@acme.test\"", true},
    {"emails[type eq \"home\"].value eq \"dana@acme.test\"", false},
    {"emails.value eq \"dana@home.test\"", true},
    {"emails eq \"dana@acme.test\"", true},
    /* Entra. */
    {"externalId eq 00u1a2b3c4d5e6f7g8h9", true},
    {"id eq \"member-test-1\" and manager eq \"member-test-boss\"", true},
    {"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq \"701984\"", true},
    {"urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"dana@acme.test\"", true},
    {"userName eq \"4d5f9f9c-9b1e-4c1e-8a57-2a3d9c6f0e11\"", false},
    /* Semantics chosen in SCIM.md 3.7. */
    {"nickName ne \"x\"", true},
    {"nickName eq \"x\"", false},
    {"unknownAttr eq \"x\"", false},
    {"active eq true", true},
    {"active eq false", false},
    {"not (active eq false)", true},
    {"emails[primary eq true].value eq \"dana@acme.test\"", true},
};

typedef struct bad {
	const char *filter;
	const char *detail_part;
} bad;

static const bad bad_rows[] = {
    {"", "expression is missing"},
    {"userName", "operator is missing"},
    {"userName zz \"a\"", "unknown operator"},
    {"userName eq", "value is missing"},
    {"(userName eq \"a\"", "')' expected"},
    {"userName eq \"a\")", "unexpected text"},
    {"userName eq \"a\" and", "expression is missing"},
    {"emails[type eq \"work\"", "']' expected"},
    {"emails[type eq \"work\"].", "sub-attribute"},
    {"active gt true", "does not apply"},
    {"userName co 12", "does not apply"},
    {"userName eq \"unterminated", "unterminated string"},
    {"\"a\" eq userName", "attribute path"},
    {"emails[type[x eq 1] eq 2]", "cannot nest"},
    {"urn:nothing:here eq 1", "attribute path"},
    {"name.givenName.x eq \"a\"", "attribute path"},
};

START_TEST(test_user_table)
{
	json_t *user = json_loads(user_json, 0, NULL);
	ck_assert_ptr_nonnull(user);
	const row *r = &user_rows[_i];
	se_scim_filter *f = NULL;
	se_scim_error e = {0};
	int rc = se_scim_filter_parse(&se_scim_user_type, NULL, r->filter, strlen(r->filter), &f, &e);
	ck_assert_msg(rc == 0, "%s: %s", r->filter, e.detail);
	ck_assert_msg(se_scim_filter_match(f, user) == r->user_match, "%s should %smatch", r->filter,
	              r->user_match ? "" : "not ");
	se_scim_filter_free(f);
	json_decref(user);
}
END_TEST

START_TEST(test_bad_table)
{
	const bad *b = &bad_rows[_i];
	se_scim_filter *f = NULL;
	se_scim_error e = {0};
	ck_assert_msg(se_scim_filter_parse(&se_scim_user_type, NULL, b->filter, strlen(b->filter), &f, &e) < 0,
	              "%s was accepted", b->filter);
	ck_assert_int_eq(e.status, 400);
	ck_assert_str_eq(e.scim_type, "invalidFilter");
	ck_assert_msg(strstr(e.detail, b->detail_part) != NULL, "%s: detail %s lacks %s", b->filter, e.detail,
	              b->detail_part);
	ck_assert_ptr_null(f);
}
END_TEST

START_TEST(test_offsets_named)
{
	se_scim_filter *f = NULL;
	se_scim_error e = {0};
	const char *t = "userName eq \"a\" zz";
	ck_assert_int_lt(se_scim_filter_parse(&se_scim_user_type, NULL, t, strlen(t), &f, &e), 0);
	ck_assert_msg(strstr(e.detail, "offset 16") && strstr(e.detail, "zz"), "%s", e.detail);
}
END_TEST

START_TEST(test_groups)
{
	json_t *g = json_loads(group_json, 0, NULL);
	static const char *const yes[] = {"displayName eq \"engineering\"", "members.value eq \"member-test-1\"",
	                                  "members eq \"member-test-1\"", "externalId eq \"5f0c\"",
	                                  "displayName eq \"Engineering\" and members[value eq \"member-test-1\"]"};
	static const char *const no[] = {"displayName eq \"Sales\"", "members.value eq \"member-test-2\"",
	                                 "externalId eq \"5F0C\""};
	for (size_t i = 0; i < sizeof yes / sizeof yes[0] + sizeof no / sizeof no[0]; i++) {
		bool want = i < sizeof yes / sizeof yes[0];
		const char *t = want ? yes[i] : no[i - sizeof yes / sizeof yes[0]];
		se_scim_filter *f = NULL;
		se_scim_error e = {0};
		ck_assert_msg(se_scim_filter_parse(&se_scim_group_type, NULL, t, strlen(t), &f, &e) == 0, "%s: %s", t,
		              e.detail);
		ck_assert_msg(se_scim_filter_match(f, g) == want, "%s", t);
		se_scim_filter_free(f);
	}
	json_decref(g);
}
END_TEST

START_TEST(test_limits)
{
	se_scim_filter *f = NULL;
	se_scim_error e = {0};
	char *buf = malloc(SE_SCIM_FILTER_MAX_LEN + 2);
	memset(buf, 'a', SE_SCIM_FILTER_MAX_LEN + 1);
	buf[SE_SCIM_FILTER_MAX_LEN + 1] = '\0';
	ck_assert_int_lt(se_scim_filter_parse(&se_scim_user_type, NULL, buf, strlen(buf), &f, &e), 0);
	ck_assert_str_eq(e.scim_type, "invalidFilter");
	ck_assert(strstr(e.detail, "longer than 4096"));
	free(buf);

	/* 32 levels of parentheses pass, 33 do not. */
	char deep[512] = "";
	for (int levels = 31; levels <= 33; levels += 2) {
		deep[0] = '\0';
		for (int i = 0; i < levels; i++)
			strcat(deep, "(");
		strcat(deep, "title pr");
		for (int i = 0; i < levels; i++)
			strcat(deep, ")");
		int rc = se_scim_filter_parse(&se_scim_user_type, NULL, deep, strlen(deep), &f, &e);
		if (levels == 31) {
			ck_assert_int_eq(rc, 0);
			se_scim_filter_free(f);
		} else {
			ck_assert_int_lt(rc, 0);
			ck_assert(strstr(e.detail, "deeper than 32"));
		}
	}
	/* 100 comparisons pass, 101 do not. */
	for (int n = 100; n <= 101; n++) {
		size_t cap = (size_t)n * 24 + 1;
		char *t = calloc(1, cap);
		for (int i = 0; i < n; i++)
			strcat(t, i ? " or title eq \"x\"" : "title eq \"x\"");
		int rc = se_scim_filter_parse(&se_scim_user_type, NULL, t, strlen(t), &f, &e);
		if (n == 100) {
			ck_assert_int_eq(rc, 0);
			se_scim_filter_free(f);
		} else {
			ck_assert_int_lt(rc, 0);
			ck_assert(strstr(e.detail, "more than 100 comparisons"));
		}
		free(t);
	}
}
END_TEST

START_TEST(test_eq_terms)
{
	se_scim_filter *f = NULL;
	se_scim_error e = {0};
	const char *t = "type eq \"work\" and primary eq true";
	const se_scim_attr *emails = se_scim_attr_find(&se_scim_user_schema, "emails", 6);
	ck_assert_int_eq(se_scim_filter_parse(&se_scim_user_type, emails, t, strlen(t), &f, &e), 0);
	json_t *o = json_object();
	ck_assert_int_eq(se_scim_filter_eq_terms(f, o), 0);
	ck_assert_str_eq(json_string_value(json_object_get(o, "type")), "work");
	ck_assert(json_is_true(json_object_get(o, "primary")));
	json_decref(o);
	se_scim_filter_free(f);
	t = "type ne \"work\"";
	ck_assert_int_eq(se_scim_filter_parse(&se_scim_user_type, emails, t, strlen(t), &f, &e), 0);
	o = json_object();
	ck_assert_int_lt(se_scim_filter_eq_terms(f, o), 0);
	json_decref(o);
	se_scim_filter_free(f);
}
END_TEST

static Suite *filter_suite(void)
{
	Suite *s = suite_create("scim_filter");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_user_table, 0, (int)(sizeof user_rows / sizeof user_rows[0]));
	tcase_add_loop_test(tc, test_bad_table, 0, (int)(sizeof bad_rows / sizeof bad_rows[0]));
	tcase_add_test(tc, test_offsets_named);
	tcase_add_test(tc, test_groups);
	tcase_add_test(tc, test_limits);
	tcase_add_test(tc, test_eq_terms);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(filter_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
