/* The built-in identity provider's HTTP endpoints under /_emulator/idp/ (SIGNIN.md 6.2 to 6.4):
 * SAML metadata, certificate, SSO and IdP-initiated logins; OIDC discovery, authorize, token, JWKS and
 * userinfo; the login page both share. */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "signin/html.h"
#include "signin/idp.h"
#include "signin/oidc.h"
#include "signin/saml.h"
#include "signin/state.h"
#include "signin/urls.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/util.h"

#define CALLBACK_PATH "/v1/b2b/sso/callback/"

static bool is_browser(const se_req *r)
{
	const char *a = se_http_header(r->in, "Accept");
	return a && strstr(a, "text/html");
}

/* A parameter from the query or the form body. */
static const char *param(const se_req *r, const char *name)
{
	const char *v = se_json_str(r->body, name);
	return v ? v : se_http_query(r->in, name);
}

static int raw_json(se_req *r, int status, json_t *body)
{
	r->raw_body = body ? se_json_dump(body) : NULL;
	json_decref(body);
	if (!r->raw_body)
		return se_req_internal(r);
	r->raw_status = status;
	r->raw_type = "application/json";
	return 0;
}

/* --- the login page ---------------------------------------------------------------------------- */

static int login_page(se_req *r, const char *protocol, const char *pending_key, const char *sp_name)
{
	se_signin_settings st;
	if (se_store_signin_settings_get(r->db, &st) < 0)
		return se_req_internal(r);
	char *users = strdup(""), *k = se_html_escape(pending_key), *sp = se_html_escape(sp_name);
	size_t i;
	json_t *u;
	json_array_foreach (st.idp_users, i, u) {
		char *e = se_html_escape(se_json_str(u, "email")), *n = se_html_escape(se_json_str(u, "name"));
		char *next = users && e && n
		                 ? se_asprintf("%s<li><button type=\"submit\" name=\"email\" value=\"%s\">%s</button> "
		                               "%s</li>\n",
		                               users, e, e, n)
		                 : NULL;
		free(e);
		free(n);
		free(users);
		users = next;
	}
	se_signin_settings_release(&st);
	static const char *const outcomes[] = {
	    "success",      "cancel",        "tampered",         "wrong_key",     "expired",           "wrong_audience",
	    "wrong_issuer", "missing_email", "unsigned",         "not_yet_valid", "wrong_destination", "replay",
	    "malformed",    "wrong_nonce",   "unverified_email", "token_error",   "userinfo_mismatch", NULL};
	char *opts = strdup("");
	for (size_t j = 0; opts && outcomes[j]; j++) {
		if (!se_idp_outcome_valid(protocol, outcomes[j]))
			continue;
		char *next = se_asprintf("%s<option value=\"%s\">%s</option>", opts, outcomes[j], outcomes[j]);
		free(opts);
		opts = next;
	}
	r->raw_body =
	    users && k && sp && opts
	        ? se_asprintf(
	              "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>ssoemu built-in "
	              "IdP</title></head>\n<body><h1>ssoemu built-in %s IdP</h1>\n<p>Signing in to <b>%s</b>. "
	              "Pick a user:</p>\n<form method=\"post\" action=\"/_emulator/idp/%s/login\">\n<input "
	              "type=\"hidden\" name=\"pending\" value=\"%s\">\n<p><label>Outcome <select "
	              "name=\"outcome\">%s</select></label></p>\n<ul>\n%s</ul>\n<p>Or any email: <input "
	              "name=\"other_email\" type=\"email\"> name <input name=\"name\"> groups (comma-separated) "
	              "<input name=\"groups\"> <button type=\"submit\" name=\"use_other\" value=\"1\">Sign "
	              "in</button></p>\n<p><button type=\"submit\" name=\"cancel\" value=\"1\">Cancel</button>"
	              "</p>\n</form>\n</body></html>\n",
	              strcmp(protocol, "saml") == 0 ? "SAML" : "OIDC", sp, protocol, k, opts, users)
	        : NULL;
	free(users);
	free(k);
	free(sp);
	free(opts);
	if (!r->raw_body)
		return se_req_internal(r);
	r->raw_type = "text/html; charset=utf-8";
	return 0;
}

/* The user for a login: a preset, a login_hint, else the page (a browser) or 400 (headless). Returns
 * 1 with *ret_user set, 0 when the page was answered, -1 on error. */
