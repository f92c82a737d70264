/* GET /v1/public/sso/start (SIGNIN.md section 1): finds the connection, checks the redirect URLs and
 * the PKCE challenge, records a flow and sends the browser to the IdP. */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "signin/member.h"
#include "signin/saml.h"
#include "signin/state.h"
#include "signin/urls.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/util.h"

void se_h_signin_conn_release(se_h_signin_conn *c)
{
	if (c->kind)
		se_conn_release(se_kind_get(c->kind_id), &c->u);
	memset(c, 0, sizeof *c);
}

int se_h_signin_conn_get(se_db *db, const char *id, se_h_signin_conn *ret)
{
	memset(ret, 0, sizeof *ret);
	se_kind_id kinds[] = {SE_KIND_SAML, SE_KIND_OIDC, SE_KIND_EXTERNAL};
	for (size_t i = 0; i < 3; i++) {
		int r = se_store_conn_get(db, se_kind_get(kinds[i]), NULL, id, &ret->u);
		if (r == 0) {
			ret->kind = 1;
			ret->kind_id = kinds[i];
			return 0;
		}
		if (r != SE_ENOTFOUND)
			return r;
	}
	return SE_ENOTFOUND;
}

bool se_h_signin_conn_active(const se_h_signin_conn *c)
{
	return c->kind_id == SE_KIND_SAML   ? strcmp(se_saml_status(&c->u.saml), "active") == 0
	       : c->kind_id == SE_KIND_OIDC ? strcmp(se_oidc_status(&c->u.oidc), "active") == 0
	                                    : true;
}

char *se_h_callback_url(const se_req *r, const char *connection_id)
{
	return se_asprintf("%s/v1/b2b/sso/callback/%s", r->cfg->public_url, connection_id);
}

typedef struct pick_ctx {
	const se_kind *k;
	char *found;
	int count;
} pick_ctx;

static int pick_active(void *obj, void *v)
{
	pick_ctx *c = v;
	bool active = c->k->id == SE_KIND_SAML ? strcmp(se_saml_status(obj), "active") == 0
	                                       : strcmp(se_oidc_status(obj), "active") == 0;
	if (!active)
		return 0;
	if (c->count++ == 0)
		c->found = strdup(se_conn_text(c->k, obj, "connection_id"));
	return 0;
}

/* The connection an organization locator names (section 1). *ret malloc'd. */
static int org_connection(se_req *r, const char *locator, char **ret)
{
	se_org org;
	se_org_signin os;
	int g = se_store_org_get(r->db, locator, true, &org);
	if (g < 0)
		return g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_ORGANIZATION_NOT_FOUND,
		                                       "Organization %s could not be found.", locator)
		                         : se_req_internal(r);
	int rc = -1;
	if (se_store_org_signin_get(r->db, org.organization_id, &os) < 0) {
		se_org_release(&org);
		return se_req_internal(r);
	}
	if (*os.sso_default_connection_id) {
		*ret = strdup(os.sso_default_connection_id);
		rc = *ret ? 0 : se_req_internal(r);
		goto done;
	}
	pick_ctx saml = {se_kind_get(SE_KIND_SAML), NULL, 0}, oidc = {se_kind_get(SE_KIND_OIDC), NULL, 0};
	se_store_conn_each(r->db, saml.k, org.organization_id, pick_active, &saml);
	se_store_conn_each(r->db, oidc.k, org.organization_id, pick_active, &oidc);
	if (saml.count + oidc.count == 0)
		rc = se_req_fail(r, SE_ERR_SI_NO_SSO_CONNECTION_EXISTS_FOR_ORGANIZATION,
		                 "Organization %s has no active SAML or OIDC connection.", org.organization_id);
	else if (saml.count + oidc.count > 1)
		rc = se_req_fail(r, SE_ERR_SI_INDETERMINATE_SSO_CONNECTION_FOR_ORGANIZATION, NULL);
	else {
		*ret = saml.found ? saml.found : oidc.found;
		saml.found = oidc.found = NULL;
		rc = 0;
	}
	free(saml.found);
	free(oidc.found);
done:
	se_org_release(&org);
	se_org_signin_release(&os);
	return rc;
}

static bool b64url_43(const char *s)
{
	if (strlen(s) != 43)
		return false;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_'))
			return false;
	return true;
}

/* A 43-character base64url random value (flow ids, nonces). */
int se_h_random_43(char out[44])
{
	char tok[45];
	if (se_signin_random_token(tok) < 0)
		return SE_ECRYPTO;
	memcpy(out, tok, 43);
	out[43] = '\0';
	return 0;
}

/* Where the browser goes: the path-only form of a self URL (Rule A), else the URL itself. */
char *se_h_browser_url(const se_req *r, const char *url)
{
	char *self = se_signin_self_path(r->cfg, url);
	return self ? self : strdup(url);
}

