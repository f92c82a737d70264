/* The control API under /_emulator/: a small table of calls, admin-token checking, and the calls
 * themselves. Bodies in and out are bare JSON objects; errors use the catalog's error body. */
#include "control/sso.h"
#include "signin/state.h"
#include "control/control.h"
#include "control/ui.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto/digest.h"
#include "crypto/keypool.h"
#include "crypto/rand.h"
#include "util/time.h"
#include "request/errors.h"
#include "util/errors_code.h"
#include "core/cors.h"
#include "core/faults.h"
#include "core/mask.h"
#include "store/fixtures.h"
#include "model/ids.h"
#include "model/render.h"
#include "core/ratelimit.h"
#include "core/reqlog.h"
#include "request/router.h"
#include "auth/session.h"
#include "store/store.h"
#include "util/text.h"
#include "util/util.h"

/* Settings bounds, the same as the command line's --rate-limit. */
#define RATE_MAX_REQUESTS 1000000
#define RATE_MAX_SECONDS 86400
/* Session lengths Stytch accepts: 5 minutes to 366 days. */
#define SESSION_MIN_MINUTES 5
#define SESSION_MAX_MINUTES 527040
#define SESSION_TOKEN_RANDOM 40
/* A state document may list far more than the API's per-request item limit; the 1 MiB body cap
 * bounds it anyway. */
#define STATE_MAX_ITEMS (1024 * 1024)

/* One control call as it is answered. */
typedef struct ctl {
	se_app *app;
	const se_http_in *in;
	se_http_out *out;
	const char *arg; /* the decoded {session_token} of sessions/{session_token} */
	json_t *body;    /* the request's JSON object ({} when there is none) */
	json_t *result;  /* the success body */
	bool served;     /* the answer is already in out (the dashboard's files) */
	se_error_id err;
	char *errmsg;
} ctl;

typedef int (*ctl_fn)(ctl *c);

