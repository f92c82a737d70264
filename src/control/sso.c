/* Control calls of sign-in: presets of the built-in IdP, the assertion and flow logs, SSO tokens without
 * an IdP, and the sign-in settings (SIGNIN.md 6.6). */
#include "control/sso.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "handlers/handlers.h"
#include "request/req.h"
#include "signin/idp.h"
#include "signin/member.h"
#include "signin/state.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

static void failm(se_error_id *ret_err, char **ret_msg, se_error_id e, const char *msg)
{
	*ret_err = e;
	*ret_msg = msg ? strdup(msg) : NULL;
}

static size_t limit_of(const se_http_in *in, size_t dflt, size_t max)
{
	const char *l = se_http_query(in, "limit");
	long n = l ? strtol(l, NULL, 10) : (long)dflt;
	return n < 1 ? 1 : (size_t)n > max ? max : (size_t)n;
}

static bool str_list(const json_t *v)
{
	size_t i;
	json_t *it;
	if (!json_is_array(v) || json_array_size(v) > 100)
		return false;
	json_array_foreach (v, i, it)
		if (!json_is_string(it))
			return false;
	return true;
}

static void preset_add(se_app *app, const json_t *body, json_t **ret, se_error_id *ret_err, char **ret_msg)
{
	static const char *const strs[] = {"protocol",  "connection_id", "email",   "name", "first_name",
	                                   "last_name", "outcome",       "binding", NULL};
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)body, k, v) {
		bool known = se_str_in(k, strs) || strcmp(k, "groups") == 0 || strcmp(k, "attributes") == 0 ||
		             strcmp(k, "count") == 0;
		if (!known || (se_str_in(k, strs) && (!json_is_string(v) || strlen(json_string_value(v)) > 1024))) {
			char msg[160];
			snprintf(msg, sizeof msg,
			         "%.64s is not a preset field or not a string of at most 1024 characters.", k);
			failm(ret_err, ret_msg, SE_ERR_BAD_REQUEST, msg);
			return;
		}
	}
	const char *protocol = se_json_str(body, "protocol"), *outcome = se_json_str(body, "outcome");
	const char *binding = se_json_str(body, "binding"), *email = se_json_str(body, "email");
	static const char *const protocols[] = {"saml", "oidc", NULL}, *const bindings[] = {"post", "redirect", "auto",
	                                                                                    NULL};
	json_t *groups = json_object_get(body, "groups"), *attrs = json_object_get(body, "attributes"),
	       *count = json_object_get(body, "count");
	const char *bad =
	    protocol && !se_str_in(protocol, protocols)             ? "protocol must be saml or oidc."
	    : outcome && !se_idp_outcome_valid(protocol, outcome)   ? "outcome is not an outcome of that protocol."
	    : binding && !se_str_in(binding, bindings)              ? "binding must be post, redirect or auto."
	    : email && (!strchr(email, '@') || strlen(email) > 254) ? "email must be an email address."
	    : groups && !str_list(groups)                           ? "groups must be a list of strings."
	    : attrs && (!json_is_object(attrs) || json_object_size(attrs) > 100) ? "attributes must be an object."
	    : count && (!json_is_integer(count) || json_integer_value(count) < 1 || json_integer_value(count) > 1000)
	        ? "count must be an integer from 1 to 1000."
	        : NULL;
	if (bad) {
		failm(ret_err, ret_msg, SE_ERR_BAD_REQUEST, bad);
		return;
	}
	json_t *p = json_deep_copy(body);
	if (p && !count)
		json_object_set_new(p, "count", json_integer(1));
	json_t *added = p ? se_signin_preset_add(app->signin, p) : NULL;
	if (!added) {
		failm(ret_err, ret_msg, SE_ERR_BAD_REQUEST, "At most 100 presets are kept.");
		return;
	}
	*ret = json_pack("{s:o}", "preset", added);
}

static void token_create(se_app *app, const json_t *body, json_t **ret, se_error_id *ret_err, char **ret_msg)
{
	const char *email = se_json_str(body, "email"), *conn_id = se_json_str(body, "connection_id");
	const char *name = se_json_str(body, "name"), *pkce = se_json_str(body, "pkce_code_challenge");
	json_t *groups = json_object_get(body, "groups");
	if (!email || strlen(email) > 254 || !strchr(email, '@') || !conn_id || (groups && !str_list(groups)) ||
	    (pkce && strlen(pkce) != 43)) {
		failm(ret_err, ret_msg, SE_ERR_BAD_REQUEST,
		      "email and connection_id are required; groups is a list of strings; pkce_code_challenge 43 "
		      "characters.");
		return;
	}
	se_project *project = se_app_project(app);
	se_req r = {.cfg = &app->cfg,
	            .store = app->store,
	            .signin = app->signin,
	            .project = project,
	            .db = se_store_db(app->store),
	            .now = time(NULL)};
	se_h_signin_conn c = {0};
	se_signin_settings st = {0};
	if (!r.db || se_h_signin_conn_get(r.db, conn_id, &c) < 0) {
		failm(ret_err, ret_msg, SE_ERR_SSO_CONNECTION_NOT_FOUND, "connection_id names no SSO connection.");
		goto done;
	}
	const char *org = c.kind_id == SE_KIND_SAML   ? c.u.saml.organization_id
	                  : c.kind_id == SE_KIND_OIDC ? c.u.oidc.organization_id
	                                              : c.u.external.organization_id;
	const char *protocol = c.kind_id == SE_KIND_OIDC ? "oidc" : "saml";
	if (c.kind_id == SE_KIND_EXTERNAL) {
		se_h_signin_conn target = {0};
		if (se_h_signin_conn_get(r.db, c.u.external.external_connection_id, &target) == 0 &&
		    target.kind_id == SE_KIND_OIDC)
			protocol = "oidc";
		se_h_signin_conn_release(&target);
	}
	if (se_store_signin_settings_get(r.db, &st) < 0) {
		failm(ret_err, ret_msg, SE_ERR_INTERNAL, NULL);
		goto done;
	}
	json_t *empty = json_object(), *no_groups = json_array();
	se_signin_target t = {org, conn_id, protocol, NULL, NULL, true};
	se_signin_identity id = {email, name ? name : "", groups ? groups : no_groups, empty, empty, email};
	se_signin_result res;
	if (se_signin_complete(&r, &t, &id, pkce, st.sso_token_lifetime_seconds, &res) < 0) {
		*ret_err = r.err;
		*ret_msg = r.errmsg;
		r.errmsg = NULL;
	} else {
		char exp[21];
		se_time_format(res.expires_at, exp);
		*ret = json_pack("{s:s, s:s, s:s, s:s, s:b}", "token", res.token, "expires_at", exp, "member_id",
		                 res.member_id, "organization_id", org, "is_new_member", res.is_new_member);
		se_signin_result_release(&res);
	}
	json_decref(empty);
	json_decref(no_groups);
done:
	free(r.errmsg);
	se_signin_settings_release(&st);
	se_h_signin_conn_release(&c);
	se_project_unref(project);
}

