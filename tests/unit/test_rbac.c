/* Unit tests for rbac.c: permission checks under the default and custom policies, role lookup and
 * policy validation naming the offending field. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "model/rbac.h"
#include "testutil.h"

static json_t *default_policy(void)
{
	json_t *doc = t_default_fixtures();
	json_t *policy = json_incref(json_object_get(doc, "rbac_policy"));
	json_decref(doc);
	ck_assert_ptr_nonnull(policy);
	return policy;
}

static json_t *roles(const char *json)
{
	json_t *r = json_loads(json, 0, NULL);
	ck_assert_ptr_nonnull(r);
	return r;
}

START_TEST(test_wildcard)
{
	json_t *p = default_policy(), *admin = roles("[\"stytch_admin\"]");
	static const char *const actions[] = {"create", "get", "update", "delete", "anything"};
	for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		ck_assert(se_rbac_allows(p, admin, "stytch.sso", actions[i]));
		ck_assert(se_rbac_allows(p, admin, "stytch.scim", actions[i]));
	}
	/* '*' grants every action of its resource, not other resources. */
	ck_assert(!se_rbac_allows(p, admin, "stytch.custom-org-roles", "get"));
	ck_assert(se_rbac_allows(p, admin, "stytch.member", "get"));
	ck_assert(se_rbac_allows(p, admin, "stytch.organization", "update.settings.default-sso-connection"));
	ck_assert(!se_rbac_allows(p, admin, "stytch.ss", "get"));
	json_decref(admin);
	json_decref(p);
}
END_TEST

START_TEST(test_complete_adds_defaults)
{
	json_t *given = json_loads("{\"roles\": [{\"role_id\": \"stytch_admin\", \"permissions\": [{\"resource_id\": "
				   "\"stytch.sso\", \"actions\": [\"*\"]}]}, {\"role_id\": \"viewer\", \"permissions\": "
				   "[{\"resource_id\": \"stytch.sso\", \"actions\": [\"get\"]}]}]}",
				   0, NULL);
	json_t *full = NULL, *again = NULL;
	ck_assert_ptr_nonnull(given);
	ck_assert_int_eq(se_rbac_policy_complete(given, &full), 0);
	/* Every default resource with its reserved actions, described; a scopes list. */
	static const char *const resources[] = {"stytch.organization", "stytch.member", "stytch.self", "stytch.sso",
						"stytch.scim"};
	json_t *list = json_object_get(full, "resources");
	ck_assert_int_eq(json_array_size(list), 5);
	for (size_t i = 0; i < 5; i++) {
		json_t *res = json_array_get(list, i);
		ck_assert_str_eq(json_string_value(json_object_get(res, "resource_id")), resources[i]);
		ck_assert(json_string_length(json_object_get(res, "description")) > 0);
		ck_assert(json_array_size(json_object_get(res, "actions")) > 0);
	}
	ck_assert(json_is_array(json_object_get(full, "scopes")));
	/* stytch_member is added; stytch_admin keeps its own and gains Stytch's; viewer stays as it was. */
	json_t *member = roles("[]"), *admin = roles("[\"stytch_admin\"]"), *viewer = roles("[\"viewer\"]");
	ck_assert(se_rbac_role_exists(full, "stytch_member"));
	ck_assert(se_rbac_allows(full, member, "stytch.self", "update.info.name"));
	ck_assert(!se_rbac_allows(full, member, "stytch.organization", "update.info.name"));
	ck_assert(se_rbac_allows(full, admin, "stytch.organization", "update.info.slug"));
	ck_assert(se_rbac_allows(full, admin, "stytch.member", "search"));
	ck_assert(se_rbac_allows(full, viewer, "stytch.sso", "get"));
	ck_assert(!se_rbac_allows(full, viewer, "stytch.sso", "update"));
	size_t i;
	json_t *role;
	json_array_foreach(json_object_get(full, "roles"), i, role) {
		ck_assert(json_is_string(json_object_get(role, "description")));
	}
	/* Completing twice changes nothing. */
	ck_assert_int_eq(se_rbac_policy_complete(full, &again), 0);
	ck_assert(json_equal(full, again));
	json_decref(member);
	json_decref(admin);
	json_decref(viewer);
	json_decref(again);
	json_decref(full);
	json_decref(given);
}
END_TEST

