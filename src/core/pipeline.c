/* The request pipeline. Order (API.md section 5): route, credentials, member session, rate limit
 * (keyed by the session), faults, organization and tenancy, permission, validation, handler. */
#include "core/pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "util/errors_code.h"
#include "core/faults.h"
#include "core/mask.h"
#include "model/ids.h"
#include "core/ratelimit.h"
#include "model/rbac.h"
#include "request/req.h"
#include "core/routes.h"
#include "auth/session.h"
#include "signin/html.h"
#include "signin/member.h"
#include "signin/state.h"
#include "util/text.h"
#include "util/util.h"

/* A request whose handler left outbound work pending: the request's whole state, kept until it ends. */
struct se_pipeline_call {
	se_req r;
};

static double monotonic_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Credentials: fills *ret_credential with the first part of the rate-limit key (the project on
 * /v1, the public token on /sdk/v1); the member session's id is added once it is authenticated. */
static int check_credentials(se_req *r, char **ret_credential)
{
	const se_route *route = r->match.route;
	char *user = NULL, *pass = NULL;
	int ok = -1;
	if (route->auth == SE_AUTH_QUERY_PUBLIC_TOKEN) {
		/* sso/start: a browser navigation carries the public token in the query (SIGNIN.md 1). */
		const char *token = se_http_query(r->in, "public_token");
		if (!token || !*token)
			return se_req_fail(r, SE_ERR_SI_PUBLIC_TOKEN_REQUIRED, NULL);
		if (!se_auth_is_public_token(r->project, token))
			return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
		*ret_credential = se_asprintf("public:%s", token);
		return *ret_credential ? 0 : se_req_internal(r);
	}
	if (route->auth == SE_AUTH_NONE || route->auth == SE_AUTH_CALLBACK || route->auth == SE_AUTH_IDP) {
		*ret_credential = strdup("");
		return *ret_credential ? 0 : se_req_internal(r);
	}
	if (se_auth_basic(se_http_header(r->in, "Authorization"), &user, &pass) < 0)
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	if (route->surface == SE_SURFACE_API) {
		if (!se_auth_is_secret(r->project, user, pass))
			goto done;
		*ret_credential = se_asprintf("api:%s", user);
	} else {
		if (!se_auth_is_public_token(r->project, user))
			goto done;
		/* Without a session the SDK sends the public token twice. */
		if (route->auth == SE_AUTH_SESSION && (!*pass || strcmp(pass, user) == 0))
			goto done;
		*ret_credential = se_asprintf("sdk:%s", user);
	}
	ok = *ret_credential ? 0 : se_req_internal(r);
done:
	free(user);
	free(pass);
	if (ok < 0 && r->err == SE_ERR_NONE)
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	return ok;
}

static int resolve_session(se_req *r, const char *token)
{
	se_error_id e = se_auth_session(r->db, token, r->now, &r->session, &r->member);
	if (e != SE_ERR_NONE)
		return se_req_fail(r, e, NULL);
	r->has_member = true;
	/* A session signed in by SSO carries its connections' implicit roles (SIGNIN.md 4.2). */
	return se_signin_apply_session_roles(r->db, &r->session, &r->member) < 0 ? se_req_internal(r) : 0;
}

/* The SDK's session token is the password of its Basic credentials. */
static const char *sdk_session_token(const se_req *r, char **owned)
{
	char *user = NULL;
	if (se_auth_basic(se_http_header(r->in, "Authorization"), &user, owned) < 0)
		return NULL;
	free(user);
	return *owned;
}

/* A session JWT names its session; the session must still be alive (session.h). */
static int resolve_session_jwt(se_req *r, const char *jwt)
{
	se_error_id e = se_session_jwt_authenticate(r->jwt_key, r->project, r->db, jwt, r->now, &r->session, &r->member);
	if (e == SE_ERR_INVALID_SESSION_JWT)
		return se_req_fail(r, e, "The session JWT could not be verified: it is malformed, not signed by this "
					 "project's key, or meant for another project.");
	if (e != SE_ERR_NONE)
		return se_req_fail(r, e, NULL);
	r->has_member = true;
	return se_signin_apply_session_roles(r->db, &r->session, &r->member) < 0 ? se_req_internal(r) : 0;
}

/* Authenticates the member session the request carries: the SDK's session token, or on /v1 the
 * optional X-Stytch-Member-Session(JWT) header. */
