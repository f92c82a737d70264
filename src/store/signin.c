/* Queries of the sign-in tables (schema/004_signin.sql) and their part of fixtures and state export. */
#include "store/signin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

static void bind(sqlite3_stmt *st, int i, const char *v)
{
	sqlite3_bind_text(st, i, v ? v : "", -1, SQLITE_STATIC);
}

static int step_done(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? 0 : SE_EDB;
}

/* --- settings ---------------------------------------------------------------------------------- */

void se_signin_settings_release(se_signin_settings *s)
{
	json_decref(s->redirect_urls);
	json_decref(s->idp_users);
	memset(s, 0, sizeof *s);
}

int se_store_signin_settings_get(se_db *db, se_signin_settings *ret)
{
	memset(ret, 0, sizeof *ret);
	sqlite3_stmt *st = se_db_stmt(db, "SELECT redirect_urls, allow_loopback_redirect_urls, pkce_required_for_sso, "
	                                  "sso_token_lifetime_seconds, idp_users FROM signin_settings WHERE id = 1");
	if (!st)
		return SE_EDB;
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->redirect_urls = se_db_col_json(st, 0);
		ret->allow_loopback_redirect_urls = sqlite3_column_int(st, 1) != 0;
		ret->pkce_required_for_sso = sqlite3_column_int(st, 2) != 0;
		ret->sso_token_lifetime_seconds = sqlite3_column_int(st, 3);
		ret->idp_users = se_db_col_json(st, 4);
	} else {
		ret->redirect_urls = json_array();
		ret->allow_loopback_redirect_urls = true;
		ret->sso_token_lifetime_seconds = 600;
		ret->idp_users = json_array();
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		se_signin_settings_release(ret);
		return SE_EDB;
	}
	if (!ret->redirect_urls || !ret->idp_users) {
		se_signin_settings_release(ret);
		return SE_ENOMEM;
	}
	return 0;
}

int se_store_signin_settings_put(se_db *db, const se_signin_settings *s)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "INSERT OR REPLACE INTO signin_settings (id, redirect_urls, "
	                   "allow_loopback_redirect_urls, pkce_required_for_sso, sso_token_lifetime_seconds, "
	                   "idp_users) VALUES (1, ?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	if (se_db_bind_json(st, 1, s->redirect_urls) < 0 || se_db_bind_json(st, 5, s->idp_users) < 0)
		return SE_ENOMEM;
	sqlite3_bind_int(st, 2, s->allow_loopback_redirect_urls);
	sqlite3_bind_int(st, 3, s->pkce_required_for_sso);
	sqlite3_bind_int(st, 4, s->sso_token_lifetime_seconds);
	return step_done(st);
}

/* --- organizations and members ----------------------------------------------------------------- */

void se_org_signin_release(se_org_signin *s)
{
	free(s->sso_jit_provisioning);
	json_decref(s->allowed_connections);
	free(s->sso_default_connection_id);
	memset(s, 0, sizeof *s);
}

/* The organization's own fields (ORG.md): its settings JSON and its sso_default_connection_id column. */
int se_store_org_signin_get(se_db *db, const char *org_id, se_org_signin *ret)
{
	memset(ret, 0, sizeof *ret);
	sqlite3_stmt *st = se_db_stmt(
	    db, "SELECT COALESCE(json_extract(settings, '$.sso_jit_provisioning'), 'ALL_ALLOWED'), "
	        "COALESCE(json_extract(settings, '$.sso_jit_provisioning_allowed_connections'), '[]'), "
	        "COALESCE(sso_default_connection_id, '') FROM organizations WHERE organization_id = ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, org_id);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->sso_jit_provisioning = se_db_col_text(st, 0);
		ret->allowed_connections = se_db_col_json(st, 1);
		ret->sso_default_connection_id = se_db_col_text(st, 2);
	} else {
		ret->sso_jit_provisioning = strdup("ALL_ALLOWED");
		ret->allowed_connections = json_array();
		ret->sso_default_connection_id = strdup("");
	}
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		se_org_signin_release(ret);
		return SE_EDB;
	}
	if (!ret->sso_jit_provisioning || !ret->allowed_connections || !ret->sso_default_connection_id) {
		se_org_signin_release(ret);
		return SE_ENOMEM;
	}
	return 0;
}

