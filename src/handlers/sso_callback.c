/* The SSO callbacks at /v1/b2b/sso/callback/{connection_id}: the SAML assertion consumer service
 * (SIGNIN.md section 2; HTTP-POST, and GET as an extension) and the OIDC redirect (section 3). */
#include <stdlib.h>
#include <string.h>

#include "handlers/handlers.h"
#include "outbound/outbound.h"
#include "signin/mapping.h"
#include "signin/member.h"
#include "signin/oidc.h"
#include "signin/saml.h"
#include "signin/state.h"
#include "signin/urls.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/util.h"

#define SKEW 120
#define REPLAY_MIN 600
/* Outside identity provider calls: 3 s and 1 MiB, as for metadata (API.md section 2). */
#define SIGNIN_FETCH_TIMEOUT_MS 3000
#define SIGNIN_FETCH_MAX_BYTES (1024 * 1024)

/* One callback as /_emulator/sso/assertions shows it. */
typedef struct acs_log {
	json_t *entry;
	json_t *checks;
} acs_log;

static void check(acs_log *l, const char *name, bool ok, const char *detail)
{
	json_array_append_new(l->checks,
	                      json_pack("{s:s, s:b, s:s}", "name", name, "ok", ok, "detail", detail ? detail : ""));
}

/* Records the failure on r and in the log; returns -1. */
static int refuse(se_req *r, acs_log *l, const char *name, se_error_id e, const char *fmt, const char *arg)
{
	char msg[512];
	snprintf(msg, sizeof msg, fmt ? fmt : "%s", arg ? arg : se_error_default_message(e));
	check(l, name, false, msg);
	return se_req_fail(r, e, "%s", msg);
}

/* Redirect targets of a flow, or the project's defaults (section 4.4). */
static void targets(const json_t *flow, const se_signin_settings *st, const char **login, const char **signup)
{
	const char *l = se_json_str(flow, "login_redirect_url"), *s = se_json_str(flow, "signup_redirect_url");
	*login = l && *l ? l : se_signin_redirect_default(st, false);
	*signup = s && *s ? s : se_signin_redirect_default(st, true);
}

/* The shared end of both callbacks: member, token and the redirect to the app. */
static int finish_signin(se_req *r, acs_log *l, const json_t *flow, const char *org_id, const char *conn_id,
                         const char *protocol, const se_signin_mapped *m)
{
	se_signin_settings st;
	if (se_store_signin_settings_get(r->db, &st) < 0)
		return se_req_internal(r);
	se_signin_target t = {org_id, conn_id, protocol, NULL, NULL, false};
	targets(flow, &st, &t.login_url, &t.signup_url);
	se_signin_identity id = {m->email, m->name, m->groups, m->trusted, m->sso_attributes, m->external_id};
	se_signin_result res;
	int rc = se_signin_complete(r, &t, &id, se_json_str(flow, "pkce_code_challenge"), st.sso_token_lifetime_seconds,
	                            &res);
	se_signin_settings_release(&st);
	if (rc < 0) {
		check(l, "member", false, r->errmsg ? r->errmsg : se_error_type(r->err));
		return -1;
	}
	check(l, "member", true, res.is_new_member ? "created just in time" : "found");
	json_object_set_new(l->entry, "email", json_string(m->email));
	json_object_set_new(l->entry, "member_id", json_string(res.member_id));
	json_object_set_new(l->entry, "is_new_member", json_boolean(res.is_new_member));
	r->location = se_h_browser_url(r, res.redirect_url);
	se_signin_result_release(&res);
	return r->location ? 0 : se_req_internal(r);
}

static void log_done(se_req *r, acs_log *l, const char *flow_id)
{
	json_object_set_new(l->entry, "error_type",
	                    r->err == SE_ERR_NONE ? json_null() : json_string(se_error_type(r->err)));
	json_object_set(l->entry, "checks", l->checks);
	if (flow_id)
		se_signin_flow_end(r->signin, flow_id, r->err == SE_ERR_NONE ? "completed" : "failed",
		                   r->err == SE_ERR_NONE ? NULL : se_error_type(r->err));
	se_signin_log_add(r->signin, l->entry);
	json_decref(l->checks);
}