static int pick_user(se_req *r, const char *protocol, const char *connection_id, const char *hint, json_t *pending,
                     const char *sp_name, json_t **ret_user, char **ret_outcome, char **ret_binding)
{
	json_t *preset = se_signin_preset_take(r->signin, protocol, connection_id);
	*ret_outcome = NULL;
	*ret_binding = NULL;
	if (preset) {
		const char *email = se_json_str(preset, "email");
		*ret_user = se_idp_user(r, email ? email : "user@example.test", preset);
		*ret_outcome = se_strdup(se_json_str(preset, "outcome"));
		*ret_binding = se_strdup(se_json_str(preset, "binding"));
		json_decref(preset);
		json_decref(pending);
		return *ret_user ? 1 : se_req_internal(r);
	}
	if (hint && *hint) {
		json_decref(pending);
		*ret_user = se_idp_user(r, hint, NULL);
		return *ret_user ? 1 : se_req_internal(r);
	}
	if (!is_browser(r)) {
		json_decref(pending);
		return se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_LOGIN_REQUIRED, NULL);
	}
	char key[44];
	if (se_h_random_43(key) < 0 ||
	    json_object_set_new(pending, "expires_at", json_integer((json_int_t)(r->now + 600))) < 0 ||
	    se_signin_item_put(r->signin, strcmp(protocol, "saml") == 0 ? "saml_login" : "oidc_login", key, pending) <
	        0)
		return se_req_internal(r);
	return login_page(r, protocol, key, sp_name) < 0 ? -1 : 0;
}

/* The login form's answer: the pending request and the chosen user. */
static int login_form(se_req *r, const char *kind, json_t **ret_pending, json_t **ret_user, const char **ret_outcome)
{
	json_t *pending = se_signin_item_take(r->signin, kind, se_json_str(r->body, "pending"));
	if (!pending || json_integer_value(json_object_get(pending, "expires_at")) <= (json_int_t)r->now) {
		json_decref(pending);
		return se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_REQUEST_EXPIRED, NULL);
	}
	const char *outcome = se_json_str(r->body, "outcome");
	if (se_json_str(r->body, "cancel"))
		outcome = "cancel";
	if (outcome && !se_idp_outcome_valid(strcmp(kind, "saml_login") == 0 ? "saml" : "oidc", outcome)) {
		json_decref(pending);
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "outcome is not an outcome of the built-in IdP.");
	}
	const char *email =
	    se_json_str(r->body, "use_other") ? se_json_str(r->body, "other_email") : se_json_str(r->body, "email");
	if (!email || !strchr(email, '@') || strlen(email) > 254) {
		json_decref(pending);
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "Pick a user or enter an email address.");
	}
	json_t *over = json_object();
	const char *name = se_json_str(r->body, "name"), *groups = se_json_str(r->body, "groups");
	if (over && se_json_str(r->body, "use_other") && name && *name)
		json_object_set_new(over, "name", json_string(name));
	if (over && se_json_str(r->body, "use_other") && groups && *groups) {
		json_t *g = json_array();
		char *copy = strdup(groups);
		for (char *save = NULL, *t = copy ? strtok_r(copy, ",", &save) : NULL; t && g;
		     t = strtok_r(NULL, ",", &save)) {
			while (*t == ' ')
				t++;
			if (*t && json_array_size(g) < 100)
				json_array_append_new(g, json_string(t));
		}
		free(copy);
		json_object_set_new(over, "groups", g);
	}
	*ret_user = se_idp_user(r, email, over);
	json_decref(over);
	*ret_pending = pending;
	*ret_outcome = outcome ? outcome : "success";
	return *ret_user ? 0 : se_req_internal(r);
}

/* --- SAML -------------------------------------------------------------------------------------- */

int se_h_idp_saml_metadata(se_req *r)
{
	char *origin = se_signin_origin(se_http_header(r->in, "Host"));
	char *sso = origin ? se_asprintf("%s/_emulator/idp/saml/sso", origin) : NULL;
	char *xml = NULL;
	int rc = sso && se_saml_idp_metadata(SE_IDP_SAML_ENTITY_ID, sso, se_idp_saml_cert(), &xml) == 0 ? 0 : -1;
	free(origin);
	free(sso);
	if (rc < 0)
		return se_req_internal(r);
	r->raw_body = xml;
	r->raw_type = "application/samlmetadata+xml";
	return 0;
}

int se_h_idp_saml_certificate(se_req *r)
{
	r->raw_body = strdup(se_idp_saml_cert());
	r->raw_type = "application/x-pem-file";
	return r->raw_body ? 0 : se_req_internal(r);
}