static int resolve_member(se_req *r)
{
	const se_route *route = r->match.route;
	if (route->surface == SE_SURFACE_SDK) {
		if (route->auth != SE_AUTH_SESSION)
			return 0;
		char *token = NULL;
		int ok = resolve_session(r, sdk_session_token(r, &token));
		free(token);
		return ok;
	}
	if (route->auth != SE_AUTH_SECRET)
		return 0;
	const char *member = se_http_header(r->in, "X-Stytch-Member-Session");
	const char *member_jwt = se_http_header(r->in, "X-Stytch-Member-SessionJWT");
	if (member && member_jwt)
		return se_req_fail(r, SE_ERR_TOO_MANY_SESSION_ARGUMENTS, NULL);
	if (member && resolve_session(r, member) < 0)
		return -1;
	if (member_jwt && resolve_session_jwt(r, member_jwt) < 0)
		return -1;
	return 0;
}

/* The organization: the member's on /sdk/v1, the path's on /v1 (with the tenancy check). */
static int resolve_org(se_req *r)
{
	const se_route *route = r->match.route;
	if (route->surface == SE_SURFACE_SDK) {
		if (route->auth != SE_AUTH_SESSION)
			return 0;
		int g = se_store_org_find(r->db, r->member.organization_id, false, &r->org);
		if (g < 0)
			return g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_SESSION_NOT_FOUND, NULL) : se_req_internal(r);
		r->has_org = true;
		return 0;
	}
	if (route->auth != SE_AUTH_SECRET)
		return 0;
	const char *org = se_route_param(&r->match, "organization_id");
	if (org) {
		int g = se_store_org_find(r->db, org, true, &r->org);
		if (g < 0)
			return g == SE_ENOTFOUND
				       ? se_req_fail(r, SE_ERR_ORGANIZATION_NOT_FOUND, "Organization %s could not be found.", org)
				       : se_req_internal(r);
		r->has_org = true;
		if (r->has_member && strcmp(r->member.organization_id, r->org.organization_id) != 0)
			return se_req_fail(r, SE_ERR_SESSION_TENANCY, NULL);
	}
	return 0;
}

/* An application/x-www-form-urlencoded body as an object of strings (SIGNIN.md 2: SAMLResponse). */
static int parse_form(se_req *r)
{
	const se_http_in *in = r->in;
	char *copy = malloc(in->body_len + 1);
	r->body = json_object();
	if (!copy || !r->body) {
		free(copy);
		return se_req_internal(r);
	}
	memcpy(copy, in->body, in->body_len);
	copy[in->body_len] = '\0';
	size_t fields = 0;
	int ok = 0;
	for (char *save = NULL, *kv = strtok_r(copy, "&", &save); kv; kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');
		if (eq)
			*eq = '\0';
		char *val = eq ? eq + 1 : kv + strlen(kv);
		for (char *p = kv; *p; p++)
			*p = *p == '+' ? ' ' : *p;
		for (char *p = val; *p; p++)
			*p = *p == '+' ? ' ' : *p;
		if (++fields > SE_HTTP_MAX_QUERY || se_percent_decode(kv) < 0 || se_percent_decode(val) < 0) {
			ok = se_req_fail(r, SE_ERR_BAD_REQUEST, "The form body is malformed or has more than %d fields.",
					 SE_HTTP_MAX_QUERY);
			break;
		}
		if (*kv && !json_object_get(r->body, kv) && json_object_set_new(r->body, kv, json_string(val)) < 0) {
			ok = se_req_fail(r, SE_ERR_BAD_REQUEST, "The form body is not valid UTF-8.");
			break;
		}
	}
	free(copy);
	return ok;
}

static int parse_body(se_req *r)
{
	const se_http_in *in = r->in;
	if (r->match.route->flags & SE_ROUTE_FORM && in->body_len > 0)
		return parse_form(r);
	if (in->body_len == 0 || (r->match.route->flags & SE_ROUTE_ANY_BODY)) {
		r->body = json_object();
		return r->body ? 0 : se_req_internal(r);
	}
	if (se_json_too_deep(in->body, in->body_len, SE_JSON_MAX_DEPTH))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "The request body nests deeper than %d levels.", SE_JSON_MAX_DEPTH);
	json_error_t jerr;
	r->body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!r->body)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "The request body is not valid JSON: %s (line %d, column %d).",
				   jerr.text, jerr.line, jerr.column);
	if (!json_is_object(r->body))
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "The request body must be a JSON object.");
	if (se_json_check_sizes(r->body, SE_JSON_MAX_STRING, SE_JSON_MAX_ITEMS) < 0)
		return se_req_fail(r, SE_ERR_BAD_REQUEST,
				   "The request body has a string longer than %d bytes or a list of more than %d items.",
				   SE_JSON_MAX_STRING, SE_JSON_MAX_ITEMS);
	return 0;
}