static bool audience_ok(const json_t *audiences, const char *a, const char *b)
{
	size_t i;
	json_t *v;
	json_array_foreach (audiences, i, v) {
		const char *s = json_string_value(v);
		if ((a && *a && strcmp(s, a) == 0) || (b && *b && strcmp(s, b) == 0))
			return true;
	}
	return false;
}

static int saml_acs(se_req *r, const se_saml *c, const char *b64, const char *relay)
{
	acs_log l = {json_pack("{s:I, s:s, s:s, s:n, s:b, s:n, s:n, s:n, s:n, s:n}", "time", (json_int_t)r->now,
	                       "protocol", "saml", "connection_id", c->connection_id, "flow_id", "idp_initiated", 0,
	                       "raw", "decrypted", "email", "member_id", "is_new_member"),
	             json_array()};
	se_saml_assertion a = {0};
	char *xml = NULL, *acs = se_h_callback_url(r, c->connection_id);
	json_t *flow = NULL;
	const char *flow_id = NULL, *detail = NULL;
	int rc = -1;
	if (!l.entry || !l.checks || !acs) {
		rc = se_req_internal(r);
		goto done;
	}
	if (!b64 || !*b64) {
		rc = refuse(r, &l, "saml_response", SE_ERR_SI_MISSING_SAML_RESPONSE, NULL, NULL);
		goto done;
	}
	int d = se_saml_decode(b64, false, &xml);
	if (d == SE_ELIMIT) {
		rc = refuse(r, &l, "saml_response", SE_ERR_SI_SAML_RESPONSE_TOO_LONG, NULL, NULL);
		goto done;
	}
	if (d < 0) {
		rc = refuse(r, &l, "xml", SE_ERR_SI_INVALID_XML_SAML_RESPONSE, "SAMLResponse is not base64: %s",
		            "it does not decode");
		goto done;
	}
	json_object_set_new(l.entry, "raw", json_string(xml));
	/* Trust: the connection's certificates and encryption keys, newest first. */
	size_t nc = json_array_size(c->verification_certificates), nk = json_array_size(c->encryption_private_keys);
	const char **certs = calloc(nc + 1, sizeof *certs), **keys = calloc(nk + 1, sizeof *keys);
	for (size_t i = 0; certs && i < nc; i++)
		certs[i] = se_json_str(json_array_get(c->verification_certificates, nc - 1 - i), "certificate");
	for (size_t i = 0; keys && i < nk; i++)
		keys[i] = se_json_str(json_array_get(c->encryption_private_keys, nk - 1 - i), "private_key");
	se_saml_trust trust = {certs, certs ? nc : 0, keys, keys ? nk : 0};
	se_error_id e =
	    certs && keys ? se_saml_response_verify(xml, strlen(xml), &trust, &a, &detail) : SE_ERR_INTERNAL;
	free(certs);
	free(keys);
	if (a.decrypted)
		json_object_set_new(l.entry, "decrypted", json_string(a.decrypted));
	if (e != SE_ERR_NONE) {
		if (e == SE_ERR_SI_FAILED_SAML_RESPONSE) {
			char msg[512];
			snprintf(msg, sizeof msg, "The IdP answered %s%s%s.",
			         *a.status_code2 ? a.status_code2 : a.status_code, *a.status_message ? ": " : "",
			         a.status_message);
			rc = refuse(r, &l, "status", e, "%s", msg);
		} else {
			rc = e == SE_ERR_INTERNAL ? se_req_internal(r) : refuse(r, &l, "signature", e, "%s", detail);
		}
		goto done;
	}
	check(&l, "signature", true, "verified with a verification certificate");
	bool seen = false;
	if (se_store_saml_replay_seen(r->db, c->connection_id, a.assertion_id, r->now, &seen) < 0) {
		rc = se_req_internal(r);
		goto done;
	}
	if (seen) {
		rc = refuse(r, &l, "replay", SE_ERR_SI_DUPLICATE_SAML_RESPONSE, "Assertion %s was already used.",
		            a.assertion_id);
		goto done;
	}
	check(&l, "replay", true, "");
	if ((*a.response_issuer && strcmp(a.response_issuer, c->idp_entity_id) != 0) ||
	    (*a.assertion_issuer && strcmp(a.assertion_issuer, c->idp_entity_id) != 0)) {
		rc = refuse(r, &l, "issuer", SE_ERR_SI_INVALID_SAML_RESPONSE,
		            "The Issuer is not the connection's idp_entity_id %s.", c->idp_entity_id);
		goto done;
	}
	check(&l, "issuer", true, "");
	/* Check 9: the flow. */
	json_t *peek = relay && *relay ? se_signin_flow_peek(r->signin, relay) : NULL;
	const char *irt = *a.in_response_to ? a.in_response_to : a.sc_in_response_to;
	if (peek && strcmp(se_json_str(peek, "idp_connection_id"), c->connection_id) == 0) {
		bool expired = false;
		json_decref(peek);
		peek = NULL;
		if (se_signin_flow_take(r->signin, relay, r->now, &flow, &expired) < 0) {
			rc = refuse(r, &l, "flow", SE_ERR_SI_UNSOLICITED_SAML_RESPONSE, NULL, NULL);
			goto done;
		}
		flow_id = se_json_str(flow, "flow_id");
		json_object_set_new(l.entry, "flow_id", json_string(flow_id));
		if (expired) {
			rc = refuse(r, &l, "flow", SE_ERR_SI_EXPIRED_SAML_RESPONSE, "The sign-in flow %s has expired.",
			            flow_id);
			goto done;
		}
		const char *want = se_json_str(flow, "request_id");
		if (strcmp(a.in_response_to, want) != 0 || strcmp(a.sc_in_response_to, want) != 0) {
			rc = refuse(r, &l, "flow", SE_ERR_SI_UNSOLICITED_SAML_RESPONSE,
			            "InResponseTo does not name the AuthnRequest %s of this flow.", want);
			goto done;
		}
		check(&l, "flow", true, "SP-initiated");
	} else {
		json_decref(peek);
		if (*irt) {
			rc = !relay || !*relay
			         ? refuse(r, &l, "flow", SE_ERR_SI_MISSING_SAML_RELAY_STATE, NULL, NULL)
			         : refuse(r, &l, "flow", SE_ERR_SI_UNSOLICITED_SAML_RESPONSE,
			                  "RelayState names no sign-in started here for this connection%s.", "");
			goto done;
		}
		if (c->idp_initiated_auth_disabled) {
			rc = refuse(r, &l, "flow", SE_ERR_SI_SAML_IDP_INITIATED_AUTH_DISABLED, NULL, NULL);
			goto done;
		}
		json_object_set_new(l.entry, "idp_initiated", json_true());
		check(&l, "flow", true, "IdP-initiated");
	}
	const char *alt = c->alternative_acs_url;
	bool dest_ok = !*a.destination || strcmp(a.destination, acs) == 0 || (*alt && strcmp(a.destination, alt) == 0);
	bool recip_ok = strcmp(a.sc_recipient, acs) == 0 || (*alt && strcmp(a.sc_recipient, alt) == 0);
	if (!dest_ok || !recip_ok) {
		rc = refuse(r, &l, "destination", SE_ERR_SI_INVALID_SAML_RESPONSE,
		            "Destination or the bearer Recipient is not the connection's ACS URL %s.", acs);
		goto done;
	}
	check(&l, "destination", true, "");
	if (a.not_before && a.not_before > r->now + SKEW) {
		rc = refuse(r, &l, "conditions", SE_ERR_SI_NOT_YET_VALID_SAML_RESPONSE, NULL, NULL);
		goto done;
	}
	if ((a.not_on_or_after && a.not_on_or_after <= r->now - SKEW) ||
	    (a.sc_not_on_or_after && a.sc_not_on_or_after <= r->now - SKEW)) {
		rc = refuse(r, &l, "conditions", SE_ERR_SI_EXPIRED_SAML_RESPONSE,
		            "The assertion's validity has ended%s.", "");
		goto done;
	}
	check(&l, "conditions", true, "");
	if (!audience_ok(a.audiences, acs, c->alternative_audience_uri)) {
		rc = refuse(r, &l, "audience", SE_ERR_SI_INVALID_AUDIENCE_SAML_RESPONSE,
		            "No Audience is the connection's %s.", acs);
		goto done;
	}
	check(&l, "audience", true, "");
	se_signin_mapped m;
	const char *why = NULL;
	e = se_signin_map_saml(&a, c->attribute_mapping, &m, &why);
	if (e != SE_ERR_NONE) {
		rc = e == SE_ERR_INTERNAL ? se_req_internal(r) : refuse(r, &l, "attributes", e, "%s", why);
		se_signin_mapped_release(&m);
		goto done;
	}
	check(&l, "attributes", true, "");
	/* The assertion is used once accepted, kept until NotOnOrAfter + skew, at least 10 minutes. */
	time_t keep = (a.not_on_or_after ? a.not_on_or_after : r->now) + SKEW;
	if (keep < r->now + REPLAY_MIN)
		keep = r->now + REPLAY_MIN;
	const char *org_id = flow ? se_json_str(flow, "organization_id") : c->organization_id;
	const char *conn_id = flow ? se_json_str(flow, "connection_id") : c->connection_id;
	if (se_db_begin(r->db) < 0 ||
	    se_store_saml_replay_add(r->db, c->connection_id, a.assertion_id, keep, r->now) < 0 ||
	    se_db_commit(r->db) < 0) {
		se_db_rollback(r->db);
		/* Another request accepted it first. */
		rc = refuse(r, &l, "replay", SE_ERR_SI_DUPLICATE_SAML_RESPONSE, "Assertion %s was already used.",
		            a.assertion_id);
		se_signin_mapped_release(&m);
		goto done;
	}
	rc = finish_signin(r, &l, flow, org_id, conn_id, "saml", &m);
	se_signin_mapped_release(&m);
done:
	/* A response that failed before its flow was looked at still ends the flow it names. */
	if (rc < 0 && !flow && relay && *relay) {
		json_t *named = se_signin_flow_peek(r->signin, relay);
		bool expired = false;
		if (named && strcmp(se_json_str(named, "idp_connection_id"), c->connection_id) == 0 &&
		    se_signin_flow_take(r->signin, relay, r->now, &flow, &expired) == 0)
			flow_id = se_json_str(flow, "flow_id");
		json_decref(named);
	}
	if (l.entry)
		log_done(r, &l, flow_id);
	else
		json_decref(l.checks);
	json_decref(flow);
	se_saml_assertion_release(&a);
	free(xml);
	free(acs);
	return rc;
}