/* The SP connection whose callback (ACS) URL this is, or NULL (malloc'd). */
static char *connection_of_acs(const char *acs)
{
	const char *p = acs ? strstr(acs, CALLBACK_PATH) : NULL;
	if (!p)
		return NULL;
	p += strlen(CALLBACK_PATH);
	size_t n = strcspn(p, "/?#");
	return n && n < 128 ? strndup(p, n) : NULL;
}

/* Sends the Response to the ACS: an auto-submitting form for a browser, else a 302 carrying it in the
 * query (SIGNIN.md 6.4); a preset's binding overrides. */
static int deliver_saml(se_req *r, const char *acs, const char *relay, const char *xml, const char *binding)
{
	char *b64 = se_saml_encode_post(xml), *dest = se_h_browser_url(r, acs);
	int rc = -1;
	if (!b64 || !dest) {
		rc = se_req_internal(r);
		goto done;
	}
	bool post = binding && strcmp(binding, "post") == 0       ? true
	            : binding && strcmp(binding, "redirect") == 0 ? false
	                                                          : is_browser(r);
	if (post) {
		json_t *fields = relay ? json_pack("{s:s, s:s}", "SAMLResponse", b64, "RelayState", relay)
		                       : json_pack("{s:s}", "SAMLResponse", b64);
		r->raw_body = fields ? se_html_post_form(dest, fields) : NULL;
		json_decref(fields);
		r->raw_type = "text/html; charset=utf-8";
		rc = r->raw_body ? 0 : se_req_internal(r);
		goto done;
	}
	char *e_resp = se_signin_escape(b64), *e_relay = relay ? se_signin_escape(relay) : NULL;
	char *params = e_resp ? relay && e_relay ? se_asprintf("SAMLResponse=%s&RelayState=%s", e_resp, e_relay)
	                                         : se_asprintf("SAMLResponse=%s", e_resp)
	                      : NULL;
	r->location = params ? se_signin_url_add(dest, params) : NULL;
	free(e_resp);
	free(e_relay);
	free(params);
	rc = r->location ? 0 : se_req_internal(r);
done:
	free(b64);
	free(dest);
	return rc;
}

static int saml_answer(se_req *r, const json_t *pending, const json_t *user, const char *outcome, const char *binding)
{
	se_idp_saml_request q = {se_json_str(pending, "acs_url"),       se_json_str(pending, "request_id"),
	                         se_json_str(pending, "audience"),      se_json_str(pending, "relay_state"),
	                         se_json_str(pending, "nameid_format"), se_json_str(pending, "connection_id")};
	char *xml = NULL;
	if (se_idp_saml_response(r, &q, user, outcome, &xml) < 0)
		return -1;
	int rc = deliver_saml(r, q.acs_url, q.relay_state, xml, binding);
	free(xml);
	return rc;
}

static int saml_login(se_req *r, json_t *pending, const char *hint)
{
	json_t *user = NULL;
	char *outcome = NULL, *binding = NULL;
	json_t *keep = json_deep_copy(pending);
	int p = keep ? pick_user(r, "saml", se_json_str(pending, "connection_id"), hint, pending,
	                         se_json_str(pending, "audience"), &user, &outcome, &binding)
	             : (json_decref(pending), se_req_internal(r));
	int rc = p < 0 ? -1 : p == 0 ? 0 : saml_answer(r, keep, user, outcome, binding);
	json_decref(keep);
	json_decref(user);
	free(outcome);
	free(binding);
	return rc;
}

int se_h_idp_saml_sso(se_req *r)
{
	bool get = strcmp(r->in->method, "GET") == 0;
	const char *req = param(r, "SAMLRequest");
	char *xml = NULL;
	se_saml_authn_req a = {0};
	if (!req || se_saml_decode(req, get, &xml) < 0 || se_saml_authn_req_parse(xml, &a) < 0) {
		free(xml);
		return se_req_fail(
		    r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST,
		    "SAMLRequest is missing or is not a SAML 2.0 AuthnRequest (Redirect binding: DEFLATE "
		    "and base64; POST binding: base64).");
	}
	free(xml);
	const char *relay = param(r, "RelayState");
	if (!*a.acs_url || (relay && strlen(relay) > 80)) {
		se_saml_authn_req_release(&a);
		return se_req_fail(
		    r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST,
		    "The AuthnRequest needs an AssertionConsumerServiceURL; RelayState is at most 80 bytes.");
	}
	char *conn = connection_of_acs(a.acs_url);
	json_t *pending =
	    json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s?}", "acs_url", a.acs_url, "request_id", a.id, "audience",
	              a.issuer, "nameid_format", a.nameid_format, "relay_state", relay, "connection_id", conn);
	free(conn);
	se_saml_authn_req_release(&a);
	if (!pending)
		return se_req_internal(r);
	return saml_login(r, pending, param(r, "login_hint"));
}

