/* The HTTP edge: bytes in, response out. Accumulates bodies with a cap, adapts libmicrohttpd's
 * connection to the pipeline's transport-neutral request, and writes the access log. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "util/time.h"
#include "util/errors_code.h"
#include "http/dispatch.h"
#include "core/reqlog.h"
#include "outbound/outbound.h"
#include "util/text.h"
#include "util/util.h"

/* Uploads past the body limit are read and dropped up to this much, so that the client gets its
 * 413 instead of a reset; past it the connection is answered at once. */
#define DISCARD_CAP (16 * 1024 * 1024)
#define CONNECTION_LIMIT 1024
#define CONNECTION_TIMEOUT 30

struct se_server {
	se_app *app;
	atomic_uint suspended; /* connections waiting for outbound work */
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket; the daemon owns it once started */
};

/* Room for decoded query copies. */
#define QUERY_ARENA 8192

/* Per-request state, freed by the completion callback. While outbound work of the request is pending
 * (suspended connection), the request and its response in the making live here too. */
typedef struct conn_state {
	char *body;
	size_t len, cap;
	size_t seen;
	int too_large;
	struct timespec start;
	struct MHD_Connection *connection;
	se_server *server;
	se_pipeline_call *call; /* pending outbound work, or NULL */
	se_http_in in;          /* borrowed by call */
	se_http_out out;        /* filled by call */
	char arena[QUERY_ARENA];
} conn_state;

/* The path is kept raw so that the router can split it before decoding; query values are
 * decoded by collect_query(). */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

typedef struct collect {
	se_http_in *in;
	char *arena; /* decoded query copies */
	size_t used, size;
} collect;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	se_http_in *in = cls;
	if (in->n_headers < SE_HTTP_MAX_HEADERS && key && value) {
		in->headers[in->n_headers].name = key;
		in->headers[in->n_headers].value = value;
		in->n_headers++;
	}
	return MHD_YES;
}

static const char *arena_decode(collect *c, const char *s)
{
	size_t n = strlen(s) + 1;
	if (c->used + n > c->size)
		return NULL;
	char *d = c->arena + c->used;
	memcpy(d, s, n);
	for (char *p = d; *p; p++)
		if (*p == '+')
			*p = ' ';
	if (se_percent_decode(d) < 0)
		return NULL;
	c->used += n;
	return d;
}

static enum MHD_Result collect_query(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	collect *c = cls;
	if (!key)
		return MHD_YES;
	if (c->in->n_query >= SE_HTTP_MAX_QUERY) {
		c->in->query_truncated = 1;
		return MHD_YES;
	}
	const char *k = arena_decode(c, key), *v = arena_decode(c, value ? value : "");
	if (k && v) {
		c->in->query[c->in->n_query].name = k;
		c->in->query[c->in->n_query].value = v;
		c->in->n_query++;
	} else {
		c->in->query_truncated = 1;
	}
	return MHD_YES;
}

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 + (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void access_log(se_app *app, const char *method, const se_http_out *out, double ms)
{
	char when[21];
	se_time_format(time(NULL), when);
	const char *path = out->log_path ? out->log_path : "-";
	/* A method is the client's bytes: as valid UTF-8, or the JSON line could not be written. */
	char method_text[32];
	se_text_clip_into(method_text, sizeof method_text, method, strlen(method), NULL);
	method = method_text;
	if (app->cfg.log_format == SE_LOG_JSON) {
		json_t *line = json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:s?}", "time", when, "method", method, "path",
					 path, "status", out->status, "duration_ms", ms, "request_id", out->request_id,
					 "surface", out->surface, "error_type", out->error_type);
		char *text = line ? se_json_dump(line) : NULL;
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(line);
	} else {
		fprintf(stderr, "%s %s %s %d %.1fms %s%s%s\n", when, method, path, out->status, ms, out->request_id,
			out->error_type ? " " : "", out->error_type ? out->error_type : "");
	}
}

