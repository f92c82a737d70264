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

se_error_id se_oidc_sign_in(se_req *r, const se_oidc *c, const char *code, const char *redirect_uri, const char *nonce,
                            se_oidc_identity *ret, const char **why)
{
	memset(ret, 0, sizeof *ret);
	json_t *tok = NULL, *jwks = NULL, *claims = NULL, *info = NULL;
	se_error_id e = SE_ERR_SI_OIDC_AUTH_CODE_ERROR;
	*why = "the token endpoint is not the built-in provider: calls to outside identity providers need the "
	       "non-blocking fetch path, which this build does not have";
	if (!builtin(r, c->token_url, "token") || !builtin(r, c->jwks_url, "jwks"))
		goto done;
	/* In-process (Rule A): the same request the token endpoint would get, client_secret_basic. */
	int status = 0;
	json_t *form = json_pack("{s:s, s:s, s:s}", "grant_type", "authorization_code", "code", code, "redirect_uri",
	                         redirect_uri);
	char *e_id = se_signin_escape(c->client_id), *e_secret = se_signin_escape(c->client_secret);
	char *pair = e_id && e_secret ? se_asprintf("%s:%s", e_id, e_secret) : NULL;
	free(e_id);
	free(e_secret);
	char *b64 = NULL, *auth = NULL;
	if (pair) {
		b64 = malloc(strlen(pair) * 2 + 4);
		if (b64)
			EVP_EncodeBlock((unsigned char *)b64, (const unsigned char *)pair, (int)strlen(pair));
		auth = b64 ? se_asprintf("Basic %s", b64) : NULL;
		OPENSSL_cleanse(pair, strlen(pair));
	}
	free(pair);
	free(b64);
	if (form && auth)
		se_idp_oidc_token(r, form, auth, &status, &tok);
	json_decref(form);
	free(auth);
	*why = "the token endpoint refused the code";
	if (status / 100 != 2 || !se_json_str(tok, "id_token"))
		goto done;
	jwks = se_oidc_jwks();
	e = jwks ? se_oidc_verify(se_json_str(tok, "id_token"), jwks, c->issuer, c->client_id, nonce, r->now, &claims,
	                          why)
	         : SE_ERR_INTERNAL;
	if (e != SE_ERR_NONE)
		goto done;
	const json_t *map = c->attribute_mapping;
	const char *email = claim_str(claims, map, "email", "email");
	const char *name = claim_str(claims, map, "full_name", "name");
	const char *sub = se_json_str(claims, "sub");
	if ((!email || !name) && *c->userinfo_url) {
		e = SE_ERR_SI_OIDC_INVALID_USERINFO;
		*why = "userinfo is not the built-in provider's";
		if (!builtin(r, c->userinfo_url, "userinfo"))
			goto done;
		se_idp_oidc_userinfo(r, se_json_str(tok, "access_token"), &status, &info);
		*why = "userinfo did not answer 2xx with a JSON object";
		if (status / 100 != 2 || !json_is_object(info))
			goto done;
		e = SE_ERR_SI_OIDC_RESPONSE_SUBJECT_MISMATCH;
		*why = "userinfo's sub is not the id_token's";
		const char *isub = se_json_str(info, "sub");
		if (!isub || strcmp(isub, sub) != 0)
			goto done;
		/* Userinfo only fills gaps. */
		const char *k;
		json_t *v;
		json_object_foreach (info, k, v)
			if (!json_object_get(claims, k))
				json_object_set(claims, k, v);
		email = claim_str(claims, map, "email", "email");
		name = claim_str(claims, map, "full_name", "name");
	}
	e = SE_ERR_SI_OIDC_RESPONSE_EMAIL_MISSING;
	*why = "the identity provider gave no email";
	if (!email || !*email)
		goto done;
	e = SE_ERR_SI_OIDC_RESPONSE_UNVERIFIED_EMAIL;
	*why = "email_verified is false";
	if (json_is_false(json_object_get(claims, "email_verified")))
		goto done;
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
	e = SE_ERR_INTERNAL;
	*why = "internal error";
	if (!ret->email || !ret->name || !ret->sub || !ret->groups || !ret->trusted)
		goto done;
	e = SE_ERR_NONE;
	*why = "ok";
done:
	if (e != SE_ERR_NONE)
		se_oidc_identity_release(ret);
	json_decref(tok);
	json_decref(jwks);
	json_decref(claims);
	json_decref(info);
	return e;
}
