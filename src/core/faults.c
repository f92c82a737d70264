/* Fault rules: validation, a bounded list under one mutex, and matching that uses rules up. */
#include "core/faults.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errors_code.h"
#include "util/util.h"

#define METHOD_MAX 16
#define PATH_MAX_LEN 1024

typedef struct rule {
	unsigned id;
	char method[METHOD_MAX + 1]; /* "" = any */
	char *path;                  /* NULL = any; a trailing '*' makes it a prefix */
	se_error_id error;           /* SE_ERR_NONE: delay only */
	bool status_given;
	unsigned count;
	unsigned delay_ms;
} rule;

struct se_faults {
	pthread_mutex_t lock;
	unsigned next_id;
	size_t n;
	rule rules[SE_FAULTS_MAX];
};

int se_faults_new(se_faults **ret)
{
	se_faults *f = calloc(1, sizeof *f);
	if (!f)
		return SE_ENOMEM;
	pthread_mutex_init(&f->lock, NULL);
	f->next_id = 1;
	*ret = f;
	return 0;
}

static void clear_locked(se_faults *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->rules[i].path);
	f->n = 0;
	f->next_id = 1;
}

void se_faults_free(se_faults *f)
{
	if (!f)
		return;
	clear_locked(f);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static int invalid(char **ret_error, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int invalid(char **ret_error, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	*ret_error = strdup(buf);
	return SE_EINVAL;
}

/* An optional integer member in [min, max]; *ret untouched when absent or null. */
static int opt_int(const json_t *rule, const char *key, long long min, long long max, long long *ret, bool *ret_given,
		   char **ret_error)
{
	json_t *v = json_object_get(rule, key);
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
		return invalid(ret_error, "%s must be an integer from %lld to %lld.", key, min, max);
	*ret = json_integer_value(v);
	if (ret_given)
		*ret_given = true;
	return 0;
}

/* Reads and checks every member of a rule into *ret (path malloc'd). */
static int parse_rule(const json_t *j, rule *ret, char **ret_error)
{
	static const char *const known[] = {"method", "path", "error_type", "status", "count", "delay_ms", NULL};
	rule r = {.count = 1};
	const char *key;
	json_t *v;
	if (!json_is_object(j))
		return invalid(ret_error, "The fault rule must be a JSON object.");
	json_object_foreach((json_t *)j, key, v) {
		if (!se_str_in(key, known))
			return invalid(ret_error, "%.64s is not a fault rule field (method, path, error_type, status, count, "
						  "delay_ms).", key);
	}

	v = json_object_get(j, "method");
	if (v && !json_is_null(v)) {
		const char *m = json_string_value(v);
		size_t len = m ? strlen(m) : 0;
		bool ok = len > 0 && len <= METHOD_MAX;
		for (size_t i = 0; ok && i < len; i++)
			ok = (m[i] >= 'A' && m[i] <= 'Z') || (m[i] >= 'a' && m[i] <= 'z');
		if (!ok)
			return invalid(ret_error, "method must be an HTTP method such as \"POST\".");
		for (size_t i = 0; i < len; i++)
			r.method[i] = (char)(m[i] >= 'a' ? m[i] - 'a' + 'A' : m[i]);
		r.method[len] = '\0';
	}

	v = json_object_get(j, "path");
	if (v && !json_is_null(v)) {
		const char *p = json_string_value(v);
		size_t len = p ? strlen(p) : 0;
		const char *star = p ? strchr(p, '*') : NULL;
		if (!p || p[0] != '/' || len > PATH_MAX_LEN || (star && star[1]))
			return invalid(ret_error, "path must start with / and may only end with * (a prefix), at most %d "
						  "characters.", PATH_MAX_LEN);
	}

	const char *type = NULL;
	v = json_object_get(j, "error_type");
	if (v && !json_is_null(v)) {
		type = json_string_value(v);
		r.error = se_error_by_type(type);
		if (r.error == SE_ERR_NONE)
			return invalid(ret_error, "error_type %.64s is not an error type of the catalog.",
				       type ? type : "(not a string)");
	}
	long long status = 0, count = 1, delay = 0;
	bool has_delay = false;
	if (opt_int(j, "status", 100, 599, &status, &r.status_given, ret_error) < 0 ||
	    opt_int(j, "count", 1, SE_FAULTS_MAX_COUNT, &count, NULL, ret_error) < 0 ||
	    opt_int(j, "delay_ms", 0, SE_FAULTS_MAX_DELAY_MS, &delay, &has_delay, ret_error) < 0)
		return SE_EINVAL;
	if (r.status_given) {
		se_error_id by_status = se_error_by_status((int)status);
		if (by_status == SE_ERR_NONE)
			return invalid(ret_error, "status %lld has no error in the catalog (400, 401, 403, 404, 413, 429, 500 "
						  "or 503).", status);
		if (r.error != SE_ERR_NONE && se_error_status(r.error) != status)
			return invalid(ret_error, "status %lld does not match error_type %s (%d).", status, type,
				       se_error_status(r.error));
		if (r.error == SE_ERR_NONE)
			r.error = by_status;
	}
	if (r.error == SE_ERR_NONE && !has_delay)
		return invalid(ret_error, "A fault rule needs error_type, status or delay_ms.");
	r.count = (unsigned)count;
	r.delay_ms = (unsigned)delay;
	const char *path = se_json_str(j, "path");
	if (path && !(r.path = strdup(path)))
		return SE_ENOMEM;
	*ret = r;
	return 0;
}

static json_t *render(const rule *r)
{
	char id[32];
	snprintf(id, sizeof id, "fault-%u", r->id);
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:i, s:i}", "id", id, "method",
			 r->method[0] ? json_string(r->method) : json_null(), "path",
			 r->path ? json_string(r->path) : json_null(), "error_type",
			 r->error != SE_ERR_NONE ? json_string(se_error_type(r->error)) : json_null(), "status",
			 r->error != SE_ERR_NONE ? json_integer(se_error_status(r->error)) : json_null(), "count",
			 (int)r->count, "delay_ms", (int)r->delay_ms);
}