int se_h_idp_saml_login(se_req *r)
{
	json_t *pending = NULL, *user = NULL;
	const char *outcome = NULL;
	if (login_form(r, "saml_login", &pending, &user, &outcome) < 0)
		return -1;
	int rc = saml_answer(r, pending, user, outcome, NULL);
	json_decref(pending);
	json_decref(user);
	return rc;
}

int se_h_idp_saml_initiate(se_req *r)
{
	const char *id = se_http_query(r->in, "connection_id");
	se_saml c;
	if (!id || se_store_conn_get(r->db, se_kind_get(SE_KIND_SAML), NULL, id, &c) < 0)
		return se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST,
		                   "connection_id names no SAML connection.");
	char *acs = *c.alternative_acs_url ? strdup(c.alternative_acs_url) : se_h_callback_url(r, c.connection_id);
	char *aud =
	    *c.alternative_audience_uri ? strdup(c.alternative_audience_uri) : se_h_callback_url(r, c.connection_id);
	json_t *pending = acs && aud ? json_pack("{s:s, s:s, s:s, s:s}", "acs_url", acs, "audience", aud,
	                                         "nameid_format", c.nameid_format, "connection_id", c.connection_id)
	                             : NULL;
	free(acs);
	free(aud);
	se_conn_release(se_kind_get(SE_KIND_SAML), &c);
	if (!pending)
		return se_req_internal(r);
	return saml_login(r, pending, se_http_query(r->in, "login_hint"));
}

/* --- OIDC -------------------------------------------------------------------------------------- */

int se_h_idp_oidc_discovery(se_req *r)
{
	char *origin = se_signin_origin(se_http_header(r->in, "Host"));
	if (!origin)
		return se_req_internal(r);
	char iss[300];
	snprintf(iss, sizeof iss, "%s" SE_IDP_OIDC_PATH, origin);
	free(origin);
	char a[340], t[340], u[340], j[340];
	snprintf(a, sizeof a, "%s/authorize", iss);
	snprintf(t, sizeof t, "%s/token", iss);
	snprintf(u, sizeof u, "%s/userinfo", iss);
	snprintf(j, sizeof j, "%s/jwks", iss);
	return raw_json(
	    r, 200,
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:[s], s:[s], s:[s], s:[s], s:[s,s], s:[s], s:[s,s,s,s], "
	              "s:[s,s,s,s,s,s,s,s,s,s,s,s]}",
	              "issuer", iss, "authorization_endpoint", a, "token_endpoint", t, "userinfo_endpoint", u,
	              "jwks_uri", j, "response_types_supported", "code", "grant_types_supported", "authorization_code",
	              "subject_types_supported", "public", "id_token_signing_alg_values_supported", "RS256",
	              "token_endpoint_auth_methods_supported", "client_secret_basic", "client_secret_post",
	              "code_challenge_methods_supported", "S256", "scopes_supported", "openid", "email", "profile",
	              "groups", "claims_supported", "iss", "sub", "aud", "iat", "exp", "auth_time", "nonce", "email",
	              "email_verified", "name", "given_name", "family_name"));
}

int se_h_idp_oidc_jwks(se_req *r)
{
	return raw_json(r, 200, se_oidc_jwks());
}

typedef struct client_ctx {
	const char *client_id;
	se_oidc *out;
	bool found;
} client_ctx;

static int find_client(void *obj, void *v)
{
	client_ctx *c = v;
	const se_oidc *o = obj;
	if (strcmp(o->client_id, c->client_id) != 0)
		return 0;
	c->found = se_conn_copy(se_kind_get(SE_KIND_OIDC), o, c->out) == 0;
	return 1;
}

/* 302 to redirect_uri with params (path-only for a self URL). */
static int redirect_back(se_req *r, const char *redirect_uri, const char *params)
{
	char *dest = se_h_browser_url(r, redirect_uri);
	r->location = dest ? se_signin_url_add(dest, params) : NULL;
	free(dest);
	return r->location ? 0 : se_req_internal(r);
}