static int run(se_app *app, se_req *r, se_http_out *out)
{
	const se_route *route = r->match.route;
	if (check_credentials(r, &r->credential) < 0)
		return -1;
	if (route->surface == SE_SURFACE_SDK && (route->flags & SE_ROUTE_MEMBER_ACTION) &&
	    !r->project->sdk_member_actions_enabled)
		return se_req_fail(r, SE_ERR_ENDPOINT_NOT_AUTHORIZED_FOR_SDK, NULL);
	/* The rate limit keys on what it limits: the member session (by its id, so that its token and
	 * every JWT of it share one bucket) once authenticated; a request failing that uses none. The
	 * same key is the request's credential for the caps on outbound fetches. */
	if (resolve_member(r) < 0)
		return -1;
	char *key = se_asprintf("%s:%s", r->credential, r->has_member ? r->session.member_session_id : "");
	if (!key)
		return se_req_internal(r);
	free(r->credential);
	r->credential = key;
	unsigned retry_after = 0;
	/* Callbacks and the built-in IdP carry no credential and are never rate limited (SIGNIN.md). */
	bool limit = route->auth != SE_AUTH_CALLBACK && route->auth != SE_AUTH_IDP;
	int limited = limit ? se_ratelimit_take(app->ratelimit, r->credential, r->match.index, monotonic_now(), &retry_after)
			    : 0;
	if (limited < 0) {
		char secs[16];
		snprintf(secs, sizeof secs, "%u", retry_after);
		se_http_out_header(out, "Retry-After", secs);
		return se_req_fail(r, SE_ERR_TOO_MANY_REQUESTS, NULL);
	}
	se_error_id fault = SE_ERR_NONE;
	if (app->faults && route->auth != SE_AUTH_IDP && se_faults_take(app->faults, r->in->method, r->in->path, &fault, &out->delay_ms) &&
	    fault != SE_ERR_NONE) {
		if (fault == SE_ERR_TOO_MANY_REQUESTS)
			se_http_out_header(out, "Retry-After", "1");
		return se_req_fail(r, fault, NULL);
	}
	if (resolve_org(r) < 0)
		return -1;
	if (route->resource && r->has_member &&
	    !se_rbac_allows(r->project->rbac_policy, r->member.roles, route->resource, route->action))
		return se_req_fail(r, SE_ERR_SESSION_AUTHORIZATION, NULL);
	if (parse_body(r) < 0)
		return -1;
	return route->handler(r);
}

/* The success body from the handler's ready JSON text ("{...}"): the same bytes as finish() writes
 * from a json_t, without building one. */
static int finish_text(se_req *r, se_http_out *out)
{
	bool wrap = r->match.route && r->match.route->surface == SE_SURFACE_SDK;
	size_t len = strlen(r->out_text);
	if (len < 2 || r->out_text[0] != '{' || r->out_text[len - 1] != '}')
		return -1;
	char tail[160];
	int tn = snprintf(tail, sizeof tail, "%s\"request_id\":\"%s\",\"status_code\":200}%s", len == 2 ? "" : ",",
			  r->request_id, wrap ? "}" : "");
	if (tn < 0 || (size_t)tn >= sizeof tail)
		return -1;
	/* memcpy rather than printf: the text is often tens of kilobytes. */
	size_t head = wrap ? 8 : 0, n = head + len - 1 + (size_t)tn;
	char *b = malloc(n + 1);
	if (!b)
		return -1;
	memcpy(b, "{\"data\":", head);
	memcpy(b + head, r->out_text, len - 1);
	memcpy(b + head + len - 1, tail, (size_t)tn + 1);
	out->body = b;
	out->body_len = n;
	out->status = 200;
	se_http_out_header(out, "Content-Type", "application/json");
	return 0;
}

/* Writes the response body: the handler's object with request_id and status_code, wrapped in
 * "data" on the SDK surface; or the bare error body. */
/* Whether an error goes to a browser as a page (SIGNIN.md Rule B). */
static bool browser_error(const se_req *r)
{
	const char *accept = se_http_header(r->in, "Accept");
	return r->match.route && (r->match.route->flags & SE_ROUTE_BROWSER) && accept && strstr(accept, "text/html");
}

/* Sign-in answers: a redirect, a page or document, or an error page for a browser. Returns true when
 * it wrote the response. */
