/* Matches a method and a raw path against the route table and extracts decoded path parameters. A match borrows
 * its route from the table and owns its decoded parameters (fixed buffers inside se_route_match, nothing to free). */
#ifndef SE_ROUTER_H
#define SE_ROUTER_H

#include <stddef.h>

#define SE_ROUTE_MAX_PARAMS 4
#define SE_ROUTE_PARAM_MAX 256

typedef struct se_req se_req;

/* A handler carries out one operation. It returns 0 with r->out set, or the negative value of
 * se_req_fail() having recorded the error. It never sees which surface called it. */
typedef int (*se_handler_fn)(se_req *r);

typedef enum se_surface {
	SE_SURFACE_SDK,
	SE_SURFACE_API,
	SE_SURFACE_PUBLIC, /* sign-in navigation: sso/start and the callbacks (SIGNIN.md, pipeline) */
	SE_SURFACE_IDP,    /* the built-in identity provider's pages, /_emulator/idp/ */
} se_surface;

typedef enum se_auth_kind {
	SE_AUTH_NONE,         /* no credentials (events) */
	SE_AUTH_PUBLIC_TOKEN, /* public token alone (discovery) */
	SE_AUTH_SESSION,      /* public token + member session, no RBAC of its own (sessions/authenticate) */
	SE_AUTH_SECRET,       /* project id + secret; a member session header switches on RBAC */
	SE_AUTH_QUERY_PUBLIC_TOKEN, /* public_token query parameter (sso/start) */
	SE_AUTH_CALLBACK,     /* none, not rate limited, faults apply (SSO callbacks) */
	SE_AUTH_IDP,          /* none, never rate limited or faulted (built-in IdP) */
} se_auth_kind;

enum {
	/* Frontend call gated by the project's "member actions" SDK setting. */
	SE_ROUTE_MEMBER_ACTION = 1u << 0,
	/* A browser navigates here: its errors are HTML pages (SIGNIN.md Rule B). */
	SE_ROUTE_BROWSER = 1u << 1,
	/* The body is an application/x-www-form-urlencoded form, read into r->body as strings. */
	SE_ROUTE_FORM = 1u << 2,
	/* Takes any body, JSON or not, and never looks at it (telemetry). */
	SE_ROUTE_ANY_BODY = 1u << 3,
};

/* One row of the route table. RBAC applies when resource is not NULL. On the SDK surface the
 * organization comes from the session; on the API surface from the {organization_id} parameter. */
typedef struct se_route {
	se_surface surface;
	const char *method;
	const char *pattern;
	se_handler_fn handler;
	se_auth_kind auth;
	const char *resource;
	const char *action;
	unsigned flags;
} se_route;

typedef struct se_route_match {
	const se_route *route;
	size_t index;
	size_t n_params;
	char names[SE_ROUTE_MAX_PARAMS][32];
	char values[SE_ROUTE_MAX_PARAMS][SE_ROUTE_PARAM_MAX];
} se_route_match;

/* Finds the row for method and raw path (query string excluded). Parameters are percent-decoded.
 * Returns 0 and fills *ret, or SE_ENOTFOUND (no row, wrong method, or an undecodable or over-long
 * segment). */
int se_router_match(const se_route *table, size_t n, const char *method, const char *path, se_route_match *ret);

/* The decoded value of a path parameter, or NULL. Borrowed from m. */
const char *se_route_param(const se_route_match *m, const char *name);

#endif