int se_faults_add(se_faults *f, const json_t *j, json_t **ret_rule, char **ret_error)
{
	rule r;
	*ret_error = NULL;
	int rc = parse_rule(j, &r, ret_error);
	if (rc < 0) {
		if (!*ret_error)
			*ret_error = strdup("out of memory");
		return rc;
	}
	pthread_mutex_lock(&f->lock);
	if (f->n >= SE_FAULTS_MAX) {
		pthread_mutex_unlock(&f->lock);
		free(r.path);
		invalid(ret_error, "There are already %d fault rules; clear them first.", SE_FAULTS_MAX);
		return SE_ELIMIT;
	}
	r.id = f->next_id++;
	json_t *out = render(&r);
	if (!out) {
		pthread_mutex_unlock(&f->lock);
		free(r.path);
		*ret_error = strdup("out of memory");
		return SE_ENOMEM;
	}
	f->rules[f->n++] = r;
	pthread_mutex_unlock(&f->lock);
	*ret_rule = out;
	return 0;
}

json_t *se_faults_list(se_faults *f)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++) {
		if (json_array_append_new(arr, render(&f->rules[i])) < 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&f->lock);
	return arr;
}

size_t se_faults_clear(se_faults *f)
{
	pthread_mutex_lock(&f->lock);
	size_t n = f->n;
	clear_locked(f);
	pthread_mutex_unlock(&f->lock);
	return n;
}

static bool matches(const rule *r, const char *method, const char *path)
{
	if (r->method[0] && strcasecmp(r->method, method) != 0)
		return false;
	if (!r->path)
		return true;
	size_t len = strlen(r->path);
	if (len && r->path[len - 1] == '*')
		return strncmp(path, r->path, len - 1) == 0;
	return strcmp(path, r->path) == 0;
}

int se_faults_take(se_faults *f, const char *method, const char *path, se_error_id *ret_error,
		   unsigned *ret_delay_ms)
{
	int found = 0;
	pthread_mutex_lock(&f->lock);
	for (size_t i = 0; i < f->n; i++) {
		rule *r = &f->rules[i];
		if (!matches(r, method, path))
			continue;
		*ret_error = r->error;
		*ret_delay_ms = r->delay_ms;
		found = 1;
		if (--r->count == 0) {
			free(r->path);
			memmove(&f->rules[i], &f->rules[i + 1], (f->n - i - 1) * sizeof *r);
			f->n--;
		}
		break;
	}
	pthread_mutex_unlock(&f->lock);
	return found;
}
