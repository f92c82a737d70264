/* Helpers over the transport-neutral request and response. */
#include "request/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errors_code.h"

const char *se_http_header(const se_http_in *in, const char *name)
{
	for (size_t i = 0; i < in->n_headers; i++)
		if (strcasecmp(in->headers[i].name, name) == 0)
			return in->headers[i].value;
	return NULL;
}

const char *se_http_query(const se_http_in *in, const char *name)
{
	for (size_t i = 0; i < in->n_query; i++)
		if (strcmp(in->query[i].name, name) == 0)
			return in->query[i].value;
	return NULL;
}

int se_http_out_header(se_http_out *out, const char *name, const char *value)
{
	if (out->n_headers >= SE_HTTP_MAX_OUT_HEADERS)
		return SE_ELIMIT;
	char *n = strdup(name), *v = strdup(value);
	if (!n || !v) {
		free(n);
		free(v);
		return SE_ENOMEM;
	}
	out->header_names[out->n_headers] = n;
	out->header_values[out->n_headers] = v;
	out->n_headers++;
	return 0;
}

void se_http_out_release(se_http_out *out)
{
	free(out->body);
	free(out->log_path);
	for (size_t i = 0; i < out->n_headers; i++) {
		free(out->header_names[i]);
		free(out->header_values[i]);
	}
	memset(out, 0, sizeof *out);
}