/* --- OIDC -------------------------------------------------------------------------------------- */

/* An OIDC callback across its fetches: the assertion log entry, the flow and the relying party's steps. */
typedef struct oidc_call {
	acs_log l;
	json_t *flow;
	const char *flow_id; /* in flow */
	se_oidc_rp rp;
	bool registered; /* the request owns it (se_req_pending) */
} oidc_call;

static void oidc_call_free(void *v)
{
	oidc_call *call = v;
	if (!call)
		return;
	json_decref(call->l.entry);
	json_decref(call->l.checks);
	json_decref(call->flow);
	se_oidc_rp_release(&call->rp);
	free(call);
}

static int oidc_drive(se_req *r, oidc_call *call);

static int oidc_continue(se_req *r, se_outbound_job *job, void *ctx)
{
	oidc_call *call = ctx;
	const char *body = NULL, *error = NULL;
	size_t len = 0;
	int rc = se_outbound_job_result(job, &body, &len, &error);
	se_oidc_rp_feed(&call->rp, rc, se_outbound_job_http_status(job), body, len);
	return oidc_drive(r, call);
}

/* Runs the relying party's steps; a step on an outside identity provider suspends the request on a
 * job of the fetch worker (SIGNIN.md section 3, Rule A). */
static int oidc_drive(se_req *r, oidc_call *call)
{
	se_oidc_fetch f;
	se_oidc_identity idn = {0};
	se_error_id e = SE_ERR_INTERNAL;
	const char *why = "internal error";
	int rc = -1;
	if (se_oidc_rp_next(r, &call->rp, &f, &idn, &e, &why) == 1) {
		se_fetch_opts opts = {.timeout_ms = SIGNIN_FETCH_TIMEOUT_MS,
				      .max_bytes = SIGNIN_FETCH_MAX_BYTES,
				      .post_body = f.post,
				      .post_len = f.post ? strlen(f.post) : 0,
				      .headers = f.headers,
				      .any_status = true};
		se_outbound_job *job = NULL;
		char *error = NULL;
		if (se_outbound_job_new(r->outbound, r->credential, f.url, &opts, NULL, NULL, &job, &error) == 0) {
			call->rp.fed = false;
			call->registered = true;
			return se_req_pending(r, job, oidc_continue, call, oidc_call_free);
		}
		free(error);
		/* The URL may not be fetched (or the worker is full): the step fails as unreachable. */
		se_oidc_rp_feed(&call->rp, SE_EIO, 0, NULL, 0);
		if (se_oidc_rp_next(r, &call->rp, &f, &idn, &e, &why) == 1) {
			e = SE_ERR_INTERNAL;
			se_oidc_identity_release(&idn);
		}
	}
	acs_log *l = &call->l;
	if (e != SE_ERR_NONE) {
		rc = e == SE_ERR_INTERNAL ? se_req_internal(r) : refuse(r, l, "id_token", e, "%s", why);
	} else {
		check(l, "id_token", true, "verified");
		se_signin_mapped m = {strdup(idn.email),        strdup(idn.name ? idn.name : ""), strdup(idn.sub),
				      json_incref(idn.groups), json_incref(idn.trusted),        json_incref(idn.claims)};
		rc = m.email && m.name && m.external_id
			     ? finish_signin(r, l, call->flow, se_json_str(call->flow, "organization_id"),
					     se_json_str(call->flow, "connection_id"), "oidc", &m)
			     : se_req_internal(r);
		se_signin_mapped_release(&m);
	}
	se_oidc_identity_release(&idn);
	log_done(r, l, call->flow_id);
	l->entry = NULL;
	l->checks = NULL;
	if (!call->registered)
		oidc_call_free(call);
	return rc;
}