static bool finish_signin(se_req *r, se_http_out *out)
{
	if (r->err == SE_ERR_NONE && r->location) {
		json_t *b = json_pack("{s:i, s:s, s:s}", "status_code", 302, "request_id", r->request_id, "redirect_url",
				      r->location);
		out->body = b ? se_json_dump(b) : NULL;
		json_decref(b);
		if (!out->body)
			return false;
		out->status = 302;
		se_http_out_header(out, "Location", r->location);
		se_http_out_header(out, "Content-Type", "application/json");
		se_http_out_header(out, "Cache-Control", "no-store");
	} else if (r->err == SE_ERR_NONE && r->raw_body) {
		out->body = r->raw_body;
		r->raw_body = NULL;
		out->status = r->raw_status ? r->raw_status : 200;
		se_http_out_header(out, "Content-Type", r->raw_type ? r->raw_type : "text/html; charset=utf-8");
		se_http_out_header(out, "Cache-Control", "no-store");
	} else if (r->err != SE_ERR_NONE && browser_error(r)) {
		json_t *b = se_error_body(r->err, r->errmsg, r->request_id);
		const char *msg = r->errmsg ? r->errmsg : se_error_default_message(r->err);
		out->body = b ? se_html_error_page(se_error_status(r->err), se_error_type(r->err), msg, r->request_id, b)
			      : NULL;
		json_decref(b);
		if (!out->body)
			return false;
		out->status = se_error_status(r->err);
		out->error_type = se_error_type(r->err);
		se_http_out_header(out, "Content-Type", "text/html; charset=utf-8");
	} else {
		return false;
	}
	out->body_len = strlen(out->body);
	return true;
}

static void finish(se_req *r, se_http_out *out)
{
	json_t *body = NULL;
	if (finish_signin(r, out))
		return;
	if (r->err == SE_ERR_NONE && r->out_text && finish_text(r, out) == 0)
		return;
	if (r->err == SE_ERR_NONE && r->out) {
		json_object_set_new(r->out, "request_id", json_string(r->request_id));
		json_object_set_new(r->out, "status_code", json_integer(200));
		body = r->match.route && r->match.route->surface == SE_SURFACE_SDK ? json_pack("{s:O}", "data", r->out)
										   : json_incref(r->out);
		out->status = 200;
	}
	if (!body) {
		if (r->err == SE_ERR_NONE)
			r->err = SE_ERR_INTERNAL;
		body = se_error_body(r->err, r->errmsg, r->request_id);
		out->status = se_error_status(r->err);
		out->error_type = se_error_type(r->err);
	}
	out->body = body ? se_json_dump(body) : NULL;
	if (!out->body) {
		/* Out of memory even for the error body: a fixed one still answers. */
		out->status = 500;
		out->error_type = se_error_type(SE_ERR_INTERNAL);
		out->body = se_asprintf("{\"status_code\":500,\"request_id\":\"%s\",\"error_type\":\"internal_server_error\","
					"\"error_message\":\"%s\",\"error_url\":\"https://stytch.com/docs/api/errors/500\"}",
					r->request_id, se_error_default_message(SE_ERR_INTERNAL));
	}
	out->body_len = out->body ? strlen(out->body) : 0;
	json_decref(body);
	se_http_out_header(out, "Content-Type", "application/json");
}

/* The path for logs (core/mask.h): credential-shaped segments and the values of token parameters
 * masked, control bytes escaped, cut short. */
static char *log_path(const se_req *r)
{
	const char *known[] = {r->project ? r->project->secret : NULL, r->project ? r->project->public_token : NULL,
			       r->cfg->admin_token, NULL};
	/* A NULL in the middle would end the list early: keep only the values there are. */
	const char *list[4];
	size_t n = 0;
	for (size_t i = 0; i < 3; i++)
		if (known[i])
			list[n++] = known[i];
	list[n] = NULL;
	return se_mask_path(r->in->path, r->match.route ? r->match.route->pattern : NULL, list, SE_LOG_PATH_MAX);
}

static void release(se_req *r)
{
	se_outbound_job_free(r->job);
	if (r->cont_ctx_free)
		r->cont_ctx_free(r->cont_ctx);
	free(r->credential);
	se_project_unref(r->project);
	json_decref(r->body);
	json_decref(r->out);
	free(r->out_text);
	free(r->errmsg);
	free(r->location);
	free(r->raw_body);
	se_org_release(&r->org);
	se_member_release(&r->member);
	se_session_release(&r->session);
}

