/* What the SCIM service provider's files share: the request being served, its result, and the
 * operations of users.c, groups.c and discovery.c. */
#ifndef SE_SCIM_INTERNAL_H
#define SE_SCIM_INTERNAL_H

#include <jansson.h>
#include <time.h>

#include "core/app.h"
#include "request/http.h"
#include "scim/attrs.h"
#include "store/store.h"

#define SE_SCIM_MAX_RESULTS 1000
#define SE_SCIM_DEFAULT_COUNT 100
#define SE_SCIM_MAX_ATTR_NAMES 100
#define SE_SCIM_SEG_MAX 512

typedef struct se_scim_req {
	se_app *app;
	const se_http_in *in;
	se_db *db;
	time_t now;
	se_scim conn;             /* the authenticated connection */
	char *base;               /* <public url>/v1/b2b/scim/<connection id>, owned */
	json_t *body;             /* the parsed body of POST, PUT, PATCH; NULL otherwise */
	char id[SE_SCIM_SEG_MAX]; /* the decoded resource id or name after the endpoint; "" when none */

	/* Result: status with out (NULL for no body) and location, or err. */
	int status;
	json_t *out;
	char *location;
	se_scim_error err;
} se_scim_req;

/* Records a failure for the request and returns -1. */
int se_scim_req_fail(se_scim_req *r, int status, const char *scim_type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A 500 for a database or allocation failure; returns -1. */
int se_scim_req_internal(se_scim_req *r);

/* The query parameter name, or NULL. */
const char *se_scim_query(const se_scim_req *r, const char *name);

/* Applies attributes / excludedAttributes of the query to a resource in place (SCIM.md 3.5).
 * Returns 0 or -1 (invalidValue). */
int se_scim_project(se_scim_req *r, const se_scim_rtype *rt, json_t *res);

/* Reads startIndex and count (SCIM.md 3.6). Returns 0 or -1 (invalidValue). */
int se_scim_paging(se_scim_req *r, long *ret_start, long *ret_count);

/* A new ListResponse for total, start and the page's resources (stolen). NULL on allocation failure. */
json_t *se_scim_list(json_t *resources, long total, long start);

/* meta for a resource of type rt_name at path (e.g. "Users/<id>"). New reference. */
json_t *se_scim_meta(const se_scim_req *r, const char *rt_name, const char *path, const char *created,
                     const char *updated);

/* Checks a body's schemas: when present it must hold urn. Returns 0 or -1 (invalidSyntax). */
int se_scim_check_schemas(se_scim_req *r, const char *urn);

/* Runs the write op inside one transaction: commits on success, rolls back on failure. */
int se_scim_tx(se_scim_req *r, int (*op)(se_scim_req *r));

int se_scim_users_list(se_scim_req *r);
int se_scim_users_create(se_scim_req *r);
int se_scim_users_get(se_scim_req *r);
int se_scim_users_replace(se_scim_req *r);
int se_scim_users_patch(se_scim_req *r);
int se_scim_users_delete(se_scim_req *r);

int se_scim_groups_list(se_scim_req *r);
int se_scim_groups_create(se_scim_req *r);
int se_scim_groups_get(se_scim_req *r);
int se_scim_groups_replace(se_scim_req *r);
int se_scim_groups_patch(se_scim_req *r);
int se_scim_groups_delete(se_scim_req *r);

int se_scim_service_provider_config(se_scim_req *r);
int se_scim_resource_types(se_scim_req *r);
int se_scim_schemas(se_scim_req *r);

#endif
