/* Fixtures documents: the project, its RBAC policy, organizations, members, sessions and connections to start
 * from, and the same shape as the control API's state export and import. Documents are new JSON references for the
 * caller; error texts are malloc'd for the caller. */
#ifndef SE_FIXTURES_H
#define SE_FIXTURES_H

#include <jansson.h>
#include <time.h>

#include "store/store.h"

/* The bundled fixtures/default.json, as embedded at build time. Static storage. */
const char *se_fixtures_default_text(void);

/* Reads and parses a fixtures file (path NULL: the bundled default). On failure *ret_error
 * (malloc'd) names the file and what is wrong. */
int se_fixtures_load(const char *path, json_t **ret, char **ret_error);

/* Validates doc and writes it into an empty store, inside the caller's transaction: on failure the
 * caller rolls back and *ret_error (malloc'd) names the field ("organizations[1].organization_slug:
 * ..."). now stamps what the document leaves undated. */
int se_fixtures_apply(se_db *db, const json_t *doc, time_t now, char **ret_error);

/* Exports the whole stored state as a fixtures document that se_fixtures_apply() takes back
 * unchanged: export, apply to an empty store and export again give the same text. SCIM
 * connections carry their bearer token hashes and last four characters, never a token. *ret is a
 * new reference. Returns 0, SE_ENOTFOUND without a project row, SE_EDB or SE_ENOMEM. */
int se_fixtures_export(se_db *db, json_t **ret);

#endif