int se_store_member_signin_get(se_db *db, const char *member_id, json_t **ret_trusted, bool *ret_verified)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT trusted_metadata, email_address_verified FROM member_signin WHERE member_id = ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_id);
	int rc = sqlite3_step(st);
	json_t *t = rc == SQLITE_ROW ? se_db_col_json(st, 0) : json_object();
	bool v = rc == SQLITE_ROW && sqlite3_column_int(st, 1) != 0;
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(t);
		return SE_EDB;
	}
	if (!t)
		return SE_ENOMEM;
	*ret_trusted = t;
	*ret_verified = v;
	return 0;
}

int se_store_member_signin_put(se_db *db, const char *member_id, const json_t *trusted, bool verified)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT OR REPLACE INTO member_signin (member_id, trusted_metadata, "
	                                  "email_address_verified) VALUES (?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_id);
	if (se_db_bind_json(st, 2, trusted) < 0)
		return SE_ENOMEM;
	sqlite3_bind_int(st, 3, verified);
	return step_done(st);
}

/* --- registrations and session factors --------------------------------------------------------- */

int se_store_registration_upsert(se_db *db, const char *member_id, const char *connection_id, const char *external_id,
                                 const json_t *sso_attributes, const json_t *groups, const char *new_id,
                                 char **ret_registration_id)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO sso_registrations (registration_id, member_id, connection_id, "
	                                  "external_id, sso_attributes, groups) VALUES (?, ?, ?, ?, ?, ?) "
	                                  "ON CONFLICT (member_id, connection_id) DO UPDATE SET external_id = "
	                                  "excluded.external_id, sso_attributes = excluded.sso_attributes, groups = "
	                                  "excluded.groups RETURNING registration_id");
	if (!st)
		return SE_EDB;
	bind(st, 1, new_id);
	bind(st, 2, member_id);
	bind(st, 3, connection_id);
	bind(st, 4, external_id);
	if (se_db_bind_json(st, 5, sso_attributes) < 0 || se_db_bind_json(st, 6, groups) < 0)
		return SE_ENOMEM;
	int rc = sqlite3_step(st);
	char *id = rc == SQLITE_ROW ? se_db_col_text(st, 0) : NULL;
	if (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		free(id);
		return SE_EDB;
	}
	if (!id)
		return SE_ENOMEM;
	*ret_registration_id = id;
	return 0;
}

int se_store_registrations_of(se_db *db, const char *member_id, json_t **ret)
{
	sqlite3_stmt *st = se_db_stmt_idle(db, "SELECT registration_id, connection_id, external_id, sso_attributes, "
	                                       "groups FROM sso_registrations WHERE member_id = ? ORDER BY rowid");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_id);
	json_t *list = json_array();
	int rc;
	while (list && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		json_t *o =
		    json_pack("{s:s, s:s, s:s, s:o?, s:o?}", "registration_id", sqlite3_column_text(st, 0),
		              "connection_id", sqlite3_column_text(st, 1), "external_id", sqlite3_column_text(st, 2),
		              "sso_attributes", se_db_col_json(st, 3), "groups", se_db_col_json(st, 4));
		if (!o || json_array_append_new(list, o) < 0) {
			json_decref(list);
			list = NULL;
		}
	}
	sqlite3_reset(st);
	if (!list)
		return SE_ENOMEM;
	*ret = list;
	return 0;
}

int se_store_session_factors_put(se_db *db, const char *member_session_id, const json_t *factors)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT OR REPLACE INTO session_factors (member_session_id, "
	                                  "authentication_factors) VALUES (?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_session_id);
	if (se_db_bind_json(st, 2, factors) < 0)
		return SE_ENOMEM;
	return step_done(st);
}