void se_control_sso(se_app *app, const char *method, const char *name, const se_http_in *in, const json_t *body,
                    json_t **ret, se_error_id *ret_err, char **ret_msg)
{
	*ret = NULL;
	*ret_err = SE_ERR_NONE;
	*ret_msg = NULL;
	bool get = strcmp(method, "GET") == 0;
	if (strcmp(name, "sso/presets") == 0 && strcmp(method, "POST") == 0)
		preset_add(app, body, ret, ret_err, ret_msg);
	else if (strcmp(name, "sso/presets") == 0 && get)
		*ret = json_pack("{s:o}", "presets", se_signin_presets(app->signin));
	else if (strcmp(name, "sso/presets") == 0) {
		se_signin_presets_clear(app->signin);
		*ret = json_pack("{s:[]}", "presets");
	} else if (strcmp(name, "sso/assertions") == 0)
		*ret = json_pack("{s:o}", "assertions",
		                 se_signin_log(app->signin, limit_of(in, SE_SIGNIN_LOG_SIZE, SE_SIGNIN_LOG_SIZE)));
	else if (strcmp(name, "sso/flows") == 0)
		*ret = json_pack("{s:o}", "flows",
		                 se_signin_flows(app->signin, limit_of(in, 100, SE_SIGNIN_MAX_FLOWS), time(NULL)));
	else if (strcmp(name, "sso/tokens") == 0)
		token_create(app, body, ret, ret_err, ret_msg);
	if (!*ret && *ret_err == SE_ERR_NONE)
		*ret_err = SE_ERR_INTERNAL;
}

int se_control_sso_config_key(const char *key)
{
	return strcmp(key, "pkce_required_for_sso") == 0 || strcmp(key, "allow_loopback_redirect_urls") == 0 ||
	       strcmp(key, "sso_token_lifetime_seconds") == 0;
}

int se_control_sso_config(se_app *app, json_t *config)
{
	se_db *db = se_store_db(app->store);
	se_signin_settings st;
	if (!db || se_store_signin_settings_get(db, &st) < 0)
		return SE_EDB;
	json_object_set_new(config, "pkce_required_for_sso", json_boolean(st.pkce_required_for_sso));
	json_object_set_new(config, "allow_loopback_redirect_urls", json_boolean(st.allow_loopback_redirect_urls));
	json_object_set_new(config, "sso_token_lifetime_seconds", json_integer(st.sso_token_lifetime_seconds));
	se_signin_settings_release(&st);
	return 0;
}

int se_control_sso_config_patch(se_app *app, const json_t *body, char **ret_msg)
{
	json_t *pkce = json_object_get(body, "pkce_required_for_sso"),
	       *loop = json_object_get(body, "allow_loopback_redirect_urls"),
	       *life = json_object_get(body, "sso_token_lifetime_seconds");
	*ret_msg = NULL;
	if (!pkce && !loop && !life)
		return 0;
	if ((pkce && !json_is_boolean(pkce)) || (loop && !json_is_boolean(loop))) {
		*ret_msg = strdup("pkce_required_for_sso and allow_loopback_redirect_urls must be booleans.");
		return SE_EINVAL;
	}
	if (life && (!json_is_integer(life) || json_integer_value(life) < 1 || json_integer_value(life) > 3600)) {
		*ret_msg = strdup("sso_token_lifetime_seconds must be an integer from 1 to 3600.");
		return SE_EINVAL;
	}
	se_db *db = se_store_db(app->store);
	se_signin_settings st;
	if (!db || se_db_begin(db) < 0)
		return SE_EDB;
	int r = se_store_signin_settings_get(db, &st);
	if (r == 0) {
		if (pkce)
			st.pkce_required_for_sso = json_is_true(pkce);
		if (loop)
			st.allow_loopback_redirect_urls = json_is_true(loop);
		if (life)
			st.sso_token_lifetime_seconds = (int)json_integer_value(life);
		r = se_store_signin_settings_put(db, &st);
		se_signin_settings_release(&st);
	}
	if (r < 0) {
		se_db_rollback(db);
		return r;
	}
	return se_db_commit(db);
}
