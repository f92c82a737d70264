/* Shared helpers of the unit tests: a :memory: store with the default fixtures applied, and the
 * well-known values of those fixtures (EMULATOR.md). */
#ifndef SE_TESTUTIL_H
#define SE_TESTUTIL_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>

#include "core/app.h"
#include "store/store.h"

#define T_PROJECT_ID "project-test-11111111-1111-4111-8111-111111111111"
#define T_SECRET "secret-test-ssoemu-local-secret-0000000000000"
#define T_PUBLIC_TOKEN "public-token-test-11111111-1111-4111-8111-111111111111"
#define T_ORG_ACME "organization-test-aaaaaaaa-0000-4000-8000-000000000001"
#define T_ORG_GLOBEX "organization-test-bbbbbbbb-0000-4000-8000-000000000002"
#define T_MEMBER_ALICE "member-test-aaaaaaaa-0000-4000-8000-0000000000a1"
#define T_GLOBEX_SAML "saml-connection-test-bbbbbbbb-0000-4000-8000-00000000c001"
#define T_GLOBEX_OIDC "oidc-connection-test-bbbbbbbb-0000-4000-8000-00000000c002"

/* The regular expression of an id: prefix then a lowercase uuid4. */
#define T_UUID4_RE "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}"

/* A new :memory: store, with the built-in default fixtures applied when with_fixtures. Fails the
 * running test on any error. *ret_db is the calling thread's connection (borrowed from the
 * store). Close the store with se_store_close(). */
se_store *t_store(bool with_fixtures, se_db **ret_db);

/* The built-in default fixtures document, parsed (new reference). Fails the test on error. */
json_t *t_default_fixtures(void);

/* The project of db (new snapshot; drop with se_project_unref). Fails the test on error. */
se_project *t_project(se_db *db);

/* Makes a new directory /tmp/ssoemu-test-<what>-XXXXXX into dir (size >= 64); fails the test on
 * error. */
void t_tmpdir_make(char *dir, size_t size, const char *what);

/* Removes dir and everything in it. */
void t_tmpdir_remove(const char *dir);

/* Runs tests (n of them, in order) as the one test case of a Check suite named name, forked, each with a 60 s
 * limit; returns main()'s exit status. */
int t_run(const char *name, const TTest *const *tests, size_t n);

/* Whether s matches the POSIX extended regular expression re in full. */
bool t_match(const char *s, const char *re);

#endif