int se_store_session_factors_get(se_db *db, const char *member_session_id, json_t **ret)
{
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT authentication_factors FROM session_factors WHERE member_session_id = ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, member_session_id);
	int rc = sqlite3_step(st);
	json_t *f = rc == SQLITE_ROW ? se_db_col_json(st, 0) : json_array();
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		json_decref(f);
		return SE_EDB;
	}
	if (!f)
		return SE_ENOMEM;
	*ret = f;
	return 0;
}

/* --- SSO tokens and replay --------------------------------------------------------------------- */

void se_sso_token_release(se_sso_token *t)
{
	free(t->member_id);
	free(t->organization_id);
	free(t->connection_id);
	free(t->protocol);
	free(t->external_id);
	free(t->registration_id);
	free(t->pkce_code_challenge);
	memset(t, 0, sizeof *t);
}

int se_store_sso_token_insert(se_db *db, const char *token_hash, const se_sso_token *t)
{
	sqlite3_stmt *st = se_db_stmt(db, "INSERT INTO sso_tokens (token_hash, member_id, organization_id, "
	                                  "connection_id, protocol, external_id, registration_id, pkce_code_challenge, "
	                                  "is_new_member, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, token_hash);
	bind(st, 2, t->member_id);
	bind(st, 3, t->organization_id);
	bind(st, 4, t->connection_id);
	bind(st, 5, t->protocol);
	bind(st, 6, t->external_id);
	bind(st, 7, t->registration_id);
	bind(st, 8, t->pkce_code_challenge);
	sqlite3_bind_int(st, 9, t->is_new_member);
	sqlite3_bind_int64(st, 10, (sqlite3_int64)t->expires_at);
	return step_done(st);
}

int se_store_sso_token_get(se_db *db, const char *token_hash, time_t now, se_sso_token *ret)
{
	memset(ret, 0, sizeof *ret);
	sqlite3_stmt *st =
	    se_db_stmt(db, "SELECT member_id, organization_id, connection_id, protocol, external_id, "
	                   "registration_id, pkce_code_challenge, is_new_member, expires_at FROM sso_tokens "
	                   "WHERE token_hash = ? AND expires_at > ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, token_hash);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)now);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		ret->member_id = se_db_col_text(st, 0);
		ret->organization_id = se_db_col_text(st, 1);
		ret->connection_id = se_db_col_text(st, 2);
		ret->protocol = se_db_col_text(st, 3);
		ret->external_id = se_db_col_text(st, 4);
		ret->registration_id = se_db_col_text(st, 5);
		ret->pkce_code_challenge = se_db_col_text(st, 6);
		ret->is_new_member = sqlite3_column_int(st, 7) != 0;
		ret->expires_at = (time_t)sqlite3_column_int64(st, 8);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return SE_ENOTFOUND;
	if (rc != SQLITE_ROW)
		return SE_EDB;
	if (!ret->member_id || !ret->organization_id || !ret->connection_id || !ret->protocol || !ret->external_id ||
	    !ret->registration_id || !ret->pkce_code_challenge) {
		se_sso_token_release(ret);
		return SE_ENOMEM;
	}
	return 0;
}

int se_store_sso_token_consume(se_db *db, const char *token_hash)
{
	sqlite3_stmt *st = se_db_stmt(db, "DELETE FROM sso_tokens WHERE token_hash = ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, token_hash);
	if (step_done(st) < 0)
		return SE_EDB;
	return sqlite3_changes(se_db_handle(db)) == 1 ? 0 : SE_ENOTFOUND;
}

int se_store_saml_replay_add(se_db *db, const char *connection_id, const char *assertion_id, time_t expires_at,
                             time_t now)
{
	sqlite3_stmt *st = se_db_stmt(db, "DELETE FROM saml_replay WHERE expires_at <= ?");
	if (!st)
		return SE_EDB;
	sqlite3_bind_int64(st, 1, (sqlite3_int64)now);
	if (step_done(st) < 0)
		return SE_EDB;
	st = se_db_stmt(db,
	                "INSERT OR IGNORE INTO saml_replay (connection_id, assertion_id, expires_at) VALUES (?, ?, ?)");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, assertion_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)expires_at);
	if (step_done(st) < 0)
		return SE_EDB;
	return sqlite3_changes(se_db_handle(db)) == 1 ? 0 : SE_ECONFLICT;
}

int se_store_saml_replay_seen(se_db *db, const char *connection_id, const char *assertion_id, time_t now, bool *ret)
{
	sqlite3_stmt *st = se_db_stmt(db, "SELECT 1 FROM saml_replay WHERE connection_id = ? AND assertion_id = ? AND "
	                                  "expires_at > ?");
	if (!st)
		return SE_EDB;
	bind(st, 1, connection_id);
	bind(st, 2, assertion_id);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)now);
	int rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return SE_EDB;
	*ret = rc == SQLITE_ROW;
	return 0;
}

