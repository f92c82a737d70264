/* URL rules of sign-in on libcurl's URL parser. */
#include "signin/urls.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <jansson.h>

#include "util/util.h"

typedef struct parts {
	char *scheme, *host, *port, *path, *query, *fragment;
} parts;

static void parts_free(parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->port);
	curl_free(p->path);
	curl_free(p->query);
	curl_free(p->fragment);
	memset(p, 0, sizeof *p);
}

/* Parses an absolute http(s) URL; the port is filled with the scheme's default. */
static int parse(const char *url, parts *p)
{
	memset(p, 0, sizeof *p);
	CURLU *u = curl_url();
	if (!u)
		return -1;
	int ok = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_SCHEME, &p->scheme, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_HOST, &p->host, 0) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_PORT, &p->port, CURLU_DEFAULT_PORT) == CURLUE_OK &&
	         curl_url_get(u, CURLUPART_PATH, &p->path, 0) == CURLUE_OK;
	if (ok) {
		curl_url_get(u, CURLUPART_QUERY, &p->query, 0);
		curl_url_get(u, CURLUPART_FRAGMENT, &p->fragment, 0);
	}
	curl_url_cleanup(u);
	if (!ok || (strcasecmp(p->scheme, "http") != 0 && strcasecmp(p->scheme, "https") != 0)) {
		parts_free(p);
		return -1;
	}
	return 0;
}

static bool loopback(const char *host)
{
	return strcasecmp(host, "localhost") == 0 || strcmp(host, "127.0.0.1") == 0 || strcmp(host, "[::1]") == 0;
}

char *se_signin_self_path(const se_config *cfg, const char *url)
{
	if (!url || !*url)
		return NULL;
	if (url[0] == '/' && url[1] != '/')
		return strdup(url);
	parts u, pub;
	if (parse(url, &u) < 0)
		return NULL;
	bool self = false;
	if (cfg->public_url && parse(cfg->public_url, &pub) == 0) {
		self = strcasecmp(u.scheme, pub.scheme) == 0 && strcasecmp(u.host, pub.host) == 0 &&
		       strcmp(u.port, pub.port) == 0;
		parts_free(&pub);
	}
	unsigned port = cfg->bound_port ? cfg->bound_port : cfg->port;
	if (!self && strcasecmp(u.scheme, "http") == 0 && (unsigned)atoi(u.port) == port)
		self = loopback(u.host) || (cfg->host && strcasecmp(u.host, cfg->host) == 0);
	char *out = self ? se_asprintf("%s%s%s", u.path, u.query ? "?" : "", u.query ? u.query : "") : NULL;
	parts_free(&u);
	return out;
}

/* Host without a leading "www.", lower-cased, for comparing. */
static void norm_host(const char *h, char *out, size_t size)
{
	if (strncasecmp(h, "www.", 4) == 0)
		h += 4;
	size_t i = 0;
	for (; h[i] && i + 1 < size; i++)
		out[i] = (char)tolower((unsigned char)h[i]);
	out[i] = '\0';
}

static bool same_url(const parts *a, const parts *b)
{
	char ha[256], hb[256];
	norm_host(a->host, ha, sizeof ha);
	norm_host(b->host, hb, sizeof hb);
	return strcasecmp(a->scheme, b->scheme) == 0 && strcmp(ha, hb) == 0 && strcmp(a->port, b->port) == 0 &&
	       strcmp(a->path, b->path) == 0 && strcmp(a->query ? a->query : "", b->query ? b->query : "") == 0;
}

static bool has_type(const json_t *entry, const char *type, bool want_default)
{
	size_t i;
	json_t *t;
	json_array_foreach (json_object_get(entry, "valid_types"), i, t) {
		const char *ty = se_json_str(t, "type");
		if (ty && strcmp(ty, type) == 0 && (!want_default || json_is_true(json_object_get(t, "is_default"))))
			return true;
	}
	return false;
}

se_error_id se_signin_redirect_check(const se_signin_settings *s, const char *url, bool signup)
{
	se_error_id bad = signup ? SE_ERR_SI_INVALID_SIGNUP_SSO_URL : SE_ERR_SI_INVALID_LOGIN_SSO_URL;
	const char *type = signup ? "SIGNUP" : "LOGIN";
	parts u;
	if (strlen(url) > 2048 || strchr(url, '#') || parse(url, &u) < 0)
		return bad;
	if (u.fragment) {
		parts_free(&u);
		return bad;
	}
	se_error_id e = SE_ERR_SI_NO_MATCH_FOR_PROVIDED_SSO_URL;
	if (s->allow_loopback_redirect_urls && loopback(u.host))
		e = SE_ERR_NONE;
	size_t i;
	json_t *entry;
	json_array_foreach (s->redirect_urls, i, entry) {
		parts r;
		if (e == SE_ERR_NONE)
			break;
		if (!has_type(entry, type, false) || parse(se_json_str(entry, "url"), &r) < 0)
			continue;
		if (same_url(&u, &r))
			e = SE_ERR_NONE;
		parts_free(&r);
	}
	parts_free(&u);
	return e;
}

const char *se_signin_redirect_default(const se_signin_settings *s, bool signup)
{
	size_t i;
	json_t *entry;
	json_array_foreach (s->redirect_urls, i, entry)
		if (has_type(entry, signup ? "SIGNUP" : "LOGIN", true))
			return se_json_str(entry, "url");
	return NULL;
}

char *se_signin_url_add(const char *url, const char *params)
{
	size_t cut = strcspn(url, "#");
	const char *q = memchr(url, '?', cut);
	const char *sep = !q ? "?" : (url[cut - 1] == '?' || url[cut - 1] == '&') ? "" : "&";
	return se_asprintf("%.*s%s%s%s", (int)cut, url, sep, params, url + cut);
}

char *se_signin_escape(const char *s)
{
	char *e = curl_escape(s ? s : "", 0);
	char *out = e ? strdup(e) : NULL;
	curl_free(e);
	return out;
}

char *se_signin_origin(const char *host_header)
{
	/* The Host header was checked by the edge (allowed hosts); only its shape matters here. */
	if (!host_header || !*host_header || strpbrk(host_header, "/\\ \"'<>"))
		host_header = "127.0.0.1";
	return se_asprintf("http://%s", host_header);
}