static int fail(ctl *c, se_error_id id, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(ctl *c, se_error_id id, const char *fmt, ...)
{
	c->err = id;
	free(c->errmsg);
	c->errmsg = NULL;
	if (fmt) {
		char buf[1024];
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		/* Messages echo values (a raw path): cut and repaired as UTF-8, or the error body could not be built. */
		c->errmsg = se_text_clip(buf, sizeof buf - 1);
	}
	return -1;
}

static int internal(ctl *c)
{
	return fail(c, SE_ERR_INTERNAL, NULL);
}

/* Sets the success body (stolen); NULL is an allocation failure. */
static int ok(ctl *c, json_t *result)
{
	if (!result)
		return internal(c);
	c->result = result;
	return 0;
}

bool se_control_path(const char *path)
{
	return path && strncmp(path, SE_CONTROL_PREFIX, strlen(SE_CONTROL_PREFIX)) == 0;
}

int se_control_request_id(char *buf, size_t size)
{
	unsigned char b[16];
	if (RAND_bytes(b, sizeof b) != 1)
		return SE_ECRYPTO;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	int n = snprintf(buf, size,
			 SE_ID_REQUEST "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
			 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return n > 0 && (size_t)n < size ? 0 : SE_ELIMIT;
}

/* --- reset and state ---------------------------------------------------------------------------- */

/* Replaces the whole store with doc in one transaction; on failure rolls back and *ret_why
 * (malloc'd, may stay NULL for a database failure) says what is wrong with doc. */
static int replace_store(se_app *app, const json_t *doc, char **ret_why)
{
	se_db *db = se_store_db(app->store);
	*ret_why = NULL;
	if (!db || se_db_begin(db) < 0)
		return SE_EDB;
	int r = se_store_clear(db);
	if (r == 0)
		r = se_fixtures_apply(db, doc, time(NULL), ret_why);
	if (r < 0) {
		se_db_rollback(db);
		return r;
	}
	return se_db_commit(db);
}

int se_control_reset(se_app *app, char **ret_error)
{
	json_t *doc = NULL;
	char *why = NULL;
	*ret_error = NULL;
	int r = se_fixtures_load(app->cfg.fixtures_path, &doc, ret_error);
	if (r < 0)
		return r;
	/* A restarted stream makes what follows a reset the same as what follows a fresh start. */
	if (app->cfg.seeded) {
		se_crypto_seed(app->cfg.seed);
		se_keypool_restart(app->keypool);
	}
	r = replace_store(app, doc, &why);
	json_decref(doc);
	if (r < 0) {
		*ret_error = why ? se_asprintf("fixtures %s: %s", app->cfg.fixtures_path ? app->cfg.fixtures_path
											  : "(built in)",
					       why)
				 : strdup("database: the fixtures could not be written");
		free(why);
		return r;
	}
	if ((r = se_app_reload_project(app)) < 0) {
		*ret_error = strdup("database: the project could not be reloaded");
		return r;
	}
	se_ratelimit_set(app->ratelimit, app->cfg.rate_requests, app->cfg.rate_seconds);
	se_faults_clear(app->faults);
	se_reqlog_clear(app->reqlog);
	se_signin_reset(app->signin);
	return 0;
}

static int h_health(ctl *c)
{
	return ok(c, json_pack("{s:s}", "status", "ok"));
}

/* The dashboard's files (control/ui.h); the answer is complete in c->out. */
static int h_ui(ctl *c)
{
	int r = se_ui_serve(c->arg, se_http_header(c->in, "If-None-Match"), c->out);
	if (r == SE_ENOTFOUND)
		return fail(c, SE_ERR_ROUTE_NOT_FOUND, "No dashboard file %.64s.", c->arg);
	if (r < 0)
		return internal(c);
	c->served = true;
	return 0;
}

static int h_reset(ctl *c)
{
	char *error = NULL;
	if (se_control_reset(c->app, &error) < 0) {
		fail(c, SE_ERR_INTERNAL, "%s", error ? error : "The reset failed.");
		free(error);
		return -1;
	}
	return ok(c, json_pack("{s:s}", "status", "ok"));
}

static int h_state_get(ctl *c)
{
	se_db *db = se_store_db(c->app->store);
	json_t *doc = NULL;
	if (!db || se_fixtures_export(db, &doc) < 0)
		return internal(c);
	return ok(c, doc);
}

static int h_state_put(ctl *c)
{
	char *why = NULL;
	int r = replace_store(c->app, c->body, &why);
	if (r < 0) {
		if (why)
			fail(c, SE_ERR_BAD_REQUEST, "%s", why);
		else
			internal(c);
		free(why);
		return -1;
	}
	if (se_app_reload_project(c->app) < 0)
		return internal(c);
	se_ratelimit_clear(c->app->ratelimit);
	return ok(c, json_pack("{s:s}", "status", "ok"));
}

/* --- members (SCIM.md 8) ------------------------------------------------------------------------ */

#define MEMBERS_MAX 1000
#define MEMBERS_DEFAULT 100

/* A member as the control API shows it: rendered with its status, roles and their sources, and its
 * SCIM registration. New reference or NULL. */
static json_t *member_view(se_db *db, const se_member *stored)
{
	se_member m = {0};
	json_t *o = NULL;
	m.member_id = strdup(stored->member_id);
	m.organization_id = strdup(stored->organization_id);
	m.email_address = strdup(stored->email_address);
	m.name = strdup(stored->name);
	m.roles = json_deep_copy(stored->roles);
	m.created_at = strdup(stored->created_at);
	m.status = strdup(stored->status ? stored->status : "active");
	if (m.member_id && m.organization_id && m.email_address && m.name && m.roles && m.created_at && m.status &&
	    se_store_scim_member_complete(db, &m) == 0)
		o = se_render_member(&m);
	se_member_release(&m);
	return o;
}

typedef struct members_ctx {
	se_db *db;
	const char *org_id;
	size_t limit;
	json_t *list;
} members_ctx;

static int members_one(const se_member *m, void *v)
{
	members_ctx *mc = v;
	if (mc->org_id && strcmp(m->organization_id, mc->org_id) != 0)
		return 0;
	if (json_array_size(mc->list) >= mc->limit)
		return 1;
	json_t *o = member_view(mc->db, m);
	return o && json_array_append_new(mc->list, o) == 0 ? 0 : SE_ENOMEM;
}

static int h_members_list(ctl *c)
{
	se_db *db = se_store_db(c->app->store);
	se_org org = {0};
	members_ctx mc = {.db = db, .limit = MEMBERS_DEFAULT};
	const char *q = se_http_query(c->in, "limit"), *org_q = se_http_query(c->in, "organization_id");
	if (!db)
		return internal(c);
	if (q) {
		char *end = NULL;
		bool digits = *q >= '0' && *q <= '9';
		unsigned long long v = digits ? strtoull(q, &end, 10) : 0;
		if (!digits || *end || v < 1 || v > MEMBERS_MAX)
			return fail(c, SE_ERR_BAD_REQUEST, "limit must be an integer from 1 to %d.", MEMBERS_MAX);
		mc.limit = (size_t)v;
	}
	if (org_q) {
		int g = se_store_org_get(db, org_q, true, &org);
		if (g == SE_ENOTFOUND)
			return fail(c, SE_ERR_ORGANIZATION_NOT_FOUND, "Organization %s could not be found.", org_q);
		if (g < 0)
			return internal(c);
		mc.org_id = org.organization_id;
	}
	mc.list = json_array();
	int r = mc.list ? se_store_member_each(db, members_one, &mc) : SE_ENOMEM;
	se_org_release(&org);
	if (r < 0) {
		json_decref(mc.list);
		return internal(c);
	}
	return ok(c, json_pack("{s:o}", "members", mc.list));
}

static int h_member_get(ctl *c)
{
	se_db *db = se_store_db(c->app->store);
	se_member m;
	if (!db)
		return internal(c);
	int g = se_store_member_get(db, c->arg, &m);
	if (g == SE_ENOTFOUND)
		return fail(c, SE_ERR_MEMBER_NOT_FOUND, "Member %s could not be found.", c->arg);
	if (g < 0)
		return internal(c);
	json_t *o = member_view(db, &m);
	se_member_release(&m);
	return ok(c, o ? json_pack("{s:o}", "member", o) : NULL);
}

/* --- sessions ----------------------------------------------------------------------------------- */

typedef struct email_match {
	const char *email;
	const char *org_id; /* NULL: any organization */
	int count;
	se_member member; /* the first match */
} email_match;

static int match_email(const se_member *m, void *v)
{
	email_match *em = v;
	if (strcasecmp(m->email_address, em->email) != 0 || (em->org_id && strcmp(m->organization_id, em->org_id) != 0))
		return 0;
	if (em->count++ == 0) {
		em->member.member_id = strdup(m->member_id);
		em->member.organization_id = strdup(m->organization_id);
		em->member.email_address = strdup(m->email_address);
		em->member.name = strdup(m->name);
		em->member.roles = json_deep_copy(m->roles);
		em->member.created_at = strdup(m->created_at);
		em->member.status = strdup(m->status ? m->status : "active");
		if (!em->member.member_id || !em->member.organization_id || !em->member.email_address || !em->member.name ||
		    !em->member.roles || !em->member.created_at || !em->member.status)
			return SE_ENOMEM;
	}
	return 0;
}

/* Finds the member a session is asked for: by member_id, or by email (case-insensitive), in
 * organization_id (id or slug) when given. */
static int find_member(ctl *c, se_db *db, se_member *ret)
{
	json_t *email_v = json_object_get(c->body, "email"), *id_v = json_object_get(c->body, "member_id"),
	       *org_v = json_object_get(c->body, "organization_id");
	const char *email = json_string_value(email_v), *id = json_string_value(id_v), *org_id = NULL;
	se_org org = {0};
	if (email_v && !json_is_null(email_v) && (!email || !*email))
		return fail(c, SE_ERR_BAD_REQUEST, "email must be a non-empty string.");
	if (id_v && !json_is_null(id_v) && (!id || !*id))
		return fail(c, SE_ERR_BAD_REQUEST, "member_id must be a non-empty string.");
	if (org_v && !json_is_null(org_v) && !json_is_string(org_v))
		return fail(c, SE_ERR_BAD_REQUEST, "organization_id must be a string.");
	if (!email && !id)
		return fail(c, SE_ERR_BAD_REQUEST, "Give email or member_id.");
	if (email && id)
		return fail(c, SE_ERR_BAD_REQUEST, "Give email or member_id, not both.");
	if (json_is_string(org_v)) {
		int g = se_store_org_get(db, json_string_value(org_v), true, &org);
		if (g == SE_ENOTFOUND)
			return fail(c, SE_ERR_ORGANIZATION_NOT_FOUND, "Organization %s could not be found.",
				    json_string_value(org_v));
		if (g < 0)
			return internal(c);
		org_id = org.organization_id;
	}
	int rc = -1;
	if (id) {
		int g = se_store_member_get(db, id, ret);
		if (g == 0 && org_id && strcmp(ret->organization_id, org_id) != 0) {
			se_member_release(ret);
			g = SE_ENOTFOUND;
		}
		if (g == SE_ENOTFOUND)
			fail(c, SE_ERR_MEMBER_NOT_FOUND, "Member %s could not be found.", id);
		else if (g < 0)
			internal(c);
		else
			rc = 0;
		goto done;
	}
	email_match em = {.email = email, .org_id = org_id};
	int g = se_store_member_each(db, match_email, &em);
	if (g < 0)
		internal(c);
	else if (em.count == 0)
		fail(c, SE_ERR_MEMBER_NOT_FOUND, "No member has the email address %s.", email);
	else if (em.count > 1)
		fail(c, SE_ERR_BAD_REQUEST, "%d members of different organizations have the email address %s: give "
					    "organization_id too.", em.count, email);
	else {
		*ret = em.member;
		memset(&em.member, 0, sizeof em.member);
		rc = 0;
	}
	se_member_release(&em.member);
done:
	se_org_release(&org);
	return rc;
}

static int h_session_create(ctl *c)
{
	se_db *db = se_store_db(c->app->store);
	se_project *p = se_app_project(c->app);
	se_member m = {0};
	se_org org = {0};
	se_session s = {0};
	char token[sizeof "session-test-" + SESSION_TOKEN_RANDOM], msid[80], started[21], expires[21];
	char *jwt = NULL;
	time_t now = time(NULL);
	json_int_t minutes = SE_CONTROL_SESSION_MINUTES;
	int rc = -1;
	json_t *dur = json_object_get(c->body, "session_duration_minutes");
	if (!db || !p) {
		internal(c);
		goto done;
	}
	if (dur && !json_is_null(dur)) {
		if (!json_is_integer(dur) || json_integer_value(dur) < SESSION_MIN_MINUTES ||
		    json_integer_value(dur) > SESSION_MAX_MINUTES) {
			fail(c, SE_ERR_BAD_REQUEST, "session_duration_minutes must be an integer from %d to %d.",
			     SESSION_MIN_MINUTES, SESSION_MAX_MINUTES);
			goto done;
		}
		minutes = json_integer_value(dur);
	}
	if (find_member(c, db, &m) < 0)
		goto done;
	if (m.status && strcmp(m.status, "active") != 0) {
		fail(c, SE_ERR_BAD_REQUEST, "Member %s has status %s: it cannot get a session.", m.member_id, m.status);
		goto done;
	}
	if (se_store_scim_member_complete(db, &m) < 0) {
		internal(c);
		goto done;
	}
	if (se_store_org_get(db, m.organization_id, false, &org) < 0) {
		internal(c);
		goto done;
	}
	memcpy(token, "session-test-", sizeof "session-test-" - 1);
	if (se_crypto_random_alnum(token + sizeof "session-test-" - 1, SESSION_TOKEN_RANDOM) < 0 ||
	    se_id_format(SE_ID_SESSION, msid, sizeof msid) < 0) {
		internal(c);
		goto done;
	}
	se_time_format(now, started);
	se_time_format(now + (time_t)minutes * 60, expires);
	s.session_token = token;
	s.member_session_id = msid;
	s.member_id = m.member_id;
	s.started_at = started;
	s.expires_at = expires;
	if (se_db_begin(db) < 0) {
		internal(c);
		goto done;
	}
	if (se_store_session_insert(db, &s) < 0) {
		se_db_rollback(db);
		internal(c);
		goto done;
	}
	if (se_db_commit(db) < 0 || se_session_jwt(c->app->jwt_key, p, &s, &m, &org, now, &jwt) < 0) {
		internal(c);
		goto done;
	}
	rc = ok(c, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "member_id", m.member_id, "organization_id",
			     m.organization_id, "member_session_id", msid, "session_token", token, "session_jwt", jwt,
			     "expires_at", expires));
done:
	OPENSSL_cleanse(token, sizeof token);
	free(jwt);
	se_member_release(&m);
	se_org_release(&org);
	se_project_unref(p);
	return rc;
}

static int h_session_delete(ctl *c)
{
	se_db *db = se_store_db(c->app->store);
	se_session s = {0};
	if (!db || se_db_begin(db) < 0)
		return internal(c);
	int g = se_store_session_get(db, c->arg, &s);
	if (g == 0)
		g = se_store_session_delete(db, c->arg);
	if (g < 0) {
		se_db_rollback(db);
		se_session_release(&s);
		return g == SE_ENOTFOUND ? fail(c, SE_ERR_SESSION_NOT_FOUND, NULL) : internal(c);
	}
	if (se_db_commit(db) < 0) {
		se_session_release(&s);
		return internal(c);
	}
	int rc = ok(c, json_pack("{s:s, s:s, s:s}", "status", "ok", "member_session_id", s.member_session_id, "member_id",
				 s.member_id));
	se_session_release(&s);
	return rc;
}

/* --- faults and the request log ----------------------------------------------------------------- */

static int h_faults_add(ctl *c)
{
	json_t *rule = NULL;
	char *why = NULL;
	int r = se_faults_add(c->app->faults, c->body, &rule, &why);
	if (r < 0) {
		if (r == SE_ENOMEM)
			internal(c);
		else
			fail(c, SE_ERR_BAD_REQUEST, "%s", why ? why : "The fault rule is invalid.");
		free(why);
		return -1;
	}
	return ok(c, json_pack("{s:o}", "fault", rule));
}

static int h_faults_list(ctl *c)
{
	json_t *list = se_faults_list(c->app->faults);
	return ok(c, list ? json_pack("{s:o}", "faults", list) : NULL);
}

static int h_faults_clear(ctl *c)
{
	size_t n = se_faults_clear(c->app->faults);
	return ok(c, json_pack("{s:s, s:I}", "status", "ok", "cleared", (json_int_t)n));
}

static int h_requests(ctl *c)
{
	size_t cap = se_reqlog_capacity(c->app->reqlog), limit = 100 < cap ? 100 : cap;
	const char *q = se_http_query(c->in, "limit");
	if (q) {
		char *end = NULL;
		unsigned long long v = 0;
		bool digits = *q >= '0' && *q <= '9';
		if (digits)
			v = strtoull(q, &end, 10);
		if (!digits || *end || v < 1 || v > cap)
			return fail(c, SE_ERR_BAD_REQUEST, "limit must be an integer from 1 to %zu.", cap);
		limit = (size_t)v;
	}
	json_t *list = se_reqlog_list(c->app->reqlog, limit);
	return ok(c, list ? json_pack("{s:o}", "requests", list) : NULL);
}

/* --- runtime settings --------------------------------------------------------------------------- */

static json_t *config_json(se_app *app)
{
	unsigned req = 0, sec = 0;
	se_project *p = se_app_project(app);
	se_ratelimit_get(app->ratelimit, &req, &sec);
	json_t *rate = req ? json_pack("{s:i, s:i}", "requests", (int)req, "seconds", (int)sec) : json_null();
	json_t *o = NULL;
	/* json_pack takes rate ("o") whether it succeeds or not. */
	if (p && rate)
		o = json_pack("{s:o, s:b}", "rate_limit", rate, "sdk_member_actions_enabled", p->sdk_member_actions_enabled);
	else
		json_decref(rate);
	if (o && se_control_sso_config(app, o) < 0) {
		json_decref(o);
		o = NULL;
	}
	se_project_unref(p);
	return o;
}

static int h_config_get(ctl *c)
{
	return ok(c, config_json(c->app));
}

/* Writes the project's SDK member-actions setting in a transaction and republishes the project. */
static int set_member_actions(se_app *app, bool enabled)
{
	se_db *db = se_store_db(app->store);
	se_project *p = NULL;
	if (!db || se_db_begin(db) < 0)
		return SE_EDB;
	int r = se_store_project_get(db, &p);
	if (r == 0) {
		p->sdk_member_actions_enabled = enabled;
		r = se_store_project_put(db, p);
		se_project_unref(p);
	}
	if (r < 0) {
		se_db_rollback(db);
		return r;
	}
	if ((r = se_db_commit(db)) < 0)
		return r;
	return se_app_reload_project(app);
}

static int h_config_patch(ctl *c)
{
	const char *key;
	json_t *v, *rate = json_object_get(c->body, "rate_limit"), *actions = json_object_get(c->body,
											    "sdk_member_actions_enabled");
	json_int_t req = 0, sec = 1;
	json_object_foreach(c->body, key, v) {
		if (strcmp(key, "rate_limit") != 0 && strcmp(key, "sdk_member_actions_enabled") != 0 &&
		    !se_control_sso_config_key(key))
			return fail(c, SE_ERR_BAD_REQUEST,
				    "%.64s is not a setting (rate_limit, sdk_member_actions_enabled, pkce_required_for_sso, "
				    "allow_loopback_redirect_urls, sso_token_lifetime_seconds).",
				    key);
	}
	if (rate && !json_is_null(rate)) {
		json_t *r = json_object_get(rate, "requests"), *s = json_object_get(rate, "seconds");
		if (!json_is_object(rate) || json_object_size(rate) != 2 || !json_is_integer(r) || !json_is_integer(s))
			return fail(c, SE_ERR_BAD_REQUEST, "rate_limit must be null or {\"requests\": N, \"seconds\": S}.");
		req = json_integer_value(r);
		sec = json_integer_value(s);
		if (req < 1 || req > RATE_MAX_REQUESTS)
			return fail(c, SE_ERR_BAD_REQUEST, "rate_limit.requests must be from 1 to %d.", RATE_MAX_REQUESTS);
		if (sec < 1 || sec > RATE_MAX_SECONDS)
			return fail(c, SE_ERR_BAD_REQUEST, "rate_limit.seconds must be from 1 to %d.", RATE_MAX_SECONDS);
	}
	if (actions && !json_is_boolean(actions))
		return fail(c, SE_ERR_BAD_REQUEST, "sdk_member_actions_enabled must be a boolean.");
	char *sso_msg = NULL;
	int sso = se_control_sso_config_patch(c->app, c->body, &sso_msg);
	if (sso < 0) {
		int rc = sso == SE_EINVAL ? fail(c, SE_ERR_BAD_REQUEST, "%s", sso_msg) : internal(c);
		free(sso_msg);
		return rc;
	}
	/* The one step that can fail goes first, so that a failure leaves both settings as they were. */
	if (actions && set_member_actions(c->app, json_is_true(actions)) < 0)
		return internal(c);
	if (rate)
		se_ratelimit_set(c->app->ratelimit, (unsigned)req, (unsigned)sec);
	return ok(c, config_json(c->app));
}

/* Sign-in's calls (control/sso.c). */
static int h_sso(ctl *c)
{
	json_t *res = NULL;
	se_error_id e = SE_ERR_NONE;
	char *msg = NULL;
	se_control_sso(c->app, c->in->method, c->in->path + strlen(SE_CONTROL_PREFIX), c->in, c->body, &res, &e, &msg);
	int rc = res ? ok(c, res) : msg ? fail(c, e, "%s", msg) : fail(c, e, NULL);
	free(msg);
	return rc;
}

/* --- dispatch ----------------------------------------------------------------------------------- */

typedef struct ctl_route {
	const char *method;
	const char *name; /* the path after /_emulator/; a trailing '/' takes one parameter */
	ctl_fn fn;
	bool public; /* answered without the admin token */
} ctl_route;

static const ctl_route routes[] = {
	{"GET", "health", h_health, true},
	/* The dashboard's files carry no data: a browser cannot send the admin token to load them. */
	{"GET", "ui", h_ui, true},
	{"GET", "ui/", h_ui, true},
	{"POST", "reset", h_reset, false},
	{"POST", "sessions", h_session_create, false},
	{"DELETE", "sessions/", h_session_delete, false},
	{"POST", "faults", h_faults_add, false},
	{"GET", "faults", h_faults_list, false},
	{"DELETE", "faults", h_faults_clear, false},
	{"GET", "requests", h_requests, false},
	{"GET", "members", h_members_list, false},
	{"GET", "members/", h_member_get, false},
	{"GET", "state", h_state_get, false},
	{"PUT", "state", h_state_put, false},
	{"GET", "config", h_config_get, false},
	{"PATCH", "config", h_config_patch, false},
	{"POST", "sso/presets", h_sso, false},
	{"GET", "sso/presets", h_sso, false},
	{"DELETE", "sso/presets", h_sso, false},
	{"GET", "sso/assertions", h_sso, false},
	{"GET", "sso/flows", h_sso, false},
	{"POST", "sso/tokens", h_sso, false},
};

/* The row for method and the path after the prefix; *ret_arg gets a parameter's raw text. */
static const ctl_route *find(const char *method, const char *rest, const char **ret_arg)
{
	for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
		const ctl_route *rt = &routes[i];
		size_t len = strlen(rt->name);
		if (strcmp(rt->method, method) != 0)
			continue;
		if (rt->name[len - 1] == '/') {
			if (strncmp(rest, rt->name, len) == 0 && rest[len] && !strchr(rest + len, '/')) {
				*ret_arg = rest + len;
				return rt;
			}
		} else if (strcmp(rest, rt->name) == 0) {
			return rt;
		}
	}
	return NULL;
}