/* --- fixtures ---------------------------------------------------------------------------------- */

static int fail(char **ret_error, const char *msg)
{
	free(*ret_error);
	*ret_error = strdup(msg);
	return SE_EINVAL;
}

static bool str_list(const json_t *v)
{
	size_t i;
	json_t *it;
	if (!json_is_array(v))
		return false;
	json_array_foreach (v, i, it)
		if (!json_is_string(it))
			return false;
	return true;
}

static int apply_settings(se_db *db, const json_t *doc, char **ret_error)
{
	const json_t *p = json_object_get(doc, "project");
	se_signin_settings s = {0};
	int r = se_store_signin_settings_get(db, &s);
	if (r < 0)
		return r;
	json_t *v = json_object_get(p, "redirect_urls");
	r = SE_EINVAL;
	if (v) {
		size_t i;
		json_t *u;
		if (!json_is_array(v) || json_array_size(v) > 100) {
			fail(ret_error, "project.redirect_urls: must be a list of at most 100 redirect URLs");
			goto done;
		}
		json_array_foreach (v, i, u) {
			const char *url = se_json_str(u, "url");
			json_t *types = json_object_get(u, "valid_types");
			if (!url || !*url || strlen(url) > 2048 || !json_is_array(types)) {
				fail(ret_error,
				     "project.redirect_urls: each needs url (at most 2048 characters) and valid_types");
				goto done;
			}
		}
		json_decref(s.redirect_urls);
		s.redirect_urls = json_deep_copy(v);
	}
	v = json_object_get(p, "allow_loopback_redirect_urls");
	if (v && !json_is_boolean(v)) {
		fail(ret_error, "project.allow_loopback_redirect_urls: must be a boolean");
		goto done;
	}
	if (v)
		s.allow_loopback_redirect_urls = json_is_true(v);
	v = json_object_get(p, "pkce_required_for_sso");
	if (v && !json_is_boolean(v)) {
		fail(ret_error, "project.pkce_required_for_sso: must be a boolean");
		goto done;
	}
	if (v)
		s.pkce_required_for_sso = json_is_true(v);
	v = json_object_get(p, "sso_token_lifetime_seconds");
	if (v && (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 3600)) {
		fail(ret_error, "project.sso_token_lifetime_seconds: must be an integer from 1 to 3600");
		goto done;
	}
	if (v)
		s.sso_token_lifetime_seconds = (int)json_integer_value(v);
	v = json_object_get(doc, "idp_users");
	if (v) {
		size_t i;
		json_t *u;
		if (!json_is_array(v) || json_array_size(v) > 100) {
			fail(ret_error, "idp_users: must be a list of at most 100 users");
			goto done;
		}
		json_array_foreach (v, i, u) {
			const char *email = se_json_str(u, "email");
			json_t *g = json_object_get(u, "groups"), *a = json_object_get(u, "attributes");
			if (!email || !strchr(email, '@') || strlen(email) > 254 || (g && !str_list(g)) ||
			    (a && !json_is_object(a))) {
				fail(ret_error,
				     "idp_users: each needs an email; groups a list of strings, attributes an object");
				goto done;
			}
		}
		json_decref(s.idp_users);
		s.idp_users = json_deep_copy(v);
	}
	r = s.redirect_urls && s.idp_users ? se_store_signin_settings_put(db, &s) : SE_ENOMEM;
done:
	se_signin_settings_release(&s);
	return r;
}

