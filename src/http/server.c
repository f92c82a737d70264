/* The HTTP edge: bytes in, response out. Accumulates bodies with a cap, adapts libmicrohttpd's
 * connection to the pipeline's transport-neutral request, and writes the access log. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "crypto/keypool.h"
#include "util/time.h"
#include "util/errors_code.h"
#include "http/dispatch.h"
#include "scim/scim.h"
#include "core/hosts.h"
#include "core/mask.h"
#include "core/reqlog.h"
#include "request/errors.h"
#include "outbound/outbound.h"
#include "util/text.h"
#include "util/util.h"

/* Uploads past the body limit are read and dropped up to this much, so that the client gets its
 * 413 instead of a reset; past it the connection is answered at once. */
#define DISCARD_CAP (16 * 1024 * 1024)
#define CONNECTION_LIMIT 1024
/* Connections from one client address: one host cannot take every slot. */
#define PER_IP_CONNECTION_LIMIT 256
/* Idle time allowed between bytes, and the deadline for a whole request head (request line and
 * headers), however slowly it trickles in. */
#define CONNECTION_TIMEOUT 30
#define HEAD_DEADLINE_SECONDS 10
/* How often the head deadline is checked (milliseconds). */
#define REAPER_INTERVAL_MS 250
/* SIGTERM: how long the requests being handled get to finish; then handlers not yet started are
 * answered 503 and those running get a little longer to send their answers. */
#define STOP_GRACE_SECONDS 5
#define STOP_FINISH_SECONDS 10

/* A connection, tracked from accept to close for the head deadline. The fd stays valid while the
 * entry is in the list: libmicrohttpd reports the close before closing the socket. */
typedef struct conn_track {
	struct conn_track *prev, *next;
	int fd;
	bool in_head; /* waiting for (the rest of) a request head */
	bool cut;     /* already shut down by the reaper */
	struct timespec since;
} conn_track;

struct se_server {
	se_app *app;
	atomic_uint suspended; /* connections waiting for outbound work */
	struct MHD_Daemon *daemon;
	int fd; /* the listening socket; the daemon owns it once started */
	pthread_mutex_t lock; /* guards what follows */
	pthread_cond_t changed; /* active went down */
	pthread_cond_t reaper_wake; /* the reaper is to stop */
	conn_track *conns;
	unsigned active; /* requests being handled, from their head to their answer sent */
	bool stopping;
	bool grace_over; /* the stop's grace period passed: handlers not yet started are refused */
	bool reaper_running;
	pthread_t reaper;
};

/* Room for decoded query copies: the whole query fits (the edge refuses longer URLs). */
#define QUERY_ARENA (SE_HTTP_MAX_URL + 4 * SE_HTTP_MAX_QUERY)

/* Per-request state, created when the request line arrives and freed by the completion callback.
 * While outbound work of the request is pending (suspended connection), the request and its
 * response in the making live here too. */
typedef struct conn_state {
	char *body;
	size_t len, cap;
	size_t seen;
	int too_large;
	bool begun;   /* the access handler has seen the head */
	bool counted; /* counted in se_server.active */
	int uri_error; /* an se_error_id found on the request line, or 0 */
	bool query_cut; /* the query was dropped on the request line (SCIM answers that itself) */
	struct timespec start;
	struct MHD_Connection *connection;
	se_server *server;
	se_pipeline_call *call; /* pending outbound work, or NULL */
	se_keypool_waiter key_waiter; /* queued in the key pool while call waits for a key */
	se_http_in in;          /* borrowed by call */
	se_http_out out;        /* filled by call */
	char arena[QUERY_ARENA];
	char local[NI_MAXHOST]; /* in.local_addr */
} conn_state;

/* The path is kept raw so that the router can split it before decoding; query values are
 * decoded by collect_query(). */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* --- connection hygiene: the head deadline ------------------------------------------------------ */