/* With --admin-token, whether the request carries "Authorization: Bearer <token>". */
static bool admin_ok(const se_app *app, const se_http_in *in)
{
	if (!app->cfg.admin_token)
		return true;
	const char *h = se_http_header(in, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	return se_crypto_streq(h, app->cfg.admin_token);
}

static int parse_body(ctl *c)
{
	const se_http_in *in = c->in;
	json_error_t jerr;
	if (in->body_len == 0 || strcmp(in->method, "GET") == 0 || strcmp(in->method, "DELETE") == 0) {
		c->body = json_object();
		return c->body ? 0 : internal(c);
	}
	if (se_json_too_deep(in->body, in->body_len, SE_JSON_MAX_DEPTH))
		return fail(c, SE_ERR_BAD_REQUEST, "The request body nests deeper than %d levels.", SE_JSON_MAX_DEPTH);
	c->body = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!c->body)
		return fail(c, SE_ERR_BAD_REQUEST, "The request body is not valid JSON: %s (line %d, column %d).", jerr.text,
			    jerr.line, jerr.column);
	if (!json_is_object(c->body))
		return fail(c, SE_ERR_BAD_REQUEST, "The request body must be a JSON object.");
	if (se_json_check_sizes(c->body, SE_JSON_MAX_STRING, STATE_MAX_ITEMS) < 0)
		return fail(c, SE_ERR_BAD_REQUEST, "The request body has a string longer than %d bytes.", SE_JSON_MAX_STRING);
	return 0;
}

