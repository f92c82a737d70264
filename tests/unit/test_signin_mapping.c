/* Unit tests for signin/mapping.c: the attribute mapping of SAML assertions (SIGNIN.md section 2). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "signin/mapping.h"

/* An assertion as se_saml_response_verify() leaves it, with the given NameID and attributes. */
static void assertion(se_saml_assertion *a, const char *nameid, const char *format, json_t *attrs, json_t *elem)
{
	memset(a, 0, sizeof *a);
	a->nameid = strdup(nameid);
	a->nameid_format = strdup(format);
	a->attributes = attrs;
	a->element_valued = elem ? elem : json_array();
}

static json_t *mapping(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "email", "mail", "first_name", "fn", "last_name", "ln", "groups",
	                 "grp", "department", "dept");
}

START_TEST(maps_every_key)
{
	se_saml_assertion a;
	assertion(&a, "ignored-id", SE_SAML_NAMEID_PERSISTENT,
	          json_pack("{s:[s], s:[s], s:[s], s:[s,s], s:[s], s:[s]}", "mail", "x@y.test", "fn", "Ada", "ln",
	                    "Lovelace", "grp", "a", "b", "dept", "R&D", "extra", "e"),
	          NULL);
	json_t *map = mapping();
	se_signin_mapped m;
	const char *why;
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_NONE);
	ck_assert_str_eq(m.email, "x@y.test");
	ck_assert_str_eq(m.name, "Ada Lovelace");
	ck_assert_int_eq(json_array_size(m.groups), 2);
	ck_assert_str_eq(m.external_id, "ignored-id"); /* persistent NameID, no idp_user_id mapping */
	ck_assert_str_eq(json_string_value(json_object_get(m.trusted, "department")), "R&D");
	ck_assert_ptr_null(json_object_get(m.trusted, "extra"));
	ck_assert_str_eq(json_string_value(json_object_get(m.sso_attributes, "extra")), "e");
	ck_assert_int_eq(json_array_size(json_object_get(m.sso_attributes, "grp")), 2);
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	json_decref(map);
}
END_TEST

START_TEST(email_from_nameid)
{
	se_saml_assertion a;
	json_t *map = json_pack("{s:s}", "email", "NameID");
	se_signin_mapped m;
	const char *why;
	assertion(&a, "n@y.test", SE_SAML_NAMEID_PERSISTENT, json_object(), NULL);
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_NONE);
	ck_assert_str_eq(m.email, "n@y.test");
	ck_assert_str_eq(m.name, "");
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	json_decref(map);
	/* The attribute is absent but the NameID is an email address: taken (chosen). */
	map = mapping();
	assertion(&a, "e@y.test", SE_SAML_NAMEID_EMAIL, json_object(), NULL);
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_NONE);
	ck_assert_str_eq(m.email, "e@y.test");
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	/* A transient NameID is no email, and the idp_user_id falls back to the email. */
	assertion(&a, "_abc", SE_SAML_NAMEID_TRANSIENT, json_pack("{s:[s]}", "mail", "t@y.test"), NULL);
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_NONE);
	ck_assert_str_eq(m.external_id, "t@y.test");
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	json_decref(map);
}
END_TEST

START_TEST(refusals)
{
	json_t *map = mapping();
	se_signin_mapped m;
	const char *why = NULL;
	se_saml_assertion a;
	const char *bad[] = {"no-at", "@y.test", "x@", "a@b@c"};
	for (size_t i = 0; i < 4; i++) {
		assertion(&a, "_t", SE_SAML_NAMEID_TRANSIENT, json_pack("{s:[s]}", "mail", bad[i]), NULL);
		ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_SI_INVALID_SAML_RESPONSE_EMAIL);
		se_signin_mapped_release(&m);
		se_saml_assertion_release(&a);
	}
	assertion(&a, "_t", SE_SAML_NAMEID_TRANSIENT, json_object(), NULL);
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_SI_INVALID_SAML_RESPONSE_EMAIL);
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	char longmail[300];
	memset(longmail, 'a', 250);
	strcpy(longmail + 250, "@y.test");
	assertion(&a, "_t", SE_SAML_NAMEID_TRANSIENT, json_pack("{s:[s]}", "mail", longmail), NULL);
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_SI_INVALID_SAML_RESPONSE_EMAIL);
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	/* Groups with element content. */
	assertion(&a, "g@y.test", SE_SAML_NAMEID_EMAIL, json_pack("{s:[s], s:[s]}", "mail", "g@y.test", "grp", ""),
	          json_pack("[s]", "grp"));
	ck_assert_int_eq(se_signin_map_saml(&a, map, &m, &why), SE_ERR_SI_INVALID_SAML_RESPONSE_GROUPS);
	ck_assert_ptr_nonnull(why);
	se_signin_mapped_release(&m);
	se_saml_assertion_release(&a);
	json_decref(map);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("signin_mapping");
	TCase *tc = tcase_create("mapping");
	tcase_add_test(tc, maps_every_key);
	tcase_add_test(tc, email_from_nameid);
	tcase_add_test(tc, refusals);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
