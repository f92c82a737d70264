/* The built-in identity provider's logic: keys, users, SAML Responses with test outcomes, and the
 * OIDC provider's codes, tokens and userinfo (SIGNIN.md section 6). */
#include "signin/idp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "auth/auth.h"
#include "crypto/digest.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "signin/keys.h"
#include "signin/member.h"
#include "signin/oidc.h"
#include "signin/saml.h"
#include "signin/state.h"
#include "signin/urls.h"
#include "store/signin.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

bool se_idp_outcome_valid(const char *protocol, const char *outcome)
{
	static const char *const both[] = {"success",        "cancel",       "tampered",      "wrong_key", "expired",
	                                   "wrong_audience", "wrong_issuer", "missing_email", NULL};
	static const char *const saml[] = {"unsigned", "not_yet_valid", "wrong_destination",
	                                   "replay",   "malformed",     NULL};
	static const char *const oidc[] = {"wrong_nonce", "unverified_email", "token_error", "userinfo_mismatch", NULL};
	if (!outcome)
		return false;
	if (se_str_in(outcome, both))
		return true;
	if (!protocol)
		return se_str_in(outcome, saml) || se_str_in(outcome, oidc);
	return se_str_in(outcome, strcmp(protocol, "saml") == 0 ? saml : oidc);
}

json_t *se_idp_user(se_req *r, const char *email, const json_t *overrides)
{
	se_signin_settings st;
	json_t *user = NULL;
	if (se_store_signin_settings_get(r->db, &st) == 0) {
		size_t i;
		json_t *u;
		json_array_foreach (st.idp_users, i, u) {
			const char *e = se_json_str(u, "email");
			if (e && email && strcasecmp(e, email) == 0) {
				user = json_deep_copy(u);
				break;
			}
		}
		se_signin_settings_release(&st);
	}
	if (!user) {
		const char *at = email ? strchr(email, '@') : NULL;
		char *local = at ? strndup(email, (size_t)(at - email)) : strdup(email ? email : "");
		user = local ? json_pack("{s:s, s:s, s:s, s:s, s:[]}", "email", email ? email : "", "name", local,
		                         "first_name", local, "last_name", "", "groups")
		             : NULL;
		free(local);
	}
	if (user && overrides) {
		const char *k;
		json_t *v;
		json_object_foreach ((json_t *)overrides, k, v) {
			static const char *const fields[] = {"name",       "first_name",  "last_name", "groups",
			                                     "attributes", "idp_user_id", NULL};
			if (se_str_in(k, fields) && !json_is_null(v))
				json_object_set(user, k, v);
		}
	}
	if (user && !se_json_str(user, "idp_user_id"))
		json_object_set(user, "idp_user_id", json_object_get(user, "email"));
	if (user && !se_json_str(user, "name"))
		json_object_set_new(user, "name", json_string(""));
	return user;
}

/* --- SAML -------------------------------------------------------------------------------------- */

static int random_43(char out[44])
{
	char tok[45];
	if (se_signin_random_token(tok) < 0)
		return SE_ECRYPTO;
	memcpy(out, tok, 43);
	out[43] = '\0';
	return 0;
}

static json_t *saml_attributes(const json_t *user, bool with_email)
{
	json_t *a = json_object();
	if (!a)
		return NULL;
	if (with_email)
		json_object_set(a, "email", json_object_get(user, "email"));
	static const char *const keys[] = {"name", "first_name", "last_name"};
	for (size_t i = 0; i < 3; i++) {
		const char *v = se_json_str(user, keys[i]);
		if (v && *v)
			json_object_set_new(a, keys[i], json_string(v));
	}
	json_t *g = json_object_get(user, "groups");
	if (json_is_array(g) && json_array_size(g))
		json_object_set(a, "groups", g);
	const char *k;
	json_t *v;
	json_object_foreach (json_object_get(user, "attributes"), k, v)
		if (json_is_string(v) || json_is_array(v))
			json_object_set(a, k, v);
	return a;
}

