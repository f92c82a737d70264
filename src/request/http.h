/* The transport-neutral request and response the pipeline works on; server.c fills and sends them. A request
 * borrows everything it points at; a response owns its headers and body (se_http_out_release). */
#ifndef SE_HTTP_H
#define SE_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#define SE_HTTP_MAX_HEADERS 64
#define SE_HTTP_MAX_QUERY 32
/* Longer URLs (path and query) get 414; more headers or more header bytes get 431. */
#define SE_HTTP_MAX_URL 8192
#define SE_HTTP_MAX_HEADER_BYTES (32 * 1024)
#define SE_HTTP_MAX_OUT_HEADERS 12
/* Bodies above this get 413 (API.md section 4). */
#define SE_HTTP_BODY_LIMIT (1024 * 1024)

/* Limits on request JSON (EMULATOR.md, data safety). */
#define SE_JSON_MAX_DEPTH 32
#define SE_JSON_MAX_STRING (64 * 1024)
#define SE_JSON_MAX_ITEMS 1000

typedef struct se_kv {
	const char *name;
	const char *value;
} se_kv;

/* A request. Every pointer is borrowed from the caller for the duration of se_pipeline_handle. The
 * path is raw (still percent-encoded); query values are already decoded. */
typedef struct se_http_in {
	const char *method;
	const char *path;
	se_kv headers[SE_HTTP_MAX_HEADERS];
	size_t n_headers;
	se_kv query[SE_HTTP_MAX_QUERY];
	size_t n_query;
	const char *body;
	size_t body_len;
	int body_too_large; /* the upload passed SE_HTTP_BODY_LIMIT and was discarded */
	int query_truncated; /* some query parameters did not fit (count or decoded size) and are missing */
	const char *peer;   /* peer address text for logs; may be NULL */
	bool peer_loopback; /* the client connects from a loopback address */
	const char *local_addr; /* the address the connection arrived on (numeric text); may be NULL */
} se_http_in;

/* A response. Header names and values, and body, are owned by the response: release with
 * se_http_out_release(). */
typedef struct se_http_out {
	int status;
	char *body;
	size_t body_len;
	char *header_names[SE_HTTP_MAX_OUT_HEADERS];
	char *header_values[SE_HTTP_MAX_OUT_HEADERS];
	size_t n_headers;
	/* For the request log and the access log: */
	char request_id[64];
	const char *error_type; /* static; NULL on success */
	const char *surface;    /* static: "sdk", "api", "control" or "none" */
	char *log_path;         /* the path with tokens in it masked, for logs; owned */
	int log;                /* 1 when the request goes to the request log */
	unsigned delay_ms;      /* a fault asks the edge to wait this long before answering */
} se_http_out;

/* Case-insensitive header lookup; NULL when absent. */
const char *se_http_header(const se_http_in *in, const char *name);

/* Query parameter lookup; NULL when absent. */
const char *se_http_query(const se_http_in *in, const char *name);

/* Adds a response header (copies both strings). Returns 0 or SE_ENOMEM / SE_ELIMIT. */
int se_http_out_header(se_http_out *out, const char *name, const char *value);

/* Frees what the response owns and zeroes it. */
void se_http_out_release(se_http_out *out);

#endif