static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	se_server *s = cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *fi = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
		conn_track *t = fi ? calloc(1, sizeof *t) : NULL;
		if (!t)
			return; /* untracked: only the idle timeout applies */
		t->fd = fi->connect_fd;
		t->in_head = true;
		clock_gettime(CLOCK_MONOTONIC, &t->since);
		pthread_mutex_lock(&s->lock);
		t->next = s->conns;
		if (s->conns)
			s->conns->prev = t;
		s->conns = t;
		pthread_mutex_unlock(&s->lock);
		*socket_context = t;
	} else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context) {
		conn_track *t = *socket_context;
		pthread_mutex_lock(&s->lock);
		if (t->prev)
			t->prev->next = t->next;
		else
			s->conns = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&s->lock);
		free(t);
		*socket_context = NULL;
	}
}

/* Marks the connection as waiting for a request head (true, from now) or past it. */
static void track_head(se_server *s, struct MHD_Connection *connection, bool in_head)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	conn_track *t = ci ? ci->socket_context : NULL;
	if (!t)
		return;
	pthread_mutex_lock(&s->lock);
	t->in_head = in_head;
	clock_gettime(CLOCK_MONOTONIC, &t->since);
	pthread_mutex_unlock(&s->lock);
}

/* Shuts down every connection whose request head is overdue; libmicrohttpd then sees the end of
 * the stream and frees the slot. */
static void *reaper(void *cls)
{
	se_server *s = cls;
	pthread_mutex_lock(&s->lock);
	while (s->reaper_running) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += REAPER_INTERVAL_MS * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->reaper_wake, &s->lock, &until);
		for (conn_track *t = s->conns; t; t = t->next) {
			if (t->in_head && !t->cut && seconds_since(&t->since) > HEAD_DEADLINE_SECONDS) {
				shutdown(t->fd, SHUT_RDWR);
				t->cut = true;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Called with the request line, before libmicrohttpd splits the query: creates the request's
 * state, and refuses (answered later, in on_request) a URL over SE_HTTP_MAX_URL or with more than
 * SE_HTTP_MAX_QUERY parameters. Then the query is cut off here, in libmicrohttpd's own writable
 * copy of the line, because splitting thousands of parameters exhausts the connection's memory
 * and libmicrohttpd would then close the connection without an answer. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *connection)
{
	(void)cls;
	(void)connection;
	conn_state *st = calloc(1, sizeof *st);
	if (!st)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, &st->start);
	if (!uri)
		return st;
	size_t params = 0;
	const char *q = strchr(uri, '?');
	for (const char *p = q; p && *p; p++)
		params += *p == '&' || p == q;
	if (strlen(uri) > SE_HTTP_MAX_URL)
		st->uri_error = SE_ERR_URI_TOO_LONG;
	else if (params > SE_HTTP_MAX_QUERY)
		st->uri_error = SE_ERR_TOO_MANY_QUERY_PARAMETERS;
	if (st->uri_error && q)
		((char *)q)[1] = '\0'; /* the line buffer is libmicrohttpd's and writable */
	return st;
}

typedef struct head_check {
	const char *content_length;
	bool conflicting_length;
	size_t count, bytes;
} head_check;

static enum MHD_Result check_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	(void)kind;
	head_check *h = cls;
	h->count++;
	h->bytes += (key ? strlen(key) : 0) + (value ? strlen(value) : 0) + 4;
	if (key && value && strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0) {
		if (h->content_length && strcmp(h->content_length, value) != 0)
			h->conflicting_length = true;
		h->content_length = value;
	}
	return MHD_YES;
}

/* What the edge refuses before the request is dispatched: a bad request line, too many or too
 * large headers, conflicting Content-Length headers (request smuggling), a Transfer-Encoding other
 * than chunked, HTTP/1.1 without Host. Returns an se_error_id, or 0. */