int se_idp_saml_response(se_req *r, const se_idp_saml_request *q, const json_t *user, const char *outcome,
                         char **ret_xml)
{
	if (!outcome)
		outcome = "success";
	if (strcmp(outcome, "malformed") == 0) {
		*ret_xml = strdup("<samlp:Response this is not XML");
		return *ret_xml ? 0 : se_req_internal(r);
	}
	if (strcmp(outcome, "replay") == 0 && q->connection_id) {
		char *last = se_signin_last_response_get(r->signin, q->connection_id);
		if (last) {
			*ret_xml = last;
			return 0;
		}
	}
	se_saml c = {0};
	bool have_conn =
	    q->connection_id && se_store_conn_get(r->db, se_kind_get(SE_KIND_SAML), NULL, q->connection_id, &c) == 0;
	bool missing_email = strcmp(outcome, "missing_email") == 0;
	const char *format = q->nameid_format && *q->nameid_format ? q->nameid_format : SE_SAML_NAMEID_EMAIL;
	char transient[44];
	const char *nameid = se_json_str(user, "email");
	if (missing_email || strcmp(format, SE_SAML_NAMEID_TRANSIENT) == 0) {
		if (random_43(transient) < 0) {
			if (have_conn)
				se_conn_release(se_kind_get(SE_KIND_SAML), &c);
			return se_req_internal(r);
		}
		nameid = transient;
		format = SE_SAML_NAMEID_TRANSIENT;
	} else if (strcmp(format, SE_SAML_NAMEID_PERSISTENT) == 0) {
		nameid = se_json_str(user, "idp_user_id");
	}
	json_t *attrs = saml_attributes(user, !missing_email);
	time_t now = r->now;
	time_t nb = now - 30, noa = now + 300;
	if (strcmp(outcome, "expired") == 0) {
		nb = now - 1200;
		noa = now - 600;
	} else if (strcmp(outcome, "not_yet_valid") == 0) {
		nb = now + 600;
		noa = now + 900;
	}
	char *dest =
	    strcmp(outcome, "wrong_destination") == 0 ? strdup("https://elsewhere.example/acs") : strdup(q->acs_url);
	const char *issuer = strcmp(outcome, "wrong_issuer") == 0 ? "urn:ssoemu:idp:other" : SE_IDP_SAML_ENTITY_ID;
	const char *audience = strcmp(outcome, "wrong_audience") == 0 ? "urn:ssoemu:other-audience" : q->audience;
	bool cancel = strcmp(outcome, "cancel") == 0, wrong_key = strcmp(outcome, "wrong_key") == 0;
	/* The newest encryption key of the SP's connection, if any. */
	const char *enc =
	    have_conn
	        ? se_json_str(json_array_get(c.encryption_private_keys, json_array_size(c.encryption_private_keys) - 1),
	                      "private_key")
	        : NULL;
	se_saml_resp_params p = {.destination = dest,
	                         .in_response_to = q->request_id,
	                         .issuer = issuer,
	                         .audience = audience,
	                         .nameid = nameid,
	                         .nameid_format = format,
	                         .now = now,
	                         .not_before = nb,
	                         .not_on_or_after = noa,
	                         .attributes = attrs,
	                         .status_code2 = cancel ? "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed" : NULL,
	                         .status_message = cancel ? "The user cancelled the sign-in." : NULL,
	                         .key_pem = strcmp(outcome, "unsigned") == 0 ? NULL
	                                    : wrong_key                      ? se_idp_rogue_key()
	                                                                     : se_idp_saml_key(),
	                         .cert_pem = wrong_key ? se_idp_rogue_cert() : se_idp_saml_cert(),
	                         .tamper = strcmp(outcome, "tampered") == 0,
	                         .encrypt_key_pem = enc};
	int rc = dest && attrs ? se_saml_response_build(&p, ret_xml) : SE_ENOMEM;
	if (rc == 0 && have_conn && strcmp(outcome, "success") == 0)
		se_signin_last_response_put(r->signin, q->connection_id, *ret_xml);
	free(dest);
	json_decref(attrs);
	if (have_conn)
		se_conn_release(se_kind_get(SE_KIND_SAML), &c);
	return rc < 0 ? se_req_internal(r) : 0;
}

/* --- OIDC -------------------------------------------------------------------------------------- */

char *se_idp_oidc_code(se_req *r, const json_t *pending, const json_t *user, const char *outcome)
{
	char code[44];
	if (random_43(code) < 0)
		return NULL;
	json_t *item = json_pack("{s:O, s:O, s:s, s:I}", "pending", pending, "user", user, "outcome",
	                         outcome ? outcome : "success", "expires_at", (json_int_t)(r->now + 60));
	if (!item || se_signin_item_put(r->signin, "code", code, item) < 0)
		return NULL;
	return strdup(code);
}

static void oauth_error(int *st, json_t **body, int status, const char *error, const char *desc)
{
	*st = status;
	*body = json_pack("{s:s, s:s}", "error", error, "error_description", desc);
}

typedef struct find_ctx {
	const char *id;
	se_oidc *out;
	bool found;
} find_ctx;