/* Queues out (handing its body over), writes the access log and the request log. */
static enum MHD_Result send_response(se_server *s, struct MHD_Connection *connection, const char *method,
				     conn_state *st, se_http_out *out)
{
	if (out->delay_ms) {
		struct timespec d = {out->delay_ms / 1000, (long)(out->delay_ms % 1000) * 1000000L};
		nanosleep(&d, NULL);
	}
	/* The body is handed over to libmicrohttpd, which frees it, rather than copied. */
	struct MHD_Response *resp =
		out->body ? MHD_create_response_from_buffer(out->body_len, out->body, MHD_RESPMEM_MUST_FREE)
			  : MHD_create_response_from_buffer(0, (char *)"", MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret = MHD_NO;
	if (resp) {
		out->body = NULL;
		for (size_t i = 0; i < out->n_headers; i++)
			MHD_add_response_header(resp, out->header_names[i], out->header_values[i]);
		ret = MHD_queue_response(connection, (unsigned)out->status, resp);
		MHD_destroy_response(resp);
	}
	double ms = elapsed_ms(&st->start);
	access_log(s->app, method, out, ms);
	if (out->log)
		se_reqlog_add(s->app->reqlog, method, out->log_path, out->surface, out->status, out->error_type, ms,
			      out->request_id, time(NULL));
	se_http_out_release(out);
	return ret;
}

/* Called by the fetch worker when a suspended request's job has ended. */
static void wake_connection(void *ctx)
{
	conn_state *st = ctx;
	MHD_resume_connection(st->connection);
}

/* The request left outbound work pending: the connection sleeps (no server thread waits) until the
 * job's end resumes it, and libmicrohttpd then calls on_request again, which resumes the call. */
static enum MHD_Result suspend_for(se_server *s, conn_state *st, struct MHD_Connection *connection)
{
	st->connection = connection;
	st->server = s;
	atomic_fetch_add(&s->suspended, 1);
	MHD_suspend_connection(connection);
	se_outbound_job_start(se_pipeline_call_job(st->call), wake_connection, st);
	return MHD_YES;
}

/* A suspended request is back: its continuation runs here, on this server thread. */
static enum MHD_Result resume_request(se_server *s, struct MHD_Connection *connection, const char *method,
				      conn_state *st)
{
	se_pipeline_call *call = st->call;
	st->call = NULL;
	int again = se_pipeline_resume(s->app, call, &st->out);
	enum MHD_Result ret;
	if (again) {
		st->call = call;
		ret = suspend_for(s, st, connection);
	} else {
		ret = send_response(s, connection, method, st, &st->out);
	}
	atomic_fetch_sub(&s->suspended, 1);
	return ret;
}

static enum MHD_Result respond(se_server *s, struct MHD_Connection *connection, const char *url, const char *method,
			       conn_state *st)
{
	if (st->call)
		return resume_request(s, connection, method, st);
	se_http_in *in = &st->in;
	*in = (se_http_in){.method = method, .path = url, .body = st->body, .body_len = st->len,
			   .body_too_large = st->too_large};
	collect c = {in, st->arena, 0, sizeof st->arena};
	MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, in);
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_query, &c);

	if (se_dispatch_start(s->app, in, &st->out, &st->call))
		return suspend_for(s, st, connection);
	return send_response(s, connection, method, st, &st->out);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	(void)version;
	se_server *s = cls;
	conn_state *st = *req_cls;
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &st->start);
		*req_cls = st;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		st->seen += n;
		*upload_data_size = 0;
		if (st->too_large || st->len + n > SE_HTTP_BODY_LIMIT) {
			st->too_large = 1;
			free(st->body);
			st->body = NULL;
			st->len = st->cap = 0;
			if (st->seen > DISCARD_CAP)
				return respond(s, connection, url, method, st);
			return MHD_YES;
		}
		if (st->len + n + 1 > st->cap) {
			size_t cap = st->cap ? st->cap : 1024;
			while (cap < st->len + n + 1)
				cap *= 2;
			char *b = realloc(st->body, cap);
			if (!b)
				return MHD_NO;
			st->body = b;
			st->cap = cap;
		}
		memcpy(st->body + st->len, upload_data, n);
		st->len += n;
		st->body[st->len] = '\0';
		return MHD_YES;
	}
	return respond(s, connection, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)connection;
	(void)toe;
	conn_state *st = *req_cls;
	if (st) {
		if (st->call && st->server)
			atomic_fetch_sub(&st->server->suspended, 1);
		/* A request still pending here was resumed by the shutdown of the fetch worker, not answered. */
		se_pipeline_call_free(st->call);
		se_http_out_release(&st->out);
		free(st->body);
		free(st);
		*req_cls = NULL;
	}
}

/* Binds and listens on host:port, reporting the cause of a failure. */
static int listen_on(const char *host, unsigned port, int *ret_fd, bool *ret_v6, char **ret_error)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV | AI_PASSIVE};
	struct addrinfo *res = NULL;
	char service[16];
	snprintf(service, sizeof service, "%u", port);
	int gai = getaddrinfo(host, service, &hints, &res);
	if (gai != 0) {
		*ret_error = se_asprintf("cannot resolve --host %s: %s", host, gai_strerror(gai));
		return SE_EINVAL;
	}
	int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1, err = 0;
	if (fd < 0) {
		err = errno;
		goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 512) < 0) {
		err = errno;
		goto fail;
	}
	*ret_v6 = res->ai_family == AF_INET6;
	*ret_fd = fd;
	freeaddrinfo(res);
	return 0;
fail:
	*ret_error = se_asprintf("cannot listen on %s:%u: %s", host, port, strerror(err));
	if (fd >= 0)
		close(fd);
	freeaddrinfo(res);
	return SE_EIO;
}

int se_server_start(se_app *app, se_server **ret, unsigned *ret_port, char **ret_error)
{
	se_server *s = calloc(1, sizeof *s);
	bool v6 = false;
	*ret_error = NULL;
	if (!s) {
		*ret_error = strdup("out of memory");
		return SE_ENOMEM;
	}
	s->app = app;
	int r = listen_on(app->cfg.host, app->cfg.port, &s->fd, &v6, ret_error);
	if (r < 0) {
		free(s);
		return r;
	}
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
			 (v6 ? MHD_USE_IPv6 : 0);
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
				     MHD_OPTION_THREAD_POOL_SIZE, app->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_UNESCAPE_CALLBACK,
				     keep_escaped, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!s->daemon) {
		*ret_error = se_asprintf("cannot start the HTTP server on %s:%u", app->cfg.host, app->cfg.port);
		close(s->fd);
		free(s);
		return SE_EIO;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	*ret_port = info ? info->port : app->cfg.port;
	*ret = s;
	return 0;
}

void se_server_end_outbound(se_server *s)
{
	/* Every suspended connection is resumed (its fetch ends with "stopping"): libmicrohttpd cannot
	 * stop while a connection is suspended, and a hanging fetch must never delay the exit. */
	se_outbound_shutdown(s->app->outbound);
	/* The resumed requests are answered (503: stopping) by the server threads; give them a moment. */
	for (int i = 0; i < 200 && atomic_load(&s->suspended) > 0; i++) {
		struct timespec d = {0, 5 * 1000000L};
		nanosleep(&d, NULL);
	}
}

void se_server_stop(se_server *s)
{
	if (!s)
		return;
	/* Stop accepting first, then let the threads finish what they hold. */
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	se_server_end_outbound(s);
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	free(s);
}