static int edge_refusal(struct MHD_Connection *connection, const char *version, const conn_state *st,
			const char **ret_message)
{
	head_check h = {0};
	*ret_message = NULL;
	if (st->uri_error)
		return st->uri_error;
	MHD_get_connection_values(connection, MHD_HEADER_KIND, check_header, &h);
	if (h.count > SE_HTTP_MAX_HEADERS || h.bytes > SE_HTTP_MAX_HEADER_BYTES)
		return SE_ERR_HEADERS_TOO_LARGE;
	if (h.conflicting_length) {
		*ret_message = "The request has Content-Length headers with different values.";
		return SE_ERR_MALFORMED_HTTP_REQUEST;
	}
	const char *te = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_TRANSFER_ENCODING);
	if (te && strcasecmp(te, "chunked") != 0) {
		*ret_message = "Transfer-Encoding must be chunked or absent.";
		return SE_ERR_MALFORMED_HTTP_REQUEST;
	}
	if (version && strcmp(version, MHD_HTTP_VERSION_1_1) == 0 &&
	    !MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST)) {
		*ret_message = "An HTTP/1.1 request needs a Host header.";
		return SE_ERR_MALFORMED_HTTP_REQUEST;
	}
	return 0;
}

/* --- requests ----------------------------------------------------------------------------------- */

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

/* The current second as RFC 3339, formatted once per second per thread (gmtime and strftime cost more than the
 * rest of the log line). */
static const char *log_time(void)
{
	static _Thread_local time_t last = (time_t)-1;
	static _Thread_local char text[21];
	time_t now = time(NULL);
	if (now != last) {
		se_time_format(now, text);
		last = now;
	}
	return text;
}

/* The path comes masked and escaped (core/mask.h); the method m is escaped by the caller. */
static void access_log(se_app *app, const char *m, const se_http_out *out, double ms)
{
	const char *when = log_time();
	const char *path = out->log_path ? out->log_path : "-";
	if (app->cfg.log_format == SE_LOG_JSON) {
		/* Rounded to microseconds, and printed with enough digits for exactly that. */
		double rounded = floor(ms * 1000.0 + 0.5) / 1000.0;
		json_t *line = json_pack("{s:s, s:s, s:s, s:i, s:f, s:s, s:s, s:s?}", "time", when, "method", m, "path",
					 path, "status", out->status, "duration_ms", rounded, "request_id", out->request_id,
					 "surface", out->surface, "error_type", out->error_type);
		char *text = line ? json_dumps(line, JSON_COMPACT | JSON_REAL_PRECISION(15)) : NULL;
		if (text)
			fprintf(stderr, "%s\n", text);
		free(text);
		json_decref(line);
	} else {
		fprintf(stderr, "%s %s %s %d %.1fms %s%s%s\n", when, m, path, out->status, ms, out->request_id,
			out->error_type ? " " : "", out->error_type ? out->error_type : "");
	}
}

/* The client's address: whether it is a loopback one. */
static bool peer_is_loopback(struct MHD_Connection *connection)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	char text[INET6_ADDRSTRLEN];
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;
	if (!sa)
		return false;
	if (sa->sa_family == AF_INET)
		return inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, text, sizeof text) &&
		       se_hosts_loopback(text);
	if (sa->sa_family == AF_INET6)
		return inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, text, sizeof text) &&
		       se_hosts_loopback(text);
	return false;
}

/* The numeric address the connection arrived on, into buf; false when unknown. */
static bool local_address(struct MHD_Connection *connection, char *buf, size_t size)
{
	const union MHD_ConnectionInfo *fi = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD);
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	if (!fi || getsockname(fi->connect_fd, (struct sockaddr *)&ss, &len) < 0)
		return false;
	return getnameinfo((struct sockaddr *)&ss, len, buf, (socklen_t)size, NULL, 0, NI_NUMERICHOST) == 0;
}

