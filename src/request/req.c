/* What handlers use of a request: recording its error, reading its inputs, checking their types. */
#include "request/req.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/text.h"
#include "util/util.h"

/* Longest error message: longer ones (they echo values) are cut on a character boundary. */
#define ERRMSG_MAX 1024

int se_req_fail(se_req *r, se_error_id id, const char *fmt, ...)
{
	r->err = id;
	free(r->errmsg);
	r->errmsg = NULL;
	if (fmt) {
		va_list ap;
		va_start(ap, fmt);
		char buf[4 * ERRMSG_MAX];
		int n = vsnprintf(buf, sizeof buf, fmt, ap);
		va_end(ap);
		size_t len = n < 0 ? 0 : (size_t)n >= sizeof buf ? sizeof buf - 1 : (size_t)n;
		if ((r->errmsg = malloc(ERRMSG_MAX + 1)))
			se_text_clip_into(r->errmsg, ERRMSG_MAX + 1, buf, len, NULL);
	}
	return -1;
}

int se_req_pending(se_req *r, se_outbound_job *job, se_req_continue_fn cont, void *ctx, void (*ctx_free)(void *ctx))
{
	r->job = job;
	r->cont = cont;
	r->cont_ctx = ctx;
	r->cont_ctx_free = ctx_free;
	return SE_REQ_PENDING;
}

int se_req_pending_key(se_req *r, se_req_continue_fn cont, void *ctx, void (*ctx_free)(void *ctx))
{
	se_req_pending(r, NULL, cont, ctx, ctx_free);
	r->wait_key = true;
	return SE_REQ_PENDING;
}

int se_req_internal(se_req *r)
{
	return se_req_fail(r, SE_ERR_INTERNAL, NULL);
}

const char *se_req_arg(const se_req *r, const char *name)
{
	const char *v = se_route_param(&r->match, name);
	if (!v)
		v = se_json_str(r->body, name);
	if (!v)
		v = se_http_query(r->in, name);
	return v;
}

static const char *type_name(char t)
{
	switch (t) {
	case 's': return "a string";
	case 'b': return "a boolean";
	case 'a': return "an array";
	case 'o': return "an object";
	case 'i': return "an integer";
	default: return "a value";
	}
}

static bool type_ok(const json_t *v, char t)
{
	switch (t) {
	case 's': return json_is_string(v);
	case 'b': return json_is_boolean(v);
	case 'a': return json_is_array(v);
	case 'o': return json_is_object(v);
	case 'i': return json_is_integer(v);
	default: return false;
	}
}

int se_req_check_types(se_req *r, const char *spec)
{
	/* spec: "name:t name:t ..." */
	const char *p = spec;
	while (*p) {
		char name[64];
		size_t n = strcspn(p, ":");
		if (n >= sizeof name || !p[n])
			return se_req_internal(r);
		memcpy(name, p, n);
		name[n] = '\0';
		char t = p[n + 1];
		json_t *v = json_object_get(r->body, name);
		if (v && !json_is_null(v) && !type_ok(v, t))
			return se_req_fail(r, SE_ERR_BAD_REQUEST, "%s must be %s.", name, type_name(t));
		p += n + 2;
		while (*p == ' ')
			p++;
	}
	return 0;
}