static int find_client(void *obj, void *v)
{
	find_ctx *f = v;
	const se_oidc *c = obj;
	if (strcmp(c->client_id, f->id) != 0)
		return 0;
	if (se_conn_copy(se_kind_get(SE_KIND_OIDC), c, f->out) < 0)
		return SE_ENOMEM;
	f->found = true;
	return 1;
}

/* The client of a token request: client_secret_basic or client_secret_post against the stored OIDC
 * connections. *ret is that connection. */
static int client_auth(se_req *r, const json_t *form, const char *authorization, se_oidc *ret)
{
	char *id = NULL, *secret = NULL;
	if (authorization && se_auth_basic(authorization, &id, &secret) == 0) {
		/* client_secret_basic form-encodes both parts (RFC 6749 2.3.1). */
		for (char *p = id; p && *p; p++)
			*p = *p == '+' ? ' ' : *p;
		for (char *p = secret; p && *p; p++)
			*p = *p == '+' ? ' ' : *p;
		if (se_percent_decode(id) < 0 || se_percent_decode(secret) < 0) {
			free(id);
			free(secret);
			return SE_EINVAL;
		}
	} else {
		id = se_strdup(se_json_str(form, "client_id"));
		secret = se_strdup(se_json_str(form, "client_secret"));
	}
	int rc = SE_EINVAL;
	if (!id || !secret)
		goto done;
	find_ctx f = {id, ret, false};
	rc = se_store_conn_each(r->db, se_kind_get(SE_KIND_OIDC), NULL, find_client, &f);
	if (rc < 0 && rc != 1)
		goto done;
	rc = SE_EINVAL;
	if (!f.found)
		goto done;
	if (!se_crypto_streq(ret->client_secret, secret)) {
		se_conn_release(se_kind_get(SE_KIND_OIDC), ret);
		goto done;
	}
	rc = 0;
done:
	if (secret)
		OPENSSL_cleanse(secret, strlen(secret));
	free(id);
	free(secret);
	return rc;
}

static const char *issuer_for(se_req *r, const se_oidc *c, char **owned)
{
	char *self = se_signin_self_path(r->cfg, c->issuer);
	size_t n = self ? strlen(self) : 0, m = strlen(SE_IDP_OIDC_PATH);
	bool ours = self && n >= m && strcmp(self + n - m, SE_IDP_OIDC_PATH) == 0;
	free(self);
	if (ours)
		return c->issuer;
	*owned = se_signin_origin(se_http_header(r->in, "Host"));
	char *full = *owned ? se_asprintf("%s" SE_IDP_OIDC_PATH, *owned) : NULL;
	free(*owned);
	*owned = full;
	return full ? full : "";
}

