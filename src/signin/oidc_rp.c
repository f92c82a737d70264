/* The relying-party side of the OIDC callback (SIGNIN.md section 3 steps 3 to 6): code exchange, ID
 * token verification, userinfo and the attribute mapping; the built-in provider is served in-process. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "signin/idp.h"
#include "signin/oidc.h"
#include "signin/urls.h"
#include "util/errors_code.h"
#include "util/util.h"

/* Whether url is the built-in provider's endpoint named (token, jwks, userinfo) and served here. */
static bool builtin(const se_req *r, const char *url, const char *endpoint)
{
	char *path = se_signin_self_path(r->cfg, url);
	char want[64];
	snprintf(want, sizeof want, SE_IDP_OIDC_PATH "/%s", endpoint);
	bool ok = path && strcmp(path, want) == 0;
	free(path);
	return ok;
}

static const char *claim_str(const json_t *claims, const json_t *mapping, const char *key, const char *dflt)
{
	const char *name = se_json_str(mapping, key);
	return se_json_str(claims, name ? name : dflt);
}

void se_oidc_rp_release(se_oidc_rp *rp)
{
	se_conn_release(se_kind_get(SE_KIND_OIDC), &rp->c);
	free(rp->code);
	free(rp->redirect_uri);
	free(rp->nonce);
	free(rp->post);
	free(rp->auth_header);
	free(rp->bearer_header);
	json_decref(rp->tok);
	json_decref(rp->jwks);
	json_decref(rp->claims);
	json_decref(rp->info);
	memset(rp, 0, sizeof *rp);
}

int se_oidc_rp_init(se_oidc_rp *rp, const se_oidc *c, const char *code, const char *redirect_uri, const char *nonce)
{
	memset(rp, 0, sizeof *rp);
	if (se_conn_copy(se_kind_get(SE_KIND_OIDC), c, &rp->c) < 0)
		return SE_ENOMEM;
	rp->code = strdup(code);
	rp->redirect_uri = strdup(redirect_uri);
	rp->nonce = strdup(nonce ? nonce : "");
	char *e_id = se_signin_escape(c->client_id), *e_secret = se_signin_escape(c->client_secret);
	char *e_code = se_signin_escape(code), *e_redirect = se_signin_escape(redirect_uri);
	char *pair = e_id && e_secret ? se_asprintf("%s:%s", e_id, e_secret) : NULL;
	rp->post = e_code && e_redirect ? se_asprintf("grant_type=authorization_code&code=%s&redirect_uri=%s", e_code,
						      e_redirect)
					: NULL;
	char *b64 = pair ? malloc(strlen(pair) * 2 + 4) : NULL;
	if (b64)
		EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)pair, (int)strlen(pair));
	/* client_secret_basic (SIGNIN.md 3, step 3). */
	rp->auth_header = b64 ? se_asprintf("Authorization: Basic %s", b64) : NULL;
	if (pair)
		OPENSSL_cleanse(pair, strlen(pair));
	free(pair);
	free(b64);
	free(e_id);
	free(e_secret);
	free(e_code);
	free(e_redirect);
	if (!rp->code || !rp->redirect_uri || !rp->nonce || !rp->post || !rp->auth_header) {
		se_oidc_rp_release(rp);
		return SE_ENOMEM;
	}
	return 0;
}

/* The result of a fetch of the current step, from the outside identity provider. */
void se_oidc_rp_feed(se_oidc_rp *rp, int rc, long status, const char *body, size_t len)
{
	json_t *j = rc == 0 && body ? json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	if (rp->step == SE_OIDC_STEP_TOKEN) {
		rp->tok = j;
		rp->tok_status = rc == 0 ? status : 0;
	} else if (rp->step == SE_OIDC_STEP_JWKS) {
		rp->jwks = j;
	} else {
		rp->info = j;
		rp->info_status = rc == 0 ? status : 0;
	}
	rp->fed = true;
}

/* Sets *ret_fetch for url (a GET, or the token POST). */
static void need(se_oidc_rp *rp, const char *url, se_oidc_fetch *ret_fetch)
{
	static const char *const form[] = {"Content-Type: application/x-www-form-urlencoded", "Accept: application/json",
					   NULL, NULL};
	memset(ret_fetch, 0, sizeof *ret_fetch);
	ret_fetch->url = url;
	if (rp->step == SE_OIDC_STEP_TOKEN) {
		ret_fetch->post = rp->post;
		rp->headers[0] = form[0];
		rp->headers[1] = form[1];
		rp->headers[2] = rp->auth_header + 0;
		rp->headers[3] = NULL;
	} else if (rp->step == SE_OIDC_STEP_USERINFO) {
		rp->headers[0] = "Accept: application/json";
		rp->headers[1] = rp->bearer_header;
		rp->headers[2] = NULL;
	} else {
		rp->headers[0] = "Accept: application/json";
		rp->headers[1] = NULL;
	}
	ret_fetch->headers = rp->headers;
}