/* Whether the inputs a handler may echo are valid UTF-8: the raw path, the decoded path parameters and the query. */
static bool inputs_utf8(const se_req *r)
{
	if (!se_utf8_valid(r->in->path, strlen(r->in->path)))
		return false;
	for (size_t i = 0; i < r->match.n_params; i++)
		if (!se_utf8_valid(r->match.values[i], strlen(r->match.values[i])))
			return false;
	for (size_t i = 0; i < r->in->n_query; i++)
		if (!se_utf8_valid(r->in->query[i].value, strlen(r->in->query[i].value)) ||
		    !se_utf8_valid(r->in->query[i].name, strlen(r->in->query[i].name)))
			return false;
	return true;
}

/* After the handler (or a continuation) returned rc: 1 when work is pending, else 0 with the response written. */
static int conclude(se_req *r, int rc, se_http_out *out)
{
	if (rc == SE_REQ_PENDING && (r->job || r->wait_key))
		return 1;
	if (rc == 0 && !r->out && !r->out_text && !r->location && !r->raw_body && r->err == SE_ERR_NONE)
		se_req_internal(r);
	finish(r, out);
	out->log_path = log_path(r);
	return 0;
}

int se_pipeline_start(se_app *app, const se_http_in *in, se_http_out *out, se_pipeline_call **ret_call)
{
	se_pipeline_call *call = calloc(1, sizeof *call);
	se_req stack = {0}, *r = call ? &call->r : &stack;
	*r = (se_req){.cfg = &app->cfg, .store = app->store, .jwt_key = app->jwt_key, .outbound = app->outbound,
		      .keypool = app->keypool, .signin = app->signin, .in = in, .now = time(NULL)};
	memcpy(r->request_id, out->request_id, sizeof r->request_id);
	out->log = 1;

	int rc = -1;
	r->project = se_app_project(app);
	r->db = se_store_db(app->store);
	if (in->body_too_large) {
		se_req_fail(r, SE_ERR_BODY_TOO_LARGE, NULL);
	} else if (!call || !r->project || !r->db) {
		se_req_internal(r);
	} else if (!se_utf8_valid(in->path, strlen(in->path))) {
		se_req_fail(r, SE_ERR_BAD_REQUEST, "The request path is not valid UTF-8.");
	} else if (se_router_match(se_routes, se_routes_count, in->method, in->path, &r->match) < 0) {
		se_req_fail(r, SE_ERR_ROUTE_NOT_FOUND, "No route for %s %s.", in->method, in->path);
	} else {
		static const char *const surfaces[] = {"sdk", "api", "public", "idp"};
		out->surface = surfaces[r->match.route->surface];
		if (!inputs_utf8(r))
			se_req_fail(r, SE_ERR_BAD_REQUEST, "A path parameter or query value is not valid UTF-8.");
		else
			rc = run(app, r, out);
	}
	if (conclude(r, rc, out)) {
		/* The pool's database connection belongs to this thread; the continuation gets its own thread's. */
		r->db = NULL;
		*ret_call = call;
		return 1;
	}
	release(r);
	free(call);
	return 0;
}

se_outbound_job *se_pipeline_call_job(se_pipeline_call *call)
{
	return call->r.job;
}

void se_pipeline_call_wait(se_app *app, se_pipeline_call *call)
{
	if (call->r.job)
		se_outbound_job_run(call->r.job);
	else
		se_keypool_wait(app->keypool);
}

int se_pipeline_resume(se_app *app, se_pipeline_call *call, se_http_out *out)
{
	se_req *r = &call->r;
	se_outbound_job *job = r->job;
	se_req_continue_fn cont = r->cont;
	void *ctx = r->cont_ctx;
	void (*ctx_free)(void *) = r->cont_ctx_free;
	r->job = NULL;
	r->wait_key = false;
	r->cont = NULL;
	r->cont_ctx = NULL;
	r->cont_ctx_free = NULL;
	r->db = se_store_db(app->store);
	r->now = time(NULL);
	int rc = r->db ? cont(r, job, ctx) : se_req_internal(r);
	se_outbound_job_free(job);
	if (ctx_free && ctx != r->cont_ctx)
		ctx_free(ctx);
	if (conclude(r, rc, out)) {
		r->db = NULL;
		return 1;
	}
	se_pipeline_call_free(call);
	return 0;
}

void se_pipeline_call_free(se_pipeline_call *call)
{
	if (!call)
		return;
	release(&call->r);
	free(call);
}

void se_pipeline_handle(se_app *app, const se_http_in *in, se_http_out *out)
{
	se_pipeline_call *call = NULL;
	int pending = se_pipeline_start(app, in, out, &call);
	while (pending) {
		se_pipeline_call_wait(app, call);
		pending = se_pipeline_resume(app, call, out);
	}
}