static int oidc_callback(se_req *r, const se_oidc *c)
{
	acs_log l = {json_pack("{s:I, s:s, s:s, s:n, s:b, s:n, s:n, s:n, s:n, s:n}", "time", (json_int_t)r->now,
	                       "protocol", "oidc", "connection_id", c->connection_id, "flow_id", "idp_initiated", 0,
	                       "raw", "decrypted", "email", "member_id", "is_new_member"),
	             json_array()};
	json_t *flow = NULL;
	const char *flow_id = NULL;
	int rc = -1;
	if (!l.entry || !l.checks) {
		rc = se_req_internal(r);
		goto done;
	}
	const char *state = se_http_query(r->in, "state");
	if (!state || !*state) {
		rc = refuse(r, &l, "state", SE_ERR_SI_MISSING_OIDC_STATE_PARAM, NULL, NULL);
		goto done;
	}
	json_t *peek = se_signin_flow_peek(r->signin, state);
	if (!peek) {
		rc = refuse(r, &l, "state", SE_ERR_SI_UNSOLICITED_OIDC_RESPONSE, NULL, NULL);
		goto done;
	}
	bool mine = strcmp(se_json_str(peek, "idp_connection_id"), c->connection_id) == 0;
	json_decref(peek);
	if (!mine) {
		rc = refuse(r, &l, "state", SE_ERR_SI_OIDC_INVALID_CALLBACK_REQUEST,
		            "state names a flow of another connection%s.", "");
		goto done;
	}
	bool expired = false;
	if (se_signin_flow_take(r->signin, state, r->now, &flow, &expired) < 0) {
		rc = refuse(r, &l, "state", SE_ERR_SI_UNSOLICITED_OIDC_RESPONSE, NULL, NULL);
		goto done;
	}
	flow_id = se_json_str(flow, "flow_id");
	json_object_set_new(l.entry, "flow_id", json_string(flow_id));
	if (expired) {
		rc = refuse(r, &l, "state", SE_ERR_SI_EXPIRED_OIDC_RESPONSE, NULL, NULL);
		goto done;
	}
	check(&l, "state", true, "");
	const char *err = se_http_query(r->in, "error");
	if (err) {
		char msg[512];
		const char *desc = se_http_query(r->in, "error_description");
		snprintf(msg, sizeof msg, "The IdP answered error=%.100s%s%.300s.", err, desc ? ": " : "",
		         desc ? desc : "");
		rc = refuse(r, &l, "code", SE_ERR_SI_OIDC_AUTH_CODE_ERROR, "%s", msg);
		goto done;
	}
	const char *code = se_http_query(r->in, "code");
	if (!code || !*code) {
		rc = refuse(r, &l, "code", SE_ERR_SI_OIDC_INVALID_CALLBACK_REQUEST, "The callback has no code%s.", "");
		goto done;
	}
	char *redirect = se_h_callback_url(r, c->connection_id);
	oidc_call *call = calloc(1, sizeof *call);
	if (!redirect || !call || se_oidc_rp_init(&call->rp, c, code, redirect, se_json_str(flow, "request_id")) < 0) {
		free(redirect);
		free(call);
		rc = se_req_internal(r);
		goto done;
	}
	free(redirect);
	/* The rest may wait on the identity provider: the call carries the log and the flow. */
	call->l = l;
	call->flow = flow;
	call->flow_id = flow_id;
	l.entry = NULL;
	l.checks = NULL;
	flow = NULL;
	return oidc_drive(r, call);
done:
	if (l.entry)
		log_done(r, &l, flow_id);
	else
		json_decref(l.checks);
	json_decref(flow);
	return rc;
}