static int apply_members(se_db *db, const json_t *doc, char **ret_error)
{
	size_t i;
	json_t *m;
	json_array_foreach (json_object_get(doc, "members"), i, m) {
		json_t *tm = json_object_get(m, "trusted_metadata"), *regs = json_object_get(m, "sso_registrations");
		json_t *verified = json_object_get(m, "email_address_verified");
		const char *id = se_json_str(m, "member_id");
		if (tm && !json_is_object(tm))
			return fail(ret_error, "members: trusted_metadata must be an object");
		if (regs && !json_is_array(regs))
			return fail(ret_error, "members: sso_registrations must be a list");
		if (tm || verified) {
			json_t *empty = json_object();
			int r = se_store_member_signin_put(db, id, tm ? tm : empty, json_is_true(verified));
			json_decref(empty);
			if (r < 0)
				return r;
		}
		size_t k;
		json_t *g;
		json_array_foreach (regs, k, g) {
			const char *rid = se_json_str(g, "registration_id"), *cid = se_json_str(g, "connection_id");
			if (!rid || !cid)
				return fail(ret_error,
				            "members: sso_registrations need registration_id and connection_id");
			json_t *attrs = json_object_get(g, "sso_attributes"), *groups = json_object_get(g, "groups");
			json_t *ea = json_object(), *eg = json_array();
			char *got = NULL;
			int r = se_store_registration_upsert(db, id, cid, se_json_str(g, "external_id"),
			                                     json_is_object(attrs) ? attrs : ea,
			                                     str_list(groups) ? groups : eg, rid, &got);
			free(got);
			json_decref(ea);
			json_decref(eg);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int se_store_signin_apply(se_db *db, const json_t *doc, char **ret_error)
{
	int r = apply_settings(db, doc, ret_error);
	if (r == 0)
		r = apply_members(db, doc, ret_error);
	return r;
}

int se_store_signin_export(se_db *db, json_t *doc)
{
	se_signin_settings s;
	int r = se_store_signin_settings_get(db, &s);
	if (r < 0)
		return r;
	json_t *p = json_object_get(doc, "project");
	if (json_object_set(p, "redirect_urls", s.redirect_urls) < 0 ||
	    json_object_set_new(p, "allow_loopback_redirect_urls", json_boolean(s.allow_loopback_redirect_urls)) < 0 ||
	    json_object_set_new(p, "pkce_required_for_sso", json_boolean(s.pkce_required_for_sso)) < 0 ||
	    json_object_set_new(p, "sso_token_lifetime_seconds", json_integer(s.sso_token_lifetime_seconds)) < 0 ||
	    json_object_set(doc, "idp_users", s.idp_users) < 0)
		r = SE_ENOMEM;
	se_signin_settings_release(&s);
	/* The organizations' JIT settings and default connection are their own fields: store/fixtures.c writes them. */
	size_t i;
	json_t *o;
	json_array_foreach (json_object_get(doc, "members"), i, o) {
		const char *id = se_json_str(o, "member_id");
		json_t *tm = NULL, *regs = NULL;
		bool verified = false;
		if (r == 0 && (r = se_store_member_signin_get(db, id, &tm, &verified)) == 0 &&
		    (r = se_store_registrations_of(db, id, &regs)) == 0) {
			json_object_set_new(o, "trusted_metadata", tm);
			json_object_set_new(o, "email_address_verified", json_boolean(verified));
			json_object_set_new(o, "sso_registrations", regs);
		} else {
			json_decref(tm);
		}
	}
	return r;
}