static int saml_redirect(se_req *r, const se_saml *c, const char *flow_id, json_t *flow)
{
	char *acs = *c->alternative_acs_url ? strdup(c->alternative_acs_url) : se_h_callback_url(r, c->connection_id);
	char *aud =
	    *c->alternative_audience_uri ? strdup(c->alternative_audience_uri) : se_h_callback_url(r, c->connection_id);
	char *id = NULL, *xml = NULL, *query = NULL, *dest = NULL;
	int rc = -1;
	if (!acs || !aud) {
		se_req_internal(r);
		goto done;
	}
	se_saml_authn_params p = {c->idp_sso_url, acs, aud, c->nameid_format, r->now};
	if (se_saml_authn_request(&p, &id, &xml) < 0) {
		se_req_internal(r);
		goto done;
	}
	/* Signed with the key behind the newest signing certificate, the one the connection shows. Every
	 * certificate ssoemu makes or imports keeps its key; only a row written by an older build may lack one,
	 * and a signing_private_key update gives it one. */
	const char *key = se_json_str(json_array_get(c->signing_certificates, 0), "private_key");
	if (!key || !*key) {
		se_req_fail(r, SE_ERR_INTERNAL,
			    "The connection's signing certificate has no private key to sign the AuthnRequest with; "
			    "update signing_private_key.");
		goto done;
	}
	if (se_saml_redirect_query("SAMLRequest", xml, flow_id, key, &query) < 0) {
		se_req_internal(r);
		goto done;
	}
	dest = se_h_browser_url(r, c->idp_sso_url);
	const char *hint = se_http_query(r->in, "provider_login_hint");
	bool self = dest && dest[0] == '/';
	char *eh = hint && self ? se_signin_escape(hint) : NULL;
	char *params = eh ? se_asprintf("%s&login_hint=%s", query, eh) : strdup(query);
	free(eh);
	r->location = dest && params ? se_signin_url_add(dest, params) : NULL;
	free(params);
	json_object_set_new(flow, "request_id", json_string(id));
	json_object_set_new(flow, "protocol", json_string("saml"));
	rc = r->location ? 0 : se_req_internal(r);
done:
	free(acs);
	free(aud);
	free(id);
	free(xml);
	free(query);
	free(dest);
	return rc;
}

/* scope: the connection's custom_scopes or "openid email profile", plus the start's; openid
 * added when missing; duplicates dropped (section 1). */
static char *oidc_scope(const char *conn_scopes, const char *extra)
{
	json_t *seen = json_array();
	char *base = strdup(conn_scopes && *conn_scopes ? conn_scopes : "openid email profile");
	char *more = strdup(extra ? extra : "");
	char *out = NULL;
	if (!seen || !base || !more)
		goto done;
	json_array_append_new(seen, json_string("openid"));
	char *lists[] = {base, more};
	for (int l = 0; l < 2; l++) {
		for (char *save = NULL, *t = strtok_r(lists[l], " +", &save); t; t = strtok_r(NULL, " +", &save)) {
			bool dup = false;
			size_t i;
			json_t *v;
			json_array_foreach (seen, i, v)
				dup = dup || strcmp(json_string_value(v), t) == 0;
			if (!dup && json_array_size(seen) < 50)
				json_array_append_new(seen, json_string(t));
		}
	}
	out = strdup("");
	size_t i;
	json_t *v;
	json_array_foreach (seen, i, v) {
		char *n = out ? se_asprintf("%s%s%s", out, *out ? " " : "", json_string_value(v)) : NULL;
		free(out);
		out = n;
	}
done:
	json_decref(seen);
	free(base);
	free(more);
	return out;
}

static int oidc_redirect(se_req *r, const se_oidc *c, const char *flow_id, json_t *flow)
{
	char nonce[44];
	char *redirect = se_h_callback_url(r, c->connection_id);
	char *scope = oidc_scope(c->custom_scopes, se_http_query(r->in, "custom_scopes"));
	char *dest = se_h_browser_url(r, c->authorization_url);
	char *e_client = se_signin_escape(c->client_id), *e_redirect = redirect ? se_signin_escape(redirect) : NULL;
	char *e_scope = scope ? se_signin_escape(scope) : NULL;
	char *params = NULL;
	int rc = -1;
	if (se_h_random_43(nonce) < 0 || !dest || !e_client || !e_redirect || !e_scope) {
		se_req_internal(r);
		goto done;
	}
	params = se_asprintf("client_id=%s&redirect_uri=%s&response_type=code&scope=%s&state=%s&nonce=%s", e_client,
	                     e_redirect, e_scope, flow_id, nonce);
	/* provider_<name> parameters travel as <name>, never overriding the six above. */
	static const char *const reserved[] = {"client_id", "redirect_uri", "response_type", "scope", "state", "nonce",
	                                       NULL};
	for (size_t i = 0; params && i < r->in->n_query; i++) {
		const char *n = r->in->query[i].name;
		if (strncmp(n, "provider_", 9) != 0 || !n[9] || se_str_in(n + 9, reserved))
			continue;
		char *en = se_signin_escape(n + 9), *ev = se_signin_escape(r->in->query[i].value);
		char *next = en && ev ? se_asprintf("%s&%s=%s", params, en, ev) : NULL;
		free(en);
		free(ev);
		free(params);
		params = next;
	}
	r->location = params ? se_signin_url_add(dest, params) : NULL;
	json_object_set_new(flow, "request_id", json_string(nonce));
	json_object_set_new(flow, "protocol", json_string("oidc"));
	rc = r->location ? 0 : se_req_internal(r);
done:
	free(redirect);
	free(scope);
	free(dest);
	free(e_client);
	free(e_redirect);
	free(e_scope);
	free(params);
	return rc;
}

