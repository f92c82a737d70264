/* The benchmark's ceiling: a bare libmicrohttpd server that reads any request (body included) and answers
 * a fixed JSON body of a given size. Whatever ssoemu does per request costs on top of this. Usage:
 * ceiling SIZE [THREADS [auto|epoll]]: THREADS pool threads (4, ssoemu's default) polling as libmicrohttpd
 * picks (auto, ssoemu's setting) or with epoll, the fastest setting on 2-core machines. The first stdout
 * line gives the port. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *body;
static size_t body_len;
static int marker;

static enum MHD_Result on_request(void *cls, struct MHD_Connection *connection, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)upload_data;
	/* Same call pattern as server.c: the first call only marks the request, uploads are taken in
	 * pieces, the last call answers. */
	if (!*req_cls) {
		*req_cls = &marker;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	struct MHD_Response *resp = MHD_create_response_from_buffer(body_len, body, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(connection, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: ceiling SIZE [THREADS]\n");
		return 2;
	}
	body_len = strtoul(argv[1], NULL, 10);
	unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 4;
	int epoll = argc > 3 && strcmp(argv[3], "epoll") == 0;
	if (argc > 3 && !epoll && strcmp(argv[3], "auto") != 0) {
		fprintf(stderr, "ceiling: polling must be auto or epoll\n");
		return 2;
	}
	if (body_len < 16)
		body_len = 16;
	body = malloc(body_len + 1);
	if (!body)
		return 1;
	/* {"pad":"xxx...x"} of exactly body_len bytes */
	memset(body, 'x', body_len);
	memcpy(body, "{\"pad\":\"", 8);
	memcpy(body + body_len - 2, "\"}", 2);
	body[body_len] = '\0';

	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | (epoll ? MHD_USE_EPOLL : MHD_USE_AUTO) | MHD_USE_ITC;
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	struct MHD_Daemon *d = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, NULL, MHD_OPTION_SOCK_ADDR, &addr, MHD_OPTION_LISTEN_BACKLOG_SIZE,
		(unsigned)512, MHD_OPTION_THREAD_POOL_SIZE, threads, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "ceiling: cannot start\n");
		return 1;
	}
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	printf("ceiling listening on http://127.0.0.1:%u\n", info ? info->port : 0);
	fflush(stdout);
	int sig;
	sigwait(&sigs, &sig);
	MHD_stop_daemon(d);
	free(body);
	return 0;
}