START_TEST(test_specific_actions)
{
	json_t *p = default_policy(), *carol = roles("[\"sso_manager\"]");
	ck_assert(se_rbac_allows(p, carol, "stytch.sso", "create"));
	ck_assert(se_rbac_allows(p, carol, "stytch.sso", "get"));
	ck_assert(se_rbac_allows(p, carol, "stytch.sso", "update"));
	ck_assert(!se_rbac_allows(p, carol, "stytch.sso", "delete"));
	ck_assert(!se_rbac_allows(p, carol, "stytch.sso", "*"));
	ck_assert(!se_rbac_allows(p, carol, "stytch.scim", "get"));
	ck_assert(!se_rbac_allows(p, carol, "stytch.scim", "create"));
	/* Roles add up. */
	json_t *both = roles("[\"sso_manager\", \"stytch_admin\"]");
	ck_assert(se_rbac_allows(p, both, "stytch.scim", "delete"));
	json_decref(both);
	json_decref(carol);
	json_decref(p);
}
END_TEST

START_TEST(test_member_only)
{
	json_t *p = default_policy(), *none = roles("[]");
	ck_assert(!se_rbac_allows(p, none, "stytch.sso", "get"));
	ck_assert(!se_rbac_allows(p, none, "stytch.scim", "get"));
	ck_assert(!se_rbac_allows(p, NULL, "stytch.sso", "get"));
	json_decref(none);
	json_decref(p);
}
END_TEST

START_TEST(test_stytch_member_implicit)
{
	/* A project whose stytch_member may read SSO connections: every member can, without holding it. */
	json_t *p = roles("{\"roles\": [{\"role_id\": \"stytch_member\", \"permissions\": [{\"resource_id\": "
	                  "\"stytch.sso\", \"actions\": [\"get\"]}]}, {\"role_id\": \"writer\", \"permissions\": "
	                  "[{\"resource_id\": \"stytch.sso\", \"actions\": [\"create\"]}]}], \"resources\": []}");
	json_t *none = roles("[]"), *writer = roles("[\"writer\"]");
	ck_assert(se_rbac_allows(p, none, "stytch.sso", "get"));
	ck_assert(se_rbac_allows(p, NULL, "stytch.sso", "get"));
	ck_assert(!se_rbac_allows(p, none, "stytch.sso", "create"));
	ck_assert(se_rbac_allows(p, writer, "stytch.sso", "create"));
	ck_assert(se_rbac_allows(p, writer, "stytch.sso", "get"));
	ck_assert(!se_rbac_allows(p, writer, "stytch.sso", "delete"));
	json_decref(writer);
	json_decref(none);
	json_decref(p);
}
END_TEST

START_TEST(test_unknown_role)
{
	json_t *p = default_policy();
	json_t *ghost = roles("[\"ghost\"]"), *odd = roles("[1, null, {\"role_id\": \"stytch_admin\"}]");
	ck_assert(!se_rbac_allows(p, ghost, "stytch.sso", "get"));
	/* Entries that are not role ids grant nothing. */
	ck_assert(!se_rbac_allows(p, odd, "stytch.sso", "get"));
	/* Without a policy nothing is allowed. */
	json_t *admin = roles("[\"stytch_admin\"]");
	ck_assert(!se_rbac_allows(NULL, admin, "stytch.sso", "get"));
	json_decref(admin);
	json_decref(odd);
	json_decref(ghost);
	json_decref(p);
}
END_TEST

