/* Unit tests for scim/patch.c: a table of PatchOp bodies from RFC 7644 3.5.2 and from Okta's and
 * Entra's documented requests, each applied to a stored document and compared with the expected
 * result, and a table of bodies that must fail with a given scimType and leave nothing changed. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "scim/patch.h"

#define ENT "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define OPS(x) "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"Operations\":[" x "]}"

static const char *const user_doc = "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\","
                                    "\"name\":{\"givenName\":\"Dana\",\"familyName\":\"Lee\"},"
                                    "\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],"
                                    "\"" ENT "\":{\"department\":\"R&D\"}}";

static const char *const group_doc =
    "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\"}]}";

typedef struct row {
	const char *name;
	bool group;
	const char *body;
	const char *expect; /* the whole document afterwards */
} row;

static const row rows[] = {
    {"Okta deactivate", false, OPS("{\"op\":\"replace\",\"value\":{\"active\":false}}"),
     "{\"userName\":\"dana@acme.test\",\"active\":false,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"}}"},
    {"Entra string boolean, capitalised op", false, OPS("{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":false,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"}}"},
    {"Entra work email by value filter", false,
     OPS("{\"op\":\"Replace\",\"path\":\"emails[type eq \\\"work\\\"].value\",\"value\":\"d@acme.test\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"d@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"}}"},
    {"add on an unmatched value path creates the element", false,
     OPS("{\"op\":\"add\",\"path\":\"emails[type eq \\\"home\\\"].value\",\"value\":\"d@home.test\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true},"
     "{\"type\":\"home\",\"value\":\"d@home.test\"}],\"" ENT "\":{\"department\":\"R&D\"}}"},
    {"Entra object of names, dotted and URN keys", false,
     OPS("{\"op\":\"Replace\",\"value\":{\"displayName\":\"D\",\"name.givenName\":\"Di\",\"" ENT
         ":employeeNumber\":\"7\"}}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"D\",\"name\":{\"givenName\":\"Di\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\",\"employeeNumber\":\"7\"}}"},
    {"Entra manager as a string", false, OPS("{\"op\":\"Add\",\"path\":\"" ENT ":manager\",\"value\":\"m9\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\",\"manager\":{\"value\":\"m9\"}}}"},
    {"Entra manager as a list, then cleared by an empty string", false,
     OPS("{\"op\":\"Replace\",\"path\":\"" ENT ":manager\",\"value\":[{\"$ref\":null,\"value\":\"m9\"}]},"
         "{\"op\":\"Replace\",\"path\":\"" ENT ":manager\",\"value\":\"\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"}}"},
    {"RFC remove of a single attribute and of the extension", false,
     OPS("{\"op\":\"remove\",\"path\":\"displayName\"},{\"op\":\"remove\",\"path\":\"" ENT ":department\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"name\":{\"givenName\":\"Dana\",\"familyName\":\"Lee\"},"
     "\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}]}"},
    {"add of a new primary clears the old one", false,
     OPS("{\"op\":\"add\",\"path\":\"emails\",\"value\":[{\"value\":\"n@acme.test\",\"type\":\"other\",\"primary\":"
         "\"True\"}]}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":false},"
     "{\"value\":\"n@acme.test\",\"type\":\"other\",\"primary\":true}],\"" ENT "\":{\"department\":\"R&D\"}}"},
    {"complex replace keeps the sub-attributes not given", false,
     OPS("{\"op\":\"replace\",\"path\":\"name\",\"value\":{\"familyName\":\"Li\"}}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Li\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"}}"},
    {"case-insensitive names are stored canonically", false,
     OPS("{\"op\":\"ADD\",\"path\":\"NICKNAME\",\"value\":\"dd\"}"),
     "{\"userName\":\"dana@acme.test\",\"active\":true,\"displayName\":\"Dana Lee\",\"name\":{\"givenName\":\"Dana\","
     "\"familyName\":\"Lee\"},\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],\"" ENT
     "\":{\"department\":\"R&D\"},\"nickName\":\"dd\"}"},
    /* Groups (SCIM.md 5). */
    {"Okta rename with id in the value", true,
     OPS("{\"op\":\"replace\",\"value\":{\"id\":\"g1\",\"displayName\":\"Eng\"}}"),
     "{\"displayName\":\"Eng\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\"}]}"},
    {"add members, one already there", true,
     OPS("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"m2\",\"display\":\"b\"},{\"value\":\"m3\",\"$"
         "ref\":null}]}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\",\"display\":\"b\"},{\"value\":"
     "\"m3\"}]}"},
    {"add members without a path", true, OPS("{\"op\":\"add\",\"value\":{\"members\":[{\"value\":\"m3\"}]}}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\"},{\"value\":\"m3\"}]}"},
    {"Okta remove by value filter", true, OPS("{\"op\":\"remove\",\"path\":\"members[value eq \\\"m1\\\"]\"}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m2\"}]}"},
    {"remove of an absent member is no error", true,
     OPS("{\"op\":\"remove\",\"path\":\"members[value eq \\\"m7\\\"]\"}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\"}]}"},
    {"Entra and JumpCloud remove with a value list", true,
     OPS("{\"op\":\"Remove\",\"path\":\"members\",\"value\":[{\"value\":\"m2\"}]}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m1\"}]}"},
    {"remove of all members", true, OPS("{\"op\":\"remove\",\"path\":\"members\"}"),
     "{\"displayName\":\"Engineering\"}"},
    {"replace the member list", true, OPS("{\"op\":\"replace\",\"path\":\"members\",\"value\":[{\"value\":\"m9\"}]}"),
     "{\"displayName\":\"Engineering\",\"members\":[{\"value\":\"m9\"}]}"},
    {"Entra rename", true, OPS("{\"op\":\"Replace\",\"path\":\"displayName\",\"value\":\"Sales\"}"),
     "{\"displayName\":\"Sales\",\"members\":[{\"value\":\"m1\"},{\"value\":\"m2\"}]}"},
};

typedef struct bad {
	const char *name;
	const char *body;
	const char *scim_type;
} bad;

static const bad bad_rows[] = {
    {"not an object", "[]", "invalidSyntax"},
    {"wrong schemas", "{\"schemas\":[\"urn:x\"],\"Operations\":[{\"op\":\"add\",\"path\":\"title\",\"value\":\"x\"}]}",
     "invalidSyntax"},
    {"no Operations", "{}", "invalidSyntax"},
    {"empty Operations", OPS(""), "invalidSyntax"},
    {"Operations not an array", "{\"Operations\":{}}", "invalidSyntax"},
    {"unknown op", OPS("{\"op\":\"copy\",\"path\":\"title\",\"value\":\"x\"}"), "invalidSyntax"},
    {"op not a string", OPS("{\"op\":1}"), "invalidSyntax"},
    {"remove without path", OPS("{\"op\":\"remove\"}"), "noTarget"},
    {"add without value", OPS("{\"op\":\"add\",\"path\":\"title\"}"), "invalidValue"},
    {"value of a pathless add not an object", OPS("{\"op\":\"add\",\"value\":\"x\"}"), "invalidValue"},
    {"unclosed filter", OPS("{\"op\":\"add\",\"path\":\"emails[type eq \\\"work\\\"\",\"value\":\"x\"}"),
     "invalidPath"},
    {"bad filter", OPS("{\"op\":\"add\",\"path\":\"emails[type zz 1].value\",\"value\":\"x\"}"), "invalidPath"},
    {"sub of a simple attribute", OPS("{\"op\":\"add\",\"path\":\"userName.first\",\"value\":\"x\"}"), "invalidPath"},
    {"filter on a simple attribute", OPS("{\"op\":\"add\",\"path\":\"title[value eq 1]\",\"value\":\"x\"}"),
     "invalidPath"},
    {"path not a string", OPS("{\"op\":\"add\",\"path\":5,\"value\":\"x\"}"), "invalidPath"},
    {"path on id", OPS("{\"op\":\"replace\",\"path\":\"id\",\"value\":\"x\"}"), "mutability"},
    {"path on meta", OPS("{\"op\":\"replace\",\"path\":\"meta.created\",\"value\":\"x\"}"), "mutability"},
    {"path on groups", OPS("{\"op\":\"add\",\"path\":\"groups\",\"value\":[]}"), "mutability"},
    {"another id in a value", OPS("{\"op\":\"replace\",\"value\":{\"id\":\"u2\"}}"), "mutability"},
    {"replace with no match",
     OPS("{\"op\":\"replace\",\"path\":\"emails[type eq \\\"home\\\"].value\",\"value\":\"x\"}"), "noTarget"},
    {"remove with no match", OPS("{\"op\":\"remove\",\"path\":\"emails[type eq \\\"home\\\"]\"}"), "noTarget"},
    {"wrong type", OPS("{\"op\":\"replace\",\"path\":\"active\",\"value\":\"yes\"}"), "invalidValue"},
    {"number for a string", OPS("{\"op\":\"replace\",\"path\":\"title\",\"value\":5}"), "invalidValue"},
    {"the second operation fails", OPS("{\"op\":\"replace\",\"path\":\"title\",\"value\":\"T\"},{\"op\":\"copy\"}"),
     "invalidSyntax"},
};

START_TEST(test_table)
{
	const row *r = &rows[_i];
	json_t *doc = json_loads(r->group ? group_doc : user_doc, 0, NULL), *body = json_loads(r->body, 0, NULL);
	json_t *want = json_loads(r->expect, 0, NULL);
	ck_assert_msg(doc && body && want, "%s: bad test JSON", r->name);
	se_scim_error e = {0};
	int rc = se_scim_patch_apply(r->group ? &se_scim_group_type : &se_scim_user_type, doc, body,
	                             r->group ? "g1" : "u1", &e);
	ck_assert_msg(rc == 0, "%s: %s %s", r->name, e.scim_type ? e.scim_type : "", e.detail);
	char *got = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS),
	     *exp = json_dumps(want, JSON_COMPACT | JSON_SORT_KEYS);
	ck_assert_msg(json_equal(doc, want), "%s:\n got %s\nwant %s", r->name, got, exp);
	free(got);
	free(exp);
	json_decref(doc);
	json_decref(body);
	json_decref(want);
}
END_TEST

START_TEST(test_bad_table)
{
	const bad *b = &bad_rows[_i];
	json_t *doc = json_loads(user_doc, 0, NULL), *body = json_loads(b->body, 0, NULL);
	ck_assert_msg(doc && body, "%s: bad test JSON", b->name);
	se_scim_error e = {0};
	ck_assert_msg(se_scim_patch_apply(&se_scim_user_type, doc, body, "u1", &e) < 0, "%s was accepted", b->name);
	ck_assert_int_eq(e.status, 400);
	ck_assert_msg(e.scim_type && strcmp(e.scim_type, b->scim_type) == 0, "%s: %s, not %s (%s)", b->name,
	              e.scim_type ? e.scim_type : "(none)", b->scim_type, e.detail);
	json_decref(doc);
	json_decref(body);
}
END_TEST

START_TEST(test_operation_limit)
{
	json_t *ops = json_array();
	for (int i = 0; i < SE_SCIM_PATCH_MAX_OPS + 1; i++)
		json_array_append_new(ops, json_pack("{s:s, s:s, s:s}", "op", "add", "path", "title", "value", "x"));
	json_t *body = json_pack("{s:o}", "Operations", ops), *doc = json_loads(user_doc, 0, NULL);
	se_scim_error e = {0};
	ck_assert_int_lt(se_scim_patch_apply(&se_scim_user_type, doc, body, "u1", &e), 0);
	ck_assert_str_eq(e.scim_type, "invalidSyntax");
	json_array_remove(ops, 0);
	ck_assert_int_eq(se_scim_patch_apply(&se_scim_user_type, doc, body, "u1", &e), 0);
	json_decref(body);
	json_decref(doc);
}
END_TEST

START_TEST(test_body_coercion)
{
	se_scim_error e = {0};
	json_t *body =
	           json_loads("{\"schemas\":[\"x\"],\"id\":\"i\",\"meta\":{},\"password\":\"p\",\"USERNAME\":\"a@b.c\","
	                      "\"emails\":{\"value\":\"a@b.c\",\"PRIMARY\":\"true\"},\"groups\":[{\"value\":\"g\"}],"
	                      "\"x-custom\":{\"k\":1},\"nickName\":\"\",\"" ENT "\":{\"manager\":\"m\"}}",
	                      0, NULL),
	       *doc = NULL;
	ck_assert_int_eq(se_scim_doc_from_body(&se_scim_user_type, body, &doc, &e), 0);
	json_t *want = json_loads("{\"userName\":\"a@b.c\",\"emails\":[{\"value\":\"a@b.c\",\"primary\":true}],"
	                          "\"x-custom\":{\"k\":1},\"" ENT "\":{\"manager\":{\"value\":\"m\"}}}",
	                          0, NULL);
	char *got = json_dumps(doc, JSON_COMPACT);
	ck_assert_msg(json_equal(doc, want), "got %s", got);
	free(got);
	json_decref(want);
	json_decref(doc);
	json_decref(body);
	body = json_loads("{\"userName\":true}", 0, NULL);
	ck_assert_int_lt(se_scim_doc_from_body(&se_scim_user_type, body, &doc, &e), 0);
	ck_assert_str_eq(e.scim_type, "invalidValue");
	ck_assert(strstr(e.detail, "userName"));
	json_decref(body);
}
END_TEST

static Suite *patch_suite(void)
{
	Suite *s = suite_create("scim_patch");
	TCase *tc = tcase_create("core");
	tcase_add_loop_test(tc, test_table, 0, (int)(sizeof rows / sizeof rows[0]));
	tcase_add_loop_test(tc, test_bad_table, 0, (int)(sizeof bad_rows / sizeof bad_rows[0]));
	tcase_add_test(tc, test_operation_limit);
	tcase_add_test(tc, test_body_coercion);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(patch_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
