/* HTML of sign-in pages: every value inserted is escaped. */
#include "signin/html.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

char *se_html_escape(const char *s)
{
	if (!s)
		s = "";
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '&' ? 5 : *p == '<' || *p == '>' ? 4 : *p == '"' || *p == '\'' ? 6 : 1;
	char *out = malloc(n + 1), *w = out;
	if (!out)
		return NULL;
	for (const char *p = s; *p; p++) {
		const char *rep = *p == '&'    ? "&amp;"
		                  : *p == '<'  ? "&lt;"
		                  : *p == '>'  ? "&gt;"
		                  : *p == '"'  ? "&quot;"
		                  : *p == '\'' ? "&#39;"
		                               : NULL;
		if (rep) {
			memcpy(w, rep, strlen(rep));
			w += strlen(rep);
		} else {
			*w++ = *p;
		}
	}
	*w = '\0';
	return out;
}

/* JSON text safe inside <script>: "<" escaped as \u003c so no "</script>" can close it. */
static char *script_json(const json_t *body)
{
	char *j = body ? se_json_dump(body) : strdup("{}");
	if (!j)
		return NULL;
	size_t lt = 0;
	for (const char *p = j; *p; p++)
		lt += *p == '<';
	char *out = malloc(strlen(j) + lt * 5 + 1), *w = out;
	if (out) {
		for (const char *p = j; *p; p++) {
			if (*p == '<') {
				memcpy(w, "\\u003c", 6);
				w += 6;
			} else {
				*w++ = *p;
			}
		}
		*w = '\0';
	}
	free(j);
	return out;
}

char *se_html_error_page(int status, const char *error_type, const char *message, const char *request_id,
                         const json_t *body)
{
	char *t = se_html_escape(error_type), *m = se_html_escape(message), *id = se_html_escape(request_id);
	char *j = script_json(body);
	char *page =
	    t && m && id && j
	        ? se_asprintf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Sign-in "
	                      "failed: %s</title></head>\n<body><h1>Sign-in failed</h1>\n<p>Status <b>%d</b>, "
	                      "error <code id=\"error-type\">%s</code></p>\n<p id=\"error-message\">%s</p>\n"
	                      "<p>Request <code id=\"request-id\">%s</code></p>\n<script type=\"application/json\" "
	                      "id=\"ssoemu-error\">%s</script>\n</body></html>\n",
	                      t, status, t, m, id, j)
	        : NULL;
	free(t);
	free(m);
	free(id);
	free(j);
	return page;
}

char *se_html_post_form(const char *action, const json_t *fields)
{
	char *a = se_html_escape(action);
	char *inputs = strdup("");
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)fields, k, v) {
		char *ek = se_html_escape(k), *ev = se_html_escape(json_string_value(v));
		char *next = ek && ev && inputs
		                 ? se_asprintf("%s<input type=\"hidden\" name=\"%s\" value=\"%s\">\n", inputs, ek, ev)
		                 : NULL;
		free(ek);
		free(ev);
		free(inputs);
		inputs = next;
	}
	char *page =
	    a && inputs
	        ? se_asprintf("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Signing "
	                      "in</title></head>\n<body onload=\"document.forms[0].submit()\">\n<form method=\"post\" "
	                      "action=\"%s\">\n%s<noscript><button type=\"submit\">Continue</button></noscript>\n"
	                      "</form>\n</body></html>\n",
	                      a, inputs)
	        : NULL;
	free(a);
	free(inputs);
	return page;
}