/* Percent-decodes a path parameter into buf; SE_EINVAL when too long, badly escaped or empty. */
static int decode_arg(const char *raw, char *buf, size_t size)
{
	if (strlen(raw) >= size)
		return SE_EINVAL;
	strcpy(buf, raw);
	return se_percent_decode(buf) < 0 || !*buf ? SE_EINVAL : 0;
}

/* The path for logs (core/mask.h): the session token of sessions/{session_token} and anything
 * shaped like a credential masked, control bytes escaped, cut short. */
static char *log_path(se_app *app, const char *path)
{
	static const char sessions[] = SE_CONTROL_PREFIX "sessions/";
	se_project *p = se_app_project(app);
	const char *list[4];
	size_t n = 0;
	if (p && p->secret)
		list[n++] = p->secret;
	if (p && p->public_token)
		list[n++] = p->public_token;
	if (app->cfg.admin_token)
		list[n++] = app->cfg.admin_token;
	list[n] = NULL;
	bool session = strncmp(path, sessions, sizeof sessions - 1) == 0;
	char *out = se_mask_path(path, session ? SE_CONTROL_PREFIX "sessions/{session_token}" : NULL, list, SE_LOG_PATH_MAX);
	se_project_unref(p);
	return out;
}

/* Whether the request's Content-Type is application/json (parameters such as charset allowed). */
static bool json_content_type(const se_http_in *in)
{
	const char *ct = se_http_header(in, "Content-Type");
	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, "; \t");
	return n == strlen("application/json") && strncasecmp(ct, "application/json", n) == 0;
}