START_TEST(test_role_exists)
{
	json_t *p = default_policy();
	ck_assert(se_rbac_role_exists(p, "stytch_member"));
	ck_assert(se_rbac_role_exists(p, "stytch_admin"));
	ck_assert(se_rbac_role_exists(p, "sso_manager"));
	ck_assert(!se_rbac_role_exists(p, "ghost"));
	ck_assert(!se_rbac_role_exists(p, "STYTCH_ADMIN"));
	ck_assert(!se_rbac_role_exists(p, ""));
	ck_assert(!se_rbac_role_exists(p, NULL));
	json_decref(p);
}
END_TEST

/* Validates a policy given as JSON text; want NULL means valid, else the field named. */
static void expect_policy(const char *json, const char *want)
{
	json_t *p = json ? json_loads(json, 0, NULL) : NULL;
	ck_assert_msg(!json || p, "bad test JSON %s", json);
	char *field = NULL;
	int r = se_rbac_policy_validate(p, &field);
	if (!want) {
		ck_assert_msg(r == 0, "%s: refused (%s)", json, field ? field : "?");
		ck_assert_ptr_null(field);
	} else {
		ck_assert_msg(r == SE_EINVAL, "%s: accepted", json);
		ck_assert_ptr_nonnull(field);
		ck_assert_msg(strcmp(field, want) == 0, "%s: named %s, expected %s", json, field, want);
	}
	free(field);
	json_decref(p);
}

START_TEST(test_policy_validate)
{
	json_t *p = default_policy();
	char *field = NULL;
	ck_assert_int_eq(se_rbac_policy_validate(p, &field), 0);
	ck_assert_ptr_null(field);
	json_decref(p);

	expect_policy("{\"roles\": []}", NULL);
	expect_policy("{\"roles\": [{\"role_id\": \"r\"}]}", NULL);
	expect_policy(NULL, "rbac_policy");
	expect_policy("[]", "rbac_policy");
	expect_policy("{}", "rbac_policy.roles");
	expect_policy("{\"roles\": {}}", "rbac_policy.roles");
	expect_policy("{\"roles\": [{\"role_id\": \"a\"}, {\"permissions\": []}]}", "rbac_policy.roles[1].role_id");
	expect_policy("{\"roles\": [{\"role_id\": \"\"}]}", "rbac_policy.roles[0].role_id");
	expect_policy("{\"roles\": [{\"role_id\": 3}]}", "rbac_policy.roles[0].role_id");
	expect_policy("{\"roles\": [\"stytch_admin\"]}", "rbac_policy.roles[0].role_id");
	expect_policy("{\"roles\": [{\"role_id\": \"a\", \"permissions\": {}}]}", "rbac_policy.roles[0].permissions");
	expect_policy("{\"roles\": [{\"role_id\": \"a\", \"permissions\": [{\"actions\": []}]}]}",
	              "rbac_policy.roles[0].permissions[0].resource_id");
	expect_policy(
	    "{\"roles\": [{\"role_id\": \"a\", \"permissions\": [{\"resource_id\": \"x\", \"actions\": [\"*\"]}, "
	    "{\"resource_id\": \"y\"}]}]}",
	    "rbac_policy.roles[0].permissions[1].actions");
	expect_policy(
	    "{\"roles\": [{\"role_id\": \"a\"}, {\"role_id\": \"b\", \"permissions\": [{\"resource_id\": \"x\", "
	    "\"actions\": [\"get\", 5]}]}]}",
	    "rbac_policy.roles[1].permissions[0].actions[1]");
	expect_policy("{\"roles\": [], \"resources\": {}}", "rbac_policy.resources");
}
END_TEST

static Suite *rbac_suite(void)
{
	Suite *s = suite_create("rbac");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_wildcard);
	tcase_add_test(tc, test_complete_adds_defaults);
	tcase_add_test(tc, test_specific_actions);
	tcase_add_test(tc, test_member_only);
	tcase_add_test(tc, test_stytch_member_implicit);
	tcase_add_test(tc, test_unknown_role);
	tcase_add_test(tc, test_role_exists);
	tcase_add_test(tc, test_policy_validate);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rbac_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