/* --- routes ------------------------------------------------------------------------------------ */

static int load(se_req *r, se_h_signin_conn *c)
{
	const char *id = se_route_param(&r->match, "connection_id");
	int g = se_h_signin_conn_get(r->db, id, c);
	if (g < 0 || c->kind_id == SE_KIND_EXTERNAL)
		return g < 0 && g != SE_ENOTFOUND ? se_req_internal(r)
		                                  : se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND,
		                                                "SSO connection %s could not be found.", id);
	if (!se_h_signin_conn_active(c))
		return se_req_fail(r, SE_ERR_SI_REQUIRES_ACTIVE_SSO_CONNECTION, "SSO connection %s is pending.", id);
	return 0;
}

int se_h_sso_callback_post(se_req *r)
{
	se_h_signin_conn c;
	if (load(r, &c) < 0) {
		se_h_signin_conn_release(&c);
		return -1;
	}
	int rc = c.kind_id == SE_KIND_SAML
	             ? saml_acs(r, &c.u.saml, se_json_str(r->body, "SAMLResponse"), se_json_str(r->body, "RelayState"))
	             : se_req_fail(r, SE_ERR_SI_OIDC_INVALID_CALLBACK_REQUEST, "An OIDC callback is a GET request.");
	se_h_signin_conn_release(&c);
	return rc;
}

int se_h_sso_callback_get(se_req *r)
{
	se_h_signin_conn c;
	if (load(r, &c) < 0) {
		se_h_signin_conn_release(&c);
		return -1;
	}
	int rc = c.kind_id == SE_KIND_SAML
	             ? saml_acs(r, &c.u.saml, se_http_query(r->in, "SAMLResponse"), se_http_query(r->in, "RelayState"))
	             : oidc_callback(r, &c.u.oidc);
	se_h_signin_conn_release(&c);
	return rc;
}