static int oidc_answer(se_req *r, const json_t *pending, const json_t *user, const char *outcome)
{
	const char *state = se_json_str(pending, "state");
	char *e_state = se_signin_escape(state ? state : "");
	char *params = NULL;
	if (outcome && strcmp(outcome, "cancel") == 0) {
		params = e_state
		             ? se_asprintf(
		                   "error=access_denied&error_description=The%%20user%%20cancelled%%20the%%20sign-in."
		                   "&state=%s",
		                   e_state)
		             : NULL;
	} else {
		char *code = se_idp_oidc_code(r, pending, user, outcome);
		params = code && e_state ? se_asprintf("code=%s&state=%s", code, e_state) : NULL;
		free(code);
	}
	free(e_state);
	int rc = params ? redirect_back(r, se_json_str(pending, "redirect_uri"), params) : se_req_internal(r);
	free(params);
	return rc;
}

int se_h_idp_oidc_authorize(se_req *r)
{
	const char *client_id = se_http_query(r->in, "client_id"), *redirect_uri = se_http_query(r->in, "redirect_uri");
	se_oidc c = {0};
	client_ctx f = {client_id, &c, false};
	if (!client_id || !redirect_uri || strlen(redirect_uri) > 2048 ||
	    se_store_conn_each(r->db, se_kind_get(SE_KIND_OIDC), NULL, find_client, &f) < 0 || !f.found)
		return se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST, "client_id names no OIDC connection.");
	char *cb = se_h_callback_url(r, c.connection_id);
	bool ok_uri = cb && strcmp(cb, redirect_uri) == 0;
	free(cb);
	int rc = -1;
	if (!ok_uri) {
		rc = se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST,
		                 "redirect_uri is not the connection's redirect_url: the IdP never redirects there.");
		goto done;
	}
	const char *state = se_http_query(r->in, "state"), *rt = se_http_query(r->in, "response_type");
	const char *scope = se_http_query(r->in, "scope");
	char *e_state = se_signin_escape(state ? state : "");
	if (!rt || strcmp(rt, "code") != 0 || !scope || !strstr(scope, "openid")) {
		char *params = e_state ? se_asprintf("error=%s&state=%s",
		                                     !rt || strcmp(rt, "code") != 0 ? "unsupported_response_type"
		                                                                    : "invalid_scope",
		                                     e_state)
		                       : NULL;
		rc = params ? redirect_back(r, redirect_uri, params) : se_req_internal(r);
		free(params);
		free(e_state);
		goto done;
	}
	free(e_state);
	const char *challenge = se_http_query(r->in, "code_challenge"),
	           *method = se_http_query(r->in, "code_challenge_method");
	if (challenge && method && strcmp(method, "S256") != 0) {
		rc = se_req_fail(r, SE_ERR_SI_EMULATOR_IDP_INVALID_REQUEST,
		                 "Only code_challenge_method S256 is supported.");
		goto done;
	}
	json_t *pending = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:s?, s:s}", "client_id", client_id, "redirect_uri",
	                            redirect_uri, "state", state, "nonce", se_http_query(r->in, "nonce"), "scope",
	                            scope, "code_challenge", challenge, "connection_id", c.connection_id);
	json_t *keep = pending ? json_deep_copy(pending) : NULL;
	json_t *user = NULL;
	char *outcome = NULL, *binding = NULL;
	int p = keep ? pick_user(r, "oidc", c.connection_id, se_http_query(r->in, "login_hint"), pending,
	                         c.display_name, &user, &outcome, &binding)
	             : (json_decref(pending), se_req_internal(r));
	rc = p < 0 ? -1 : p == 0 ? 0 : oidc_answer(r, keep, user, outcome);
	json_decref(keep);
	json_decref(user);
	free(outcome);
	free(binding);
done:
	se_conn_release(se_kind_get(SE_KIND_OIDC), &c);
	return rc;
}

int se_h_idp_oidc_login(se_req *r)
{
	json_t *pending = NULL, *user = NULL;
	const char *outcome = NULL;
	if (login_form(r, "oidc_login", &pending, &user, &outcome) < 0)
		return -1;
	int rc = oidc_answer(r, pending, user, outcome);
	json_decref(pending);
	json_decref(user);
	return rc;
}

int se_h_idp_oidc_token(se_req *r)
{
	int status = 500;
	json_t *body = NULL;
	se_idp_oidc_token(r, r->body, se_http_header(r->in, "Authorization"), &status, &body);
	return raw_json(r, status, body);
}

int se_h_idp_oidc_userinfo(se_req *r)
{
	const char *auth = se_http_header(r->in, "Authorization");
	const char *token = auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : se_json_str(r->body, "access_token");
	int status = 500;
	json_t *body = NULL;
	se_idp_oidc_userinfo(r, token, &status, &body);
	return raw_json(r, status, body);
}
