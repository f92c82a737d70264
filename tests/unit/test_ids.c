/* Unit tests for ids.c: prefix + uuid4, uniqueness and buffer sizes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "model/ids.h"
#include "testutil.h"

START_TEST(test_format)
{
	static const char *const prefixes[] = {SE_ID_REQUEST,
	                                       SE_ID_MEMBER,
	                                       SE_ID_SESSION,
	                                       SE_ID_SIGNING_KEY,
	                                       SE_ID_VERIFICATION_KEY,
	                                       SE_ID_ENCRYPTION_KEY,
	                                       SE_ID_SCIM_GROUP,
	                                       "saml-connection-test-",
	                                       ""};
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		char *id = NULL;
		ck_assert_int_eq(se_id_new(prefixes[i], &id), 0);
		ck_assert_uint_eq(strlen(id), strlen(prefixes[i]) + 36);
		ck_assert(strncmp(id, prefixes[i], strlen(prefixes[i])) == 0);
		ck_assert_msg(t_match(id + strlen(prefixes[i]), T_UUID4_RE), "%s is not prefix + uuid4", id);
		free(id);
	}
	ck_assert_str_eq(SE_ID_REQUEST, "request-id-test-");
}
END_TEST

START_TEST(test_unique)
{
	json_t *seen = json_object();
	for (int i = 0; i < 5000; i++) {
		char buf[64];
		ck_assert_int_eq(se_id_format(SE_ID_REQUEST, buf, sizeof buf), 0);
		ck_assert_msg(json_object_get(seen, buf) == NULL, "%s generated twice", buf);
		json_object_set_new(seen, buf, json_true());
	}
	json_decref(seen);
}
END_TEST

START_TEST(test_buffer_size)
{
	const char *prefix = "scim-group-test-";
	size_t need = strlen(prefix) + 37;
	char buf[128];
	memset(buf, 'x', sizeof buf);
	ck_assert_int_eq(se_id_format(prefix, buf, need), 0);
	ck_assert_uint_eq(strlen(buf), need - 1);
	ck_assert_int_eq(se_id_format(prefix, buf, need - 1), SE_ELIMIT);
	ck_assert_int_eq(se_id_format(prefix, buf, 1), SE_ELIMIT);
}
END_TEST

static Suite *ids_suite(void)
{
	Suite *s = suite_create("ids");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_format);
	tcase_add_test(tc, test_unique);
	tcase_add_test(tc, test_buffer_size);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ids_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