void se_idp_oidc_token(se_req *r, const json_t *form, const char *authorization, int *ret_status, json_t **ret_body)
{
	se_oidc c = {0};
	json_t *item = NULL, *claims = NULL;
	char *owned = NULL, *jwt = NULL;
	const char *gt = se_json_str(form, "grant_type");
	if (!gt || strcmp(gt, "authorization_code") != 0) {
		oauth_error(ret_status, ret_body, 400, "unsupported_grant_type",
		            "Only authorization_code is supported.");
		return;
	}
	if (client_auth(r, form, authorization, &c) < 0) {
		oauth_error(ret_status, ret_body, 401, "invalid_client", "Unknown client or wrong client secret.");
		return;
	}
	item = se_signin_item_take(r->signin, "code", se_json_str(form, "code"));
	json_t *pending = json_object_get(item, "pending");
	const char *outcome = se_json_str(item, "outcome");
	const char *verifier = se_json_str(form, "code_verifier"), *challenge = se_json_str(pending, "code_challenge");
	char s256[44];
	if (verifier)
		se_signin_s256(verifier, s256);
	if (!item || json_integer_value(json_object_get(item, "expires_at")) <= (json_int_t)r->now ||
	    strcmp(se_json_str(pending, "client_id"), c.client_id) != 0 || !se_json_str(form, "redirect_uri") ||
	    strcmp(se_json_str(pending, "redirect_uri"), se_json_str(form, "redirect_uri")) != 0 ||
	    (challenge && *challenge && (!verifier || strcmp(s256, challenge) != 0)) ||
	    (outcome && strcmp(outcome, "token_error") == 0)) {
		oauth_error(
		    ret_status, ret_body, 400, "invalid_grant",
		    "The code is unknown, used, expired, or not for this client, redirect_uri or code_verifier.");
		goto done;
	}
	const json_t *user = json_object_get(item, "user");
	bool missing_email = strcmp(outcome, "missing_email") == 0,
	     userinfo_mismatch = strcmp(outcome, "userinfo_mismatch") == 0;
	time_t exp = strcmp(outcome, "expired") == 0 ? r->now - 600 : r->now + 300;
	const char *iss =
	    strcmp(outcome, "wrong_issuer") == 0 ? "https://other-issuer.example" : issuer_for(r, &c, &owned);
	const char *aud = strcmp(outcome, "wrong_audience") == 0 ? "other-client" : c.client_id;
	const char *nonce = strcmp(outcome, "wrong_nonce") == 0 ? "not-the-flow-nonce" : se_json_str(pending, "nonce");
	claims =
	    json_pack("{s:s, s:O, s:s, s:I, s:I, s:I}", "iss", iss, "sub", json_object_get(user, "idp_user_id"), "aud",
	              aud, "iat", (json_int_t)r->now, "exp", (json_int_t)exp, "auth_time", (json_int_t)r->now);
	if (!claims) {
		oauth_error(ret_status, ret_body, 500, "server_error", "Out of memory.");
		goto done;
	}
	if (nonce)
		json_object_set_new(claims, "nonce", json_string(nonce));
	if (!missing_email && !userinfo_mismatch) {
		json_object_set(claims, "email", json_object_get(user, "email"));
		json_object_set_new(claims, "email_verified", json_boolean(strcmp(outcome, "unverified_email") != 0));
		json_object_set(claims, "name", json_object_get(user, "name"));
		json_object_set(claims, "given_name", json_object_get(user, "first_name"));
		json_object_set(claims, "family_name", json_object_get(user, "last_name"));
		json_object_set(claims, "groups", json_object_get(user, "groups"));
	}
	se_oidc_key key = strcmp(outcome, "wrong_key") == 0 ? SE_OIDC_KEY_ROGUE : SE_OIDC_KEY_IDP;
	char access[45];
	if (se_oidc_sign(key, claims, strcmp(outcome, "tampered") == 0, &jwt) < 0 ||
	    se_signin_random_token(access) < 0) {
		oauth_error(ret_status, ret_body, 500, "server_error", "The id_token could not be signed.");
		goto done;
	}
	/* What userinfo answers for this access token. */
	json_t *info =
	    json_pack("{s:O, s:O, s:b, s:O, s:O, s:O, s:O}", "sub",
	              userinfo_mismatch ? json_string("someone-else") : json_object_get(user, "idp_user_id"), "email",
	              missing_email ? json_null() : json_object_get(user, "email"), "email_verified",
	              strcmp(outcome, "unverified_email") != 0, "name", json_object_get(user, "name"), "given_name",
	              json_object_get(user, "first_name"), "family_name", json_object_get(user, "last_name"), "groups",
	              json_object_get(user, "groups"));
	if (userinfo_mismatch)
		json_decref(json_object_get(info, "sub")); /* json_pack O took its own reference */
	json_object_set_new(info, "expires_at", json_integer((json_int_t)(r->now + 3600)));
	if (se_signin_item_put(r->signin, "access_token", access, info) < 0) {
		oauth_error(ret_status, ret_body, 500, "server_error", "Out of memory.");
		goto done;
	}
	*ret_status = 200;
	const char *scope = se_json_str(pending, "scope");
	*ret_body = json_pack("{s:s, s:s, s:i, s:s, s:s}", "access_token", access, "token_type", "Bearer", "expires_in",
	                      3600, "id_token", jwt, "scope", scope ? scope : "openid");
done:
	free(jwt);
	free(owned);
	json_decref(item);
	json_decref(claims);
	se_conn_release(se_kind_get(SE_KIND_OIDC), &c);
}

void se_idp_oidc_userinfo(se_req *r, const char *access_token, int *ret_status, json_t **ret_body)
{
	json_t *info = access_token ? se_signin_item_get(r->signin, "access_token", access_token) : NULL;
	if (!info || json_integer_value(json_object_get(info, "expires_at")) <= (json_int_t)r->now) {
		json_decref(info);
		*ret_status = 401;
		*ret_body = json_pack("{s:s, s:s}", "error", "invalid_token", "error_description",
		                      "Unknown or expired access token.");
		return;
	}
	json_object_del(info, "expires_at");
	const char *k;
	json_t *v;
	void *tmp;
	json_object_foreach_safe(info, tmp, k, v) if (json_is_null(v)) json_object_del(info, k);
	*ret_status = 200;
	*ret_body = info;
}
