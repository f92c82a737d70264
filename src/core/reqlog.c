/* The request log: a fixed ring of entries with inline, bounded strings under one mutex, so that
 * recording a request never allocates. */
#include "core/reqlog.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/time.h"
#include "util/errors_code.h"
#include "util/text.h"

#define METHOD_MAX 16
#define PATH_MAX_LEN 512
#define SURFACE_MAX 16
#define TYPE_MAX 64
#define REQUEST_ID_MAX 64

typedef struct entry {
	char method[METHOD_MAX];
	char path[PATH_MAX_LEN];
	char surface[SURFACE_MAX];
	char error_type[TYPE_MAX]; /* "" on success */
	char request_id[REQUEST_ID_MAX];
	int status;
	double duration_ms;
	time_t when;
} entry;

struct se_reqlog {
	pthread_mutex_t lock;
	size_t capacity;
	size_t next;  /* where the next entry goes */
	size_t count; /* how many are stored */
	entry *ring;
};

int se_reqlog_new(size_t capacity, se_reqlog **ret)
{
	if (capacity == 0)
		return SE_EINVAL;
	se_reqlog *l = calloc(1, sizeof *l);
	if (!l)
		return SE_ENOMEM;
	l->ring = calloc(capacity, sizeof *l->ring);
	if (!l->ring) {
		free(l);
		return SE_ENOMEM;
	}
	pthread_mutex_init(&l->lock, NULL);
	l->capacity = capacity;
	*ret = l;
	return 0;
}

void se_reqlog_free(se_reqlog *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->lock);
	free(l->ring);
	free(l);
}

size_t se_reqlog_capacity(const se_reqlog *l)
{
	return l->capacity;
}

/* Copies s into a field of size n as valid UTF-8, cut short on a character boundary and marked with "...": one
 * bad entry must never make the list unrenderable. */
static void put(char *dst, size_t n, const char *s)
{
	se_text_clip_into(dst, n, s, s ? strlen(s) : 0, NULL);
}

void se_reqlog_add(se_reqlog *l, const char *method, const char *path, const char *surface, int status,
		   const char *error_type, double duration_ms, const char *request_id, time_t when)
{
	if (!l)
		return;
	pthread_mutex_lock(&l->lock);
	entry *e = &l->ring[l->next];
	put(e->method, sizeof e->method, method);
	put(e->path, sizeof e->path, path);
	put(e->surface, sizeof e->surface, surface);
	put(e->error_type, sizeof e->error_type, error_type);
	put(e->request_id, sizeof e->request_id, request_id);
	e->status = status;
	e->duration_ms = duration_ms < 0 ? 0 : duration_ms;
	e->when = when;
	l->next = (l->next + 1) % l->capacity;
	if (l->count < l->capacity)
		l->count++;
	pthread_mutex_unlock(&l->lock);
}

static json_t *render(const entry *e)
{
	char when[21];
	se_time_format(e->when, when);
	/* Milliseconds to a tenth: enough to see a delay. */
	double ms = (double)(long long)(e->duration_ms * 10.0 + 0.5) / 10.0;
	return json_pack("{s:s, s:s, s:s, s:i, s:o, s:f, s:s, s:s}", "method", e->method, "path", e->path, "surface",
			 e->surface, "status", e->status, "error_type",
			 e->error_type[0] ? json_string(e->error_type) : json_null(), "duration_ms", ms, "request_id",
			 e->request_id, "time", when);
}

json_t *se_reqlog_list(se_reqlog *l, size_t limit)
{
	json_t *arr = json_array();
	if (!arr)
		return NULL;
	pthread_mutex_lock(&l->lock);
	size_t n = limit < l->count ? limit : l->count;
	for (size_t i = 0; i < n; i++) {
		size_t at = (l->next + l->capacity - 1 - i) % l->capacity;
		if (json_array_append_new(arr, render(&l->ring[at])) < 0) {
			json_decref(arr);
			arr = NULL;
			break;
		}
	}
	pthread_mutex_unlock(&l->lock);
	return arr;
}

void se_reqlog_clear(se_reqlog *l)
{
	pthread_mutex_lock(&l->lock);
	l->next = 0;
	l->count = 0;
	pthread_mutex_unlock(&l->lock);
}