/* The control API's protections against web pages and the network, before anything else (README
 * "Security model"): protected mode (a non-loopback listen address without --admin-token answers
 * only loopback clients), the Origin rule, and JSON-only writes, which a page cannot send
 * cross-origin without a preflight. Returns 0 or fails c. */
static int protect(ctl *c, const ctl_route *rt)
{
	const se_http_in *in = c->in;
	const char *origin = se_http_header(in, "Origin");
	if (c->app->cfg.protected_mode && !in->peer_loopback && !(rt && rt->fn == h_health))
		return fail(c, SE_ERR_CONTROL_API_PROTECTED, NULL);
	if (origin && !se_cors_allowed(&c->app->cfg, origin))
		return fail(c, SE_ERR_ORIGIN_NOT_ALLOWED, NULL);
	/* A write with a body must say it is JSON; one without a body (reset, the deletes) may say
	 * nothing, but never another type: a form or text/plain request is what a page can send. */
	bool write = strcmp(in->method, "GET") != 0 && strcmp(in->method, "HEAD") != 0;
	if (write && !json_content_type(in) && (in->body_len > 0 || se_http_header(in, "Content-Type")))
		return fail(c, SE_ERR_CONTENT_TYPE_NOT_JSON, "Control API writes (%s) need Content-Type: application/json.",
			    in->method);
	return 0;
}

