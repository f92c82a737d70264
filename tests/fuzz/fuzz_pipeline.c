/* libFuzzer harness for the request pipeline: each input is decoded into one request (method,
 * path and query, credentials, headers, body) and handled by se_pipeline_handle on an app opened
 * once with :memory: and the default fixtures. Fetches (SAML metadata, OIDC discovery) are answered
 * from the input itself, so the fuzzer never reaches the network.
 *
 * Input: byte 0 picks the method, byte 1 the credentials, byte 2 a few flags; then the path (up
 * to '\n'), "Name: value" header lines up to an empty line, and the body. A body containing the
 * line "--doc--" ends there; what follows is the document any fetch returns. Every answer's masked
 * log path (core/mask.h) is checked too: bounded, clean UTF-8, no credential.
 *
 * Every input after its first three bytes is also given to the SCIM filter parser (as a resource
 * filter of Users and Groups and as a value filter of emails, matched against a sample User when it
 * parses) and, when it is JSON, to the SCIM PATCH engine on a sample User and Group. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/app.h"
#include "util/errors_code.h"
#include "outbound/fetch.h"
#include "request/http.h"
#include "http/dispatch.h"
#include "core/mask.h"
#include "util/util.h"
#include "scim/filter.h"
#include "scim/patch.h"

#define INPUT_MAX (64 * 1024)
/* The database only grows under fuzzing: start again from the fixtures now and then so that lists
 * (and the time each input takes) stay small. */
#define REOPEN_EVERY 20000

static se_app app;
static unsigned long runs;
static const char *doc;
static size_t doc_len;

/* Whether a log text is valid UTF-8 without control bytes. */
static bool log_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f)
			return false;
		size_t n = *p < 0x80 ? 1 : (*p & 0xe0) == 0xc0 ? 2 : (*p & 0xf0) == 0xe0 ? 3 : (*p & 0xf8) == 0xf0 ? 4 : 0;
		if (n == 0)
			return false;
		for (size_t i = 1; i < n; i++)
			if ((p[i] & 0xc0) != 0x80)
				return false;
		p += n;
	}
	return true;
}

static const char *const methods[] = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "TRACE"};

/* Authorization values and extra headers; Basic values are base64 of the text in the comment. */
static const struct {
	const char *authorization;
	const char *member_session;
} creds[] = {
	{NULL, NULL},
	/* project-test-...:secret-test-ssoemu-local-secret-0000000000000 */
	{"Basic cHJvamVjdC10ZXN0LTExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMTpzZWNyZXQtdGVzdC1zc29lbXUtbG9jYWwtc2VjcmV0LTAwMDAwMDAwMDAwMDA=",
	 NULL},
	/* project-test-...:wrong */
	{"Basic cHJvamVjdC10ZXN0LTExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMTp3cm9uZw==", NULL},
	/* public-token-test-...:session-acme-admin */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnNlc3Npb24tYWNtZS1hZG1pbg==", NULL},
	/* public-token-test-...:session-acme-member */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnNlc3Npb24tYWNtZS1tZW1iZXI=",
	 NULL},
	/* public-token-test-...:session-acme-sso-manager */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnNlc3Npb24tYWNtZS1zc28tbWFuYWdlcg==",
	 NULL},
	/* public-token-test-...:session-globex-admin */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnNlc3Npb24tZ2xvYmV4LWFkbWlu",
	 NULL},
	/* public-token-test-...:public-token-test-... */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnB1YmxpYy10b2tlbi10ZXN0LTExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMQ==",
	 NULL},
	/* public-token-test-...:session-unknown */
	{"Basic cHVibGljLXRva2VuLXRlc3QtMTExMTExMTEtMTExMS00MTExLTgxMTEtMTExMTExMTExMTExOnNlc3Npb24tdW5rbm93bg==", NULL},
	{"Bearer some-token", NULL},
	{"Basic !!!not base64!!!", NULL},
	/* no colon */
	{"Basic bm9jb2xvbg==", NULL},
	/* the project's credentials with a member session */
	{"Basic cHJvamVjdC10ZXN0LTExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMTpzZWNyZXQtdGVzdC1zc29lbXUtbG9jYWwtc2VjcmV0LTAwMDAwMDAwMDAwMDA=",
	 "session-acme-member"},
	{"Basic cHJvamVjdC10ZXN0LTExMTExMTExLTExMTEtNDExMS04MTExLTExMTExMTExMTExMTpzZWNyZXQtdGVzdC1zc29lbXUtbG9jYWwtc2VjcmV0LTAwMDAwMDAwMDAwMDA=",
	 "session-globex-admin"},
	{"Basic ", NULL},
	{"basic Og==", NULL},
};

#define N_CREDS (sizeof creds / sizeof creds[0])