int se_h_sso_start(se_req *r)
{
	const char *conn_id = se_http_query(r->in, "connection_id"), *org_loc = se_http_query(r->in, "organization_id");
	const char *login = se_http_query(r->in, "login_redirect_url"),
	           *signup = se_http_query(r->in, "signup_redirect_url");
	const char *pkce = se_http_query(r->in, "pkce_code_challenge");
	se_h_signin_conn c = {0}, idp = {0};
	se_signin_settings st = {0};
	char *picked = NULL;
	char flow_id[44];
	int rc = -1;
	if (conn_id && !*conn_id)
		conn_id = NULL;
	if (org_loc && !*org_loc)
		org_loc = NULL;
	if (!conn_id && !org_loc)
		return se_req_fail(r, SE_ERR_SI_MISSING_SSO_CONNECTION_LOCATOR, NULL);
	if (conn_id && org_loc)
		return se_req_fail(r, SE_ERR_SI_TOO_MANY_SSO_CONNECTION_LOCATORS, NULL);
	if (org_loc) {
		if (org_connection(r, org_loc, &picked) < 0)
			return -1;
		conn_id = picked;
	}
	int g = se_h_signin_conn_get(r->db, conn_id, &c);
	if (g < 0) {
		rc = g == SE_ENOTFOUND ? se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND,
		                                     "SSO connection %s could not be found.", conn_id)
		                       : se_req_internal(r);
		goto done;
	}
	if (!se_h_signin_conn_active(&c)) {
		rc = se_req_fail(r, SE_ERR_SI_REQUIRES_ACTIVE_SSO_CONNECTION, "SSO connection %s is pending.", conn_id);
		goto done;
	}
	const se_h_signin_conn *side = &c;
	if (c.kind_id == SE_KIND_EXTERNAL) {
		g = se_h_signin_conn_get(r->db, c.u.external.external_connection_id, &idp);
		if (g < 0 || idp.kind_id == SE_KIND_EXTERNAL || !se_h_signin_conn_active(&idp)) {
			rc = g < 0 && g != SE_ENOTFOUND
			         ? se_req_internal(r)
			         : se_req_fail(r, SE_ERR_EXTERNAL_CONNECTION_NOT_ACTIVE, NULL);
			goto done;
		}
		side = &idp;
	}
	if (se_store_signin_settings_get(r->db, &st) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	se_error_id e;
	if (login && (e = se_signin_redirect_check(&st, login, false)) != SE_ERR_NONE) {
		rc = se_req_fail(r, e,
		                 e == SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL
		                     ? "login_redirect_url does not match any registered LOGIN redirect URL."
		                     : NULL);
		goto done;
	}
	if (signup && (e = se_signin_redirect_check(&st, signup, true)) != SE_ERR_NONE) {
		rc = se_req_fail(r, e,
		                 e == SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL
		                     ? "signup_redirect_url does not match any registered SIGNUP redirect URL."
		                     : NULL);
		goto done;
	}
	if (pkce && !b64url_43(pkce)) {
		rc = se_req_fail(r, SE_ERR_SI_INVALID_PKCE_CODE_CHALLENGE, NULL);
		goto done;
	}
	if (se_h_random_43(flow_id) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	const char *org_id = c.kind_id == SE_KIND_SAML   ? c.u.saml.organization_id
	                     : c.kind_id == SE_KIND_OIDC ? c.u.oidc.organization_id
	                                                 : c.u.external.organization_id;
	const char *idp_id = side->kind_id == SE_KIND_SAML ? side->u.saml.connection_id : side->u.oidc.connection_id;
	json_t *flow =
	    json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b}", "flow_id", flow_id, "idp_connection_id",
	              idp_id, "connection_id", conn_id, "organization_id", org_id, "login_redirect_url",
	              login ? login : "", "signup_redirect_url", signup ? signup : "", "pkce_code_challenge",
	              pkce ? pkce : "", "created_at", (json_int_t)r->now, "expires_at",
	              (json_int_t)(r->now + SE_SIGNIN_FLOW_LIFETIME), "external", c.kind_id == SE_KIND_EXTERNAL);
	if (!flow) {
		rc = se_req_internal(r);
		goto done;
	}
	rc = side->kind_id == SE_KIND_SAML ? saml_redirect(r, &side->u.saml, flow_id, flow)
	                                   : oidc_redirect(r, &side->u.oidc, flow_id, flow);
	if (rc == 0 && se_signin_flow_put(r->signin, flow) < 0)
		rc = se_req_internal(r);
	else if (rc < 0)
		json_decref(flow);
done:
	free(picked);
	se_signin_settings_release(&st);
	se_h_signin_conn_release(&c);
	se_h_signin_conn_release(&idp);
	return rc;
}