void se_control_handle(se_app *app, const se_http_in *in, se_http_out *out)
{
	ctl c = {.app = app, .in = in, .out = out};
	char arg[SE_ROUTE_PARAM_MAX] = "";
	const char *raw = NULL;
	out->surface = "control";
	out->log = 0;
	const ctl_route *rt = find(in->method, in->path + strlen(SE_CONTROL_PREFIX), &raw);
	if (protect(&c, rt) < 0) {
		/* refused before anything else */
	} else if (in->body_too_large) {
		fail(&c, SE_ERR_BODY_TOO_LARGE, NULL);
	} else if (!(rt && rt->public) && !admin_ok(app, in)) {
		fail(&c, SE_ERR_UNAUTHORIZED_CREDENTIALS, NULL);
	} else if (!rt) {
		fail(&c, SE_ERR_ROUTE_NOT_FOUND, "No route for %s %s.", in->method, in->path);
	} else if (raw && decode_arg(raw, arg, sizeof arg) < 0) {
		fail(&c, SE_ERR_BAD_REQUEST, "The path parameter is not valid.");
	} else if (parse_body(&c) == 0) {
		c.arg = raw ? arg : NULL;
		rt->fn(&c);
	}

	if (c.served && c.err == SE_ERR_NONE) {
		/* Only the embedded files' own names get here: nothing in the path to mask. */
		out->log_path = se_asprintf(SE_UI_PATH "%s%s", c.arg ? "/" : "", c.arg ? c.arg : "");
		json_decref(c.body);
		return;
	}
	json_t *body = c.err == SE_ERR_NONE && c.result ? json_incref(c.result) : NULL;
	if (body) {
		out->status = 200;
	} else {
		if (c.err == SE_ERR_NONE)
			c.err = SE_ERR_INTERNAL;
		body = se_error_body(c.err, c.errmsg, out->request_id);
		out->status = se_error_status(c.err);
		out->error_type = se_error_type(c.err);
	}
	/* Six significant digits keep the request log's durations free of binary float noise. */
	out->body = body ? json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(6)) : NULL;
	if (!out->body) {
		/* Out of memory even for the body: a fixed error body still answers. */
		out->status = 500;
		out->error_type = se_error_type(SE_ERR_INTERNAL);
		out->body = se_asprintf("{\"status_code\":500,\"request_id\":\"%s\",\"error_type\":\"internal_server_error\","
					"\"error_message\":\"%s\",\"error_url\":\"https://stytch.com/docs/api/errors/500\"}",
					out->request_id, se_error_default_message(SE_ERR_INTERNAL));
	}
	out->body_len = out->body ? strlen(out->body) : 0;
	out->log_path = log_path(app, in->path);
	se_http_out_header(out, "Content-Type", "application/json");
	OPENSSL_cleanse(arg, sizeof arg);
	json_decref(body);
	json_decref(c.result);
	json_decref(c.body);
	free(c.errmsg);
}
