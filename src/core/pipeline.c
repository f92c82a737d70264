/* The request pipeline. Order (API.md section 5): route, credentials, rate limit, session,
 * organization and tenancy, permission, validation, handler. */
#include "core/pipeline.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/auth.h"
#include "util/errors_code.h"
#include "core/faults.h"
#include "model/ids.h"
#include "core/ratelimit.h"
#include "model/rbac.h"
#include "request/req.h"
#include "core/routes.h"
#include "auth/session.h"
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

/* Credentials: fills *ret_credential with the rate-limit key. */
static int check_credentials(se_req *r, char **ret_credential)
{
	const se_route *route = r->match.route;
	char *user = NULL, *pass = NULL;
	int ok = -1;
	if (route->auth == SE_AUTH_NONE) {
		*ret_credential = strdup("");
		return *ret_credential ? 0 : se_req_internal(r);
	}
	if (se_auth_basic(se_http_header(r->in, "Authorization"), &user, &pass) < 0)
		return se_req_fail(r, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	if (route->surface == SE_SURFACE_API) {
		if (!se_auth_is_secret(r->project, user, pass))
			goto done;
		const char *member = se_http_header(r->in, "X-Stytch-Member-Session");
		if (!member)
			member = se_http_header(r->in, "X-Stytch-Member-SessionJWT");
		*ret_credential = se_asprintf("api:%s:%s", user, member ? member : "");
	} else {
		if (!se_auth_is_public_token(r->project, user))
			goto done;
		/* Without a session the SDK sends the public token twice. */
		if (route->auth == SE_AUTH_SESSION && (!*pass || strcmp(pass, user) == 0))
			goto done;
		*ret_credential = se_asprintf("sdk:%s:%s", user, pass);
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
	return 0;
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
	return 0;
}

static int resolve_principal(se_req *r)
{
	const se_route *route = r->match.route;
	if (route->surface == SE_SURFACE_SDK) {
		if (route->auth != SE_AUTH_SESSION)
			return 0;
		char *token = NULL;
		int ok = resolve_session(r, sdk_session_token(r, &token));
		free(token);
		if (ok < 0)
			return ok;
		int g = se_store_org_find(r->db, r->member.organization_id, false, &r->org);
		if (g < 0)
			return g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_SESSION_NOT_FOUND, NULL) : se_req_internal(r);
		r->has_org = true;
		return 0;
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

static int parse_body(se_req *r)
{
	const se_http_in *in = r->in;
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
	unsigned retry_after = 0;
	int limited = se_ratelimit_take(app->ratelimit, r->credential, r->match.index, monotonic_now(), &retry_after);
	if (limited < 0) {
		char secs[16];
		snprintf(secs, sizeof secs, "%u", retry_after);
		se_http_out_header(out, "Retry-After", secs);
		return se_req_fail(r, SE_ERR_TOO_MANY_REQUESTS, NULL);
	}
	se_error_id fault = SE_ERR_NONE;
	if (app->faults && se_faults_take(app->faults, r->in->method, r->in->path, &fault, &out->delay_ms) &&
	    fault != SE_ERR_NONE) {
		if (fault == SE_ERR_TOO_MANY_REQUESTS)
			se_http_out_header(out, "Retry-After", "1");
		return se_req_fail(r, fault, NULL);
	}
	if (resolve_principal(r) < 0)
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
static void finish(se_req *r, se_http_out *out)
{
	json_t *body = NULL;
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

/* Whether a segment of a path no route matched looks like a credential: the project's secret or
 * public token, or anything shaped like a secret, public token or session token. */
static bool credential_segment(const se_req *r, const char *seg, size_t len)
{
	static const char *const prefixes[] = {"secret-", "public-token-", "session-", NULL};
	for (size_t i = 0; prefixes[i]; i++)
		if (len >= strlen(prefixes[i]) && strncmp(seg, prefixes[i], strlen(prefixes[i])) == 0)
			return true;
	const char *known[] = {r->project ? r->project->secret : NULL, r->project ? r->project->public_token : NULL};
	for (size_t i = 0; i < 2; i++)
		if (known[i] && strlen(known[i]) == len && memcmp(seg, known[i], len) == 0)
			return true;
	return false;
}

/* Longest path written to the logs. */
#define LOG_PATH_MAX 200

/* A path no route matched, with credential-like segments masked, cut short. */
static char *unmatched_log_path(const se_req *r)
{
	char buf[256], out[LOG_PATH_MAX + 1];
	size_t w = 0;
	bool full = false;
	for (const char *p = r->in->path; *p && !full;) {
		size_t len = strcspn(p + 1, "/") + 1;
		bool mask = credential_segment(r, p + 1, len - 1);
		int n = snprintf(buf + w, sizeof buf - w, "%.*s%s", mask ? 1 : (int)len, p, mask ? "[redacted]" : "");
		full = n < 0 || (size_t)n >= sizeof buf - w;
		w = full ? sizeof buf - 1 : w + (size_t)n;
		p += len;
		full = full || (w > LOG_PATH_MAX && *p);
	}
	buf[w] = '\0';
	/* Cut on a character boundary with "...", invalid bytes replaced: the log line and the request log stay valid
	 * JSON. Whenever the loop stopped early, w is past the limit, so the cut and its "..." happen here. */
	se_text_clip_into(out, sizeof out, buf, w, NULL);
	return strdup(out);
}

/* The path for logs: a matched route's pattern with its parameters filled in, tokens masked;
 * otherwise the raw path, cut short. */
static char *log_path(const se_req *r)
{
	if (!r->match.route)
		return unmatched_log_path(r);
	char buf[1024];
	size_t w = 0;
	for (const char *p = r->match.route->pattern; *p && w < sizeof buf - 1;) {
		if (*p != '{') {
			buf[w++] = *p++;
			continue;
		}
		size_t len = strcspn(p, "}");
		char name[32];
		snprintf(name, sizeof name, "%.*s", (int)(len - 1), p + 1);
		const char *v = strstr(name, "token") ? "[redacted]" : se_route_param(&r->match, name);
		w += (size_t)snprintf(buf + w, sizeof buf - w, "%s", v ? v : "");
		if (w >= sizeof buf)
			w = sizeof buf - 1;
		p += len + (p[len] ? 1 : 0);
	}
	buf[w] = '\0';
	return se_text_clip(buf, sizeof buf - 1);
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
	if (rc == SE_REQ_PENDING && r->job)
		return 1;
	if (rc == 0 && !r->out && !r->out_text && r->err == SE_ERR_NONE)
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
		      .in = in, .now = time(NULL)};
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
		out->surface = r->match.route->surface == SE_SURFACE_SDK ? "sdk" : "api";
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

int se_pipeline_resume(se_app *app, se_pipeline_call *call, se_http_out *out)
{
	se_req *r = &call->r;
	se_outbound_job *job = r->job;
	se_req_continue_fn cont = r->cont;
	void *ctx = r->cont_ctx;
	void (*ctx_free)(void *) = r->cont_ctx_free;
	r->job = NULL;
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
		se_outbound_job_run(se_pipeline_call_job(call));
		pending = se_pipeline_resume(app, call, out);
	}
}