/* Every function of outbound/fetch.c, so that the archive's fetch.o is never linked: each transfer "reads" the
 * document of the input, on whatever thread runs it, and the digest (the metadata parse) runs on it as it would on
 * the fetch worker. */
struct se_transfer {
	char url[256];
	size_t max;
};

int se_fetch_global_init(void)
{
	return 0;
}

int se_fetch_new(const char *url, const se_fetch_opts *opts, se_transfer **ret, char **ret_error)
{
	se_transfer *t = calloc(1, sizeof *t);
	if (!t || !url || !*url) {
		free(t);
		*ret_error = strdup("The URL is empty.");
		return SE_EINVAL;
	}
	snprintf(t->url, sizeof t->url, "%s", url);
	t->max = opts->max_bytes;
	*ret = t;
	return 0;
}

void *se_fetch_easy(se_transfer *f)
{
	(void)f;
	return NULL;
}

int se_fetch_finish(se_transfer *f, int curl_code, char **ret_body, size_t *ret_len, char **ret_error)
{
	(void)curl_code;
	if (!doc || doc_len > f->max) {
		*ret_error = strdup("The document could not be fetched.");
		return *ret_error ? SE_EIO : SE_ENOMEM;
	}
	char *b = malloc(doc_len + 1);
	if (!b)
		return SE_ENOMEM;
	memcpy(b, doc, doc_len);
	b[doc_len] = '\0';
	*ret_body = b;
	*ret_len = doc_len;
	return 0;
}

long se_fetch_status(const se_transfer *f)
{
	(void)f;
	return doc ? 200 : 0;
}

void se_fetch_free(se_transfer *f)
{
	free(f);
}

int se_fetch(const char *url, const se_fetch_opts *opts, char **ret_body, size_t *ret_len, char **ret_error)
{
	se_transfer *f = NULL;
	int rc = se_fetch_new(url, opts, &f, ret_error);
	if (rc == 0)
		rc = se_fetch_finish(f, 0, ret_body, ret_len, ret_error);
	se_fetch_free(f);
	return rc;
}

static void open_app(void)
{
	char *error = NULL;
	if (se_config_init(&app.cfg) < 0) {
		fprintf(stderr, "fuzz: out of memory\n");
		abort();
	}
	app.cfg.rate_requests = 0;
	app.cfg.seeded = true;
	app.cfg.seed = 1;
	if (se_app_open(&app, &error) < 0) {
		fprintf(stderr, "fuzz: %s\n", error ? error : "cannot open the app");
		abort();
	}
}

static void close_app(void)
{
	se_app_close(&app);
	se_config_release(&app.cfg);
	memset(&app, 0, sizeof app);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	open_app();
	/* The process ends without se_app_close; what the app holds stays reachable. */
	return 0;
}

static void add_header(se_http_in *in, const char *name, const char *value)
{
	if (in->n_headers < SE_HTTP_MAX_HEADERS && value) {
		in->headers[in->n_headers].name = name;
		in->headers[in->n_headers].value = value;
		in->n_headers++;
	}
}

/* Splits the query string at '&' and '=' and decodes it in place, as server.c does. */
static void parse_query(se_http_in *in, char *q)
{
	while (q && *q && in->n_query < SE_HTTP_MAX_QUERY) {
		char *next = strchr(q, '&');
		if (next)
			*next++ = '\0';
		char *eq = strchr(q, '=');
		char *v = q + strlen(q); /* "" inside the buffer: decoding writes to it */
		if (eq) {
			*eq = '\0';
			v = eq + 1;
		}
		for (char *p = q; *p; p++)
			if (*p == '+')
				*p = ' ';
		for (char *p = v; *p; p++)
			if (*p == '+')
				*p = ' ';
		if (se_percent_decode(q) == 0 && se_percent_decode(v) == 0) {
			in->query[in->n_query].name = q;
			in->query[in->n_query].value = v;
			in->n_query++;
		}
		q = next;
	}
}

static const char sample_user[] =
	"{\"id\":\"u1\",\"userName\":\"dana@acme.test\",\"active\":true,\"name\":{\"givenName\":\"Dana\"},"
	"\"emails\":[{\"value\":\"dana@acme.test\",\"type\":\"work\",\"primary\":true}],"
	"\"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User\":{\"manager\":{\"value\":\"m\"}},"
	"\"meta\":{\"created\":\"2026-11-22T11:30:16Z\"}}";
static const char sample_group[] = "{\"displayName\":\"Eng\",\"members\":[{\"value\":\"u1\"}]}";

