/* Shared helpers of the unit tests: stores with the default fixtures, regex matching. */
#include "testutil.h"

#include <check.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "store/fixtures.h"

json_t *t_default_fixtures(void)
{
	json_t *doc = NULL;
	char *err = NULL;
	int r = se_fixtures_load(NULL, &doc, &err);
	ck_assert_msg(r == 0, "default fixtures do not load: %s", err ? err : "?");
	free(err);
	return doc;
}

se_store *t_store(bool with_fixtures, se_db **ret_db)
{
	se_store *s = NULL;
	bool fresh = false;
	char *err = NULL;
	int r = se_store_open(":memory:", &s, &fresh, &err);
	ck_assert_msg(r == 0, "se_store_open(:memory:): %s", err ? err : "?");
	ck_assert(fresh);
	free(err);
	se_db *db = se_store_db(s);
	ck_assert_ptr_nonnull(db);
	if (with_fixtures) {
		json_t *doc = t_default_fixtures();
		ck_assert_int_eq(se_db_begin(db), 0);
		r = se_fixtures_apply(db, doc, time(NULL), &err);
		ck_assert_msg(r == 0, "default fixtures do not apply: %s", err ? err : "?");
		ck_assert_int_eq(se_db_commit(db), 0);
		json_decref(doc);
		free(err);
	}
	*ret_db = db;
	return s;
}

se_project *t_project(se_db *db)
{
	se_project *p = NULL;
	ck_assert_int_eq(se_store_project_get(db, &p), 0);
	ck_assert_ptr_nonnull(p);
	return p;
}

bool t_match(const char *s, const char *re)
{
	regex_t rx;
	char *anchored = malloc(strlen(re) + 3);
	if (!anchored)
		return false;
	sprintf(anchored, "^%s$", re);
	int rc = regcomp(&rx, anchored, REG_EXTENDED | REG_NOSUB);
	free(anchored);
	ck_assert_msg(rc == 0, "bad regex %s", re);
	bool ok = s && regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return ok;
}

void t_tmpdir_make(char *dir, size_t size, const char *what)
{
	ck_assert_int_lt(snprintf(dir, size, "/tmp/ssoemu-test-%s-XXXXXX", what), (int)size);
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

void t_tmpdir_remove(const char *dir)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

int t_run(const char *name, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	for (size_t i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