/* Queues out (handing its body over), writes the access log and the request log. */
static enum MHD_Result send_response(se_server *s, struct MHD_Connection *connection, const char *method,
				     conn_state *st, se_http_out *out)
{
	/* A refused head, or a stop under way: the connection is not kept for another request. */
	pthread_mutex_lock(&s->lock);
	bool close_after = st->uri_error || s->stopping;
	pthread_mutex_unlock(&s->lock);
	if (close_after)
		se_http_out_header(out, "Connection", "close");
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
	char m[16]; /* the request log keeps 15 bytes of a method */
	se_mask_escape(m, sizeof m, method ? method : "-", method ? strlen(method) : 1);
	access_log(s->app, m, out, ms);
	if (out->log)
		se_reqlog_add(s->app->reqlog, m, out->log_path, out->surface, out->status, out->error_type, ms,
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
	se_outbound_job *job = se_pipeline_call_job(st->call);
	if (job) {
		se_outbound_job_start(job, wake_connection, st);
	} else {
		/* Waiting for a key from the pool: the pool calls the same wake once one is ready. */
		st->key_waiter = (se_keypool_waiter){.fn = wake_connection, .arg = st};
		se_keypool_notify(s->app->keypool, &st->key_waiter);
	}
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

/* Builds the request, dispatches it (or answers the edge's refusal, an se_error_id, with message)
 * and answers, or suspends the connection while outbound work is pending. */
static enum MHD_Result respond(se_server *s, struct MHD_Connection *connection, const char *url, const char *method,
			       conn_state *st, int refusal, const char *refusal_message)
{
	if (st->call)
		return resume_request(s, connection, method, st);
	se_http_in *in = &st->in;
	*in = (se_http_in){.method = method, .path = url, .body = st->body, .body_len = st->len,
			   .body_too_large = st->too_large};
	collect c = {in, st->arena, 0, sizeof st->arena};
	MHD_get_connection_values(connection, MHD_HEADER_KIND, collect_header, in);
	MHD_get_connection_values(connection, MHD_GET_ARGUMENT_KIND, collect_query, &c);
	in->peer_loopback = peer_is_loopback(connection);
	if (st->query_cut)
		in->query_truncated = 1;
	/* The address the connection arrived on matters only for a Host nothing else allows. */
	const char *host = se_http_header(in, "Host");
	if (host && !se_hosts_allowed(&s->app->cfg, host, NULL))
		in->local_addr = local_address(connection, st->local, sizeof st->local) ? st->local : NULL;

	/* Past the stop's grace period a handler is not started: its answer could not be sent. */
	pthread_mutex_lock(&s->lock);
	if (!refusal && s->grace_over) {
		refusal = SE_ERR_SERVICE_UNAVAILABLE;
		refusal_message = "The emulator is stopping.";
		st->uri_error = refusal;
	}
	pthread_mutex_unlock(&s->lock);
	if (refusal) {
		se_dispatch_refuse(s->app, in, refusal, refusal_message, &st->out);
		return send_response(s, connection, method, st, &st->out);
	}
	if (se_dispatch_start(s->app, in, &st->out, &st->call))
		return suspend_for(s, st, connection);
	return send_response(s, connection, method, st, &st->out);
}

/* The first call for a request: its head is complete. Counts it as in flight unless a stop is
 * under way, and answers at once what the edge refuses. Returns MHD_YES to go on reading. */
static enum MHD_Result begin(se_server *s, struct MHD_Connection *connection, const char *url, const char *method,
			     const char *version, conn_state *st)
{
	const char *message = NULL;
	st->begun = true;
	track_head(s, connection, false);
	pthread_mutex_lock(&s->lock);
	bool stopping = s->stopping;
	if (!stopping) {
		s->active++;
		st->counted = true;
	}
	pthread_mutex_unlock(&s->lock);
	/* The SCIM service provider answers an over-long query in its own error format. */
	if (st->uri_error && se_scim_path(url)) {
		st->uri_error = 0;
		st->query_cut = true;
	}
	int refusal = stopping ? SE_ERR_SERVICE_UNAVAILABLE : edge_refusal(connection, version, st, &message);
	if (stopping)
		message = "The emulator is stopping.";
	if (refusal) {
		st->too_large = 0;
		st->uri_error = refusal;
		return respond(s, connection, url, method, st, refusal, message);
	}
	return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	se_server *s = cls;
	conn_state *st = *req_cls;
	if (!st) {
		st = calloc(1, sizeof *st);
		if (!st)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &st->start);
		*req_cls = st;
	}
	if (!st->begun)
		return begin(s, connection, url, method, version, st);
	if (st->uri_error) {
		/* Refused and answered already: what the client still sends is dropped. */
		*upload_data_size = 0;
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
				return respond(s, connection, url, method, st, 0, NULL);
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
	return respond(s, connection, url, method, st, 0, NULL);
}

static void on_completed(void *cls, struct MHD_Connection *connection, void **req_cls,
			 enum MHD_RequestTerminationCode toe)
{
	se_server *s = cls;
	(void)toe;
	conn_state *st = *req_cls;
	if (connection)
		track_head(s, connection, true); /* a kept connection now waits for its next head */
	if (st) {
		if (st->counted) {
			pthread_mutex_lock(&s->lock);
			s->active--;
			pthread_cond_broadcast(&s->changed);
			pthread_mutex_unlock(&s->lock);
		}
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
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->changed, NULL);
	pthread_cond_init(&s->reaper_wake, NULL);
	/* poll, not epoll: with epoll, libmicrohttpd 0.9.75 does not notice a client that sent part of
	 * a request and closed, and keeps its slot until the idle timeout. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME |
			 (v6 ? MHD_USE_IPv6 : 0);
	s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
				     MHD_OPTION_THREAD_POOL_SIZE, app->cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
				     (unsigned)CONNECTION_LIMIT, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				     (unsigned)PER_IP_CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CONNECTION_TIMEOUT,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024), MHD_OPTION_UNESCAPE_CALLBACK,
				     keep_escaped, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_CONNECTION,
				     on_connection, s, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_END);
	if (!s->daemon) {
		*ret_error = se_asprintf("cannot start the HTTP server on %s:%u", app->cfg.host, app->cfg.port);
		close(s->fd);
		pthread_cond_destroy(&s->changed);
		pthread_cond_destroy(&s->reaper_wake);
		pthread_mutex_destroy(&s->lock);
		free(s);
		return SE_EIO;
	}
	s->reaper_running = true;
	if (pthread_create(&s->reaper, NULL, reaper, s) != 0)
		s->reaper_running = false; /* without it only the idle timeout applies */
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
	/* Same for requests waiting for a key: the pool stops and calls them back (they answer 503: stopping). */
	se_keypool_stop(s->app->keypool);
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
	/* Stop accepting first; every request already counted gets its answer (bounded by the grace
	 * period); later requests on kept connections get 503 and the connection closes. */
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	pthread_mutex_unlock(&s->lock);
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	/* Requests waiting on a fetch are ended first (answered 503, stopping: a hanging fetch must
	 * not delay the exit); then what is being handled gets the grace period to be answered. */
	se_server_end_outbound(s);
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += STOP_GRACE_SECONDS;
	pthread_mutex_lock(&s->lock);
	while (s->active > 0)
		if (pthread_cond_timedwait(&s->changed, &s->lock, &until) != 0)
			break;
	if (s->active > 0) {
		s->grace_over = true;
		until.tv_sec += STOP_FINISH_SECONDS;
		while (s->active > 0)
			if (pthread_cond_timedwait(&s->changed, &s->lock, &until) != 0)
				break;
	}
	bool reaper_started = s->reaper_running;
	s->reaper_running = false;
	pthread_cond_broadcast(&s->reaper_wake);
	pthread_mutex_unlock(&s->lock);
	if (reaper_started)
		pthread_join(s->reaper, NULL);
	MHD_stop_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	pthread_cond_destroy(&s->changed);
	pthread_cond_destroy(&s->reaper_wake);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