/* The SCIM filter parser and PATCH engine on the input text. */
static void fuzz_scim(const char *text, size_t len)
{
	json_t *user = json_loads(sample_user, 0, NULL), *group = json_loads(sample_group, 0, NULL);
	const se_scim_attr *emails = se_scim_attr_find(&se_scim_user_schema, "emails", 6);
	const struct {
		const se_scim_rtype *rt;
		const se_scim_attr *parent;
		json_t *target;
	} uses[] = {{&se_scim_user_type, NULL, user}, {&se_scim_group_type, NULL, group},
		    {&se_scim_user_type, emails, json_array_get(json_object_get(user, "emails"), 0)}};
	for (size_t i = 0; user && group && i < sizeof uses / sizeof uses[0]; i++) {
		se_scim_filter *f = NULL;
		se_scim_error e;
		if (se_scim_filter_parse(uses[i].rt, uses[i].parent, text, len, &f, &e) == 0) {
			(void)se_scim_filter_match(f, uses[i].target);
			json_t *terms = json_object();
			(void)se_scim_filter_eq_terms(f, terms);
			json_decref(terms);
			se_scim_filter_free(f);
		}
	}
	json_t *body = len && !se_json_too_deep(text, len, SE_JSON_MAX_DEPTH) ? json_loadb(text, len, 0, NULL) : NULL;
	if (body && se_json_check_sizes(body, SE_JSON_MAX_STRING, SE_JSON_MAX_ITEMS) == 0) {
		se_scim_error e;
		(void)se_scim_patch_apply(&se_scim_user_type, user, body, "u1", &e);
		(void)se_scim_patch_apply(&se_scim_group_type, group, body, "g1", &e);
	}
	json_decref(body);
	json_decref(user);
	json_decref(group);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size > INPUT_MAX)
		return 0;
	fuzz_scim((const char *)data + 3, size - 3);
	if (++runs % REOPEN_EVERY == 0) {
		close_app();
		open_app();
	}
	se_http_in in = {.method = methods[data[0] % (sizeof methods / sizeof methods[0])]};
	unsigned cred = data[1] % N_CREDS, flags = data[2];
	/* A NUL-terminated copy that the path, headers and body point into. */
	char *buf = malloc(size - 3 + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 3, size - 3);
	buf[size - 3] = '\0';
	size_t len = size - 3;

	char *p = buf, *end = buf + len;
	char *nl = memchr(p, '\n', (size_t)(end - p));
	char *path = p;
	p = nl ? nl + 1 : end;
	if (nl)
		*nl = '\0';
	/* The server never sees a NUL inside the path; the text stops at the first one. */
	char *q = strchr(path, '?');
	if (q) {
		*q++ = '\0';
		parse_query(&in, q);
	}
	in.path = path;

	add_header(&in, "Authorization", creds[cred].authorization);
	add_header(&in, "X-Stytch-Member-Session", creds[cred].member_session);
	if (flags & 1)
		add_header(&in, "Content-Type", "application/json");
	if (flags & 2)
		add_header(&in, "Origin", "http://localhost:3000");
	if (flags & 4)
		add_header(&in, "Origin", "https://evil.example");
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		char *line = p;
		p = nl ? nl + 1 : end;
		if (nl)
			*nl = '\0';
		if (!*line)
			break;
		char *colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		char *value = colon + 1;
		while (*value == ' ')
			value++;
		add_header(&in, line, value);
	}

	in.body = p < end ? p : NULL;
	in.body_len = p < end ? (size_t)(end - p) : 0;
	doc = NULL;
	doc_len = 0;
	const char marker[] = "\n--doc--\n";
	char *m = NULL;
	for (size_t i = 0; in.body && !m && i + sizeof marker - 1 <= in.body_len; i++)
		if (memcmp(in.body + i, marker, sizeof marker - 1) == 0)
			m = (char *)in.body + i;
	if (m) {
		doc = m + sizeof marker - 1;
		doc_len = (size_t)(end - doc);
		in.body_len = (size_t)(m - in.body);
	}
	in.body_too_large = (flags & 8) ? 1 : 0;
	if (in.body_len == 0)
		in.body = NULL;

	se_http_out out;
	se_dispatch(&app, &in, &out);
	/* Every answer is a complete response. */
	if (out.status < 100 || out.status > 599 || (out.body_len && !out.body))
		abort();
	/* The masked log path: bounded, valid UTF-8 without control bytes, no credential in it. */
	if (out.log_path && (strlen(out.log_path) > SE_LOG_PATH_MAX || !log_clean(out.log_path) ||
			     strstr(out.log_path, "secret-test-") || strstr(out.log_path, "session-acme-") ||
			     strstr(out.log_path, "public-token-test-")))
		abort();
	char escaped[128];
	if (se_mask_escape(escaped, sizeof escaped, path, strlen(path)) >= sizeof escaped || !log_clean(escaped))
		abort();
	se_http_out_release(&out);
	free(buf);
	doc = NULL;
	return 0;
}