/* The mapping of section 3 step 6 once the claims are complete. */
static se_error_id map_claims(se_oidc_rp *rp, se_oidc_identity *ret, const char **why)
{
	const json_t *map = rp->c.attribute_mapping;
	json_t *claims = rp->claims;
	const char *email = claim_str(claims, map, "email", "email");
	const char *name = claim_str(claims, map, "full_name", "name");
	const char *sub = se_json_str(claims, "sub");
	*why = "the identity provider gave no email";
	if (!email || !*email)
		return SE_ERR_SI_OIDC_RESPONSE_EMAIL_MISSING;
	*why = "email_verified is false";
	if (json_is_false(json_object_get(claims, "email_verified")))
		return SE_ERR_SI_OIDC_RESPONSE_UNVERIFIED_EMAIL;
	const char *first = claim_str(claims, map, "first_name", "given_name");
	const char *last = claim_str(claims, map, "last_name", "family_name");
	const char *ext = claim_str(claims, map, "idp_user_id", "sub");
	json_t *groups = json_object_get(claims, se_json_str(map, "groups") ? se_json_str(map, "groups") : "groups");
	ret->email = strdup(email);
	ret->name = name ? strdup(name)
	            : first || last
	                ? se_asprintf("%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "")
	                : strdup("");
	ret->sub = strdup(ext ? ext : sub);
	ret->groups = json_is_array(groups) ? json_deep_copy(groups) : json_array();
	ret->trusted = json_object();
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)map, k, v) {
		static const char *const known[] = {"email",  "full_name",   "first_name", "last_name",
		                                    "groups", "idp_user_id", NULL};
		json_t *cv = json_is_string(v) ? json_object_get(claims, json_string_value(v)) : NULL;
		if (!se_str_in(k, known) && cv)
			json_object_set(ret->trusted, k, cv);
	}
	ret->claims = json_incref(claims);
	*why = "internal error";
	if (!ret->email || !ret->name || !ret->sub || !ret->groups || !ret->trusted)
		return SE_ERR_INTERNAL;
	*why = "ok";
	return SE_ERR_NONE;
}

int se_oidc_rp_next(se_req *r, se_oidc_rp *rp, se_oidc_fetch *ret_fetch, se_oidc_identity *ret, se_error_id *ret_e,
		    const char **why)
{
	memset(ret, 0, sizeof *ret);
	se_oidc *c = &rp->c;
	int status = 0;
	if (rp->step == SE_OIDC_STEP_TOKEN) {
		if (!rp->fed && !builtin(r, c->token_url, "token")) {
			need(rp, c->token_url, ret_fetch);
			return 1;
		}
		if (!rp->fed) {
			/* In-process (Rule A): the request the token endpoint would get. */
			json_t *form = json_pack("{s:s, s:s, s:s}", "grant_type", "authorization_code", "code", rp->code,
			                         "redirect_uri", rp->redirect_uri);
			if (form)
				se_idp_oidc_token(r, form, rp->auth_header + strlen("Authorization: "), &status, &rp->tok);
			json_decref(form);
			rp->tok_status = status;
		}
		*ret_e = SE_ERR_SI_OIDC_AUTH_CODE_ERROR;
		*why = rp->tok_status == 0 ? "the token endpoint could not be reached or timed out"
		       : rp->tok_status / 100 != 2 ? "the token endpoint refused the code"
		                                   : "the token endpoint's answer has no id_token";
		if (se_json_str(rp->tok, "error") && rp->tok_status / 100 != 2)
			*why = "the token endpoint answered an OAuth error (see the assertion log)";
		if (rp->tok_status / 100 != 2 || !se_json_str(rp->tok, "id_token"))
			return 0;
		const char *access = se_json_str(rp->tok, "access_token");
		rp->bearer_header = se_asprintf("Authorization: Bearer %s", access ? access : "");
		if (!rp->bearer_header) {
			*ret_e = SE_ERR_INTERNAL;
			return 0;
		}
		rp->step = SE_OIDC_STEP_JWKS;
		rp->fed = false;
	}
	if (rp->step == SE_OIDC_STEP_JWKS) {
		if (!rp->fed && !builtin(r, c->jwks_url, "jwks")) {
			need(rp, c->jwks_url, ret_fetch);
			return 1;
		}
		if (!rp->fed)
			rp->jwks = se_oidc_jwks();
		*ret_e = se_oidc_verify(se_json_str(rp->tok, "id_token"), rp->jwks, c->issuer, c->client_id, rp->nonce, r->now,
		                        &rp->claims, why);
		if (*ret_e != SE_ERR_NONE)
			return 0;
		const json_t *map = c->attribute_mapping;
		bool gaps = !claim_str(rp->claims, map, "email", "email") || !claim_str(rp->claims, map, "full_name", "name");
		rp->step = gaps && *c->userinfo_url ? SE_OIDC_STEP_USERINFO : SE_OIDC_STEP_DONE;
		rp->fed = false;
	}
	if (rp->step == SE_OIDC_STEP_USERINFO) {
		if (!rp->fed && !builtin(r, c->userinfo_url, "userinfo")) {
			need(rp, c->userinfo_url, ret_fetch);
			return 1;
		}
		if (!rp->fed) {
			se_idp_oidc_userinfo(r, se_json_str(rp->tok, "access_token"), &status, &rp->info);
			rp->info_status = status;
		}
		*ret_e = SE_ERR_SI_OIDC_INVALID_USERINFO;
		*why = "userinfo did not answer 2xx with a JSON object";
		if (rp->info_status / 100 != 2 || !json_is_object(rp->info))
			return 0;
		*ret_e = SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISMATCH;
		*why = "userinfo's sub is not the id_token's";
		const char *isub = se_json_str(rp->info, "sub");
		if (!isub || strcmp(isub, se_json_str(rp->claims, "sub")) != 0)
			return 0;
		/* Userinfo only fills gaps. */
		const char *k;
		json_t *v;
		json_object_foreach (rp->info, k, v)
			if (!json_object_get(rp->claims, k))
				json_object_set(rp->claims, k, v);
		rp->step = SE_OIDC_STEP_DONE;
	}
	*ret_e = map_claims(rp, ret, why);
	if (*ret_e != SE_ERR_NONE)
		se_oidc_identity_release(ret);
	return 0;
}
