/* Unit tests for outbound.c: jobs on the fetch worker (wake from the worker, time-out, digest on the worker), the
 * global and per-credential caps, the synchronous run, and shutdown ending hanging transfers at once. */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "outbound/outbound.h"
#include "util/errors_code.h"

/* A loopback socket that listens and never accepts: connections succeed (the backlog) and nothing is ever sent. */
static int silent_listener(int *ret_port)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(fd, 16), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*ret_port = ntohs(a.sin_port);
	return fd;
}

/* What a wake callback saw. */
typedef struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool woken;
	pthread_t by;
} waiter;

static void waiter_init(waiter *w)
{
	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->cond, NULL);
	w->woken = false;
}

static void wake(void *ctx)
{
	waiter *w = ctx;
	pthread_mutex_lock(&w->lock);
	w->woken = true;
	w->by = pthread_self();
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

/* Waits (bounded: 10 s) for the wake. */
static void wait_woken(waiter *w)
{
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	pthread_mutex_lock(&w->lock);
	while (!w->woken)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) != 0)
			break;
	bool woken = w->woken;
	pthread_mutex_unlock(&w->lock);
	ck_assert_msg(woken, "the job never woke its starter");
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

START_TEST(test_timeout_on_worker)
{
	se_outbound *o = NULL;
	ck_assert_int_eq(se_outbound_new(4, 2, &o), 0);
	int port;
	int fd = silent_listener(&port);
	char url[64], *err = NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/m.xml", port);
	se_fetch_opts opts = {.timeout_ms = 300, .max_bytes = SE_FETCH_MAX_BYTES, .file_dir = NULL};
	se_outbound_job *job = NULL;
	ck_assert_int_eq(se_outbound_job_new(o, "k", url, &opts, NULL, NULL, &job, &err), 0);
	waiter w;
	waiter_init(&w);
	se_outbound_job_start(job, wake, &w);
	wait_woken(&w);
	ck_assert(!pthread_equal(w.by, pthread_self()));
	const char *error = NULL;
	ck_assert_int_eq(se_outbound_job_result(job, NULL, NULL, &error), SE_EIO);
	ck_assert_ptr_nonnull(strstr(error, "300 ms"));
	ck_assert_ptr_nonnull(strstr(error, url));
	ck_assert_uint_eq(se_outbound_in_flight(o), 1);
	se_outbound_job_free(job);
	ck_assert_uint_eq(se_outbound_in_flight(o), 0);
	se_outbound_free(o);
	close(fd);
}
END_TEST

START_TEST(test_caps)
{
	se_outbound *o = NULL;
	ck_assert_int_eq(se_outbound_new(3, 2, &o), 0);
	se_fetch_opts opts = {.timeout_ms = 1000, .max_bytes = 1024, .file_dir = NULL};
	se_outbound_job *j[4] = {0};
	char *err = NULL;
	ck_assert_int_eq(se_outbound_job_new(o, "a", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[0], &err), 0);
	ck_assert_int_eq(se_outbound_job_new(o, "a", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[1], &err), 0);
	/* A third for the same credential is refused at once; another credential still gets one. */
	ck_assert_int_eq(se_outbound_job_new(o, "a", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[2], &err), SE_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err, "these credentials"));
	free(err);
	ck_assert_int_eq(se_outbound_job_new(o, "b", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[2], &err), 0);
	/* The process-wide cap. */
	ck_assert_int_eq(se_outbound_job_new(o, "c", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[3], &err), SE_ELIMIT);
	ck_assert_ptr_nonnull(strstr(err, "3 outbound fetches"));
	free(err);
	/* A job freed gives its place back. */
	se_outbound_job_free(j[0]);
	ck_assert_int_eq(se_outbound_job_new(o, "a", "http://127.0.0.1:1/", &opts, NULL, NULL, &j[0], &err), 0);
	/* A URL that may not be fetched creates nothing, caps or not. */
	ck_assert_int_eq(se_outbound_job_new(o, "d", "ftp://x/", &opts, NULL, NULL, &j[3], &err), SE_EINVAL);
	free(err);
	for (int i = 0; i < 3; i++)
		se_outbound_job_free(j[i]);
	ck_assert_int_eq(se_outbound_job_new(o, "d", "ftp://x/", &opts, NULL, NULL, &j[3], &err), SE_EINVAL);
	free(err);
	ck_assert_uint_eq(se_outbound_in_flight(o), 0);
	se_outbound_free(o);
}
END_TEST

typedef struct seen {
	size_t len;
	bool on_other_thread;
	pthread_t caller;
} seen;

static int digest(void *ctx, const char *body, size_t len, char **ret_error)
{
	seen *s = ctx;
	s->len = len;
	s->on_other_thread = !pthread_equal(pthread_self(), s->caller);
	if (len > 0 && body[0] == '!') {
		*ret_error = strdup("the digest refused it");
		return SE_EINVAL;
	}
	return 0;
}

START_TEST(test_digest_and_file)
{
	char dir[] = "/tmp/ssoemu-test-outbound-XXXXXX", path[128], url[160];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/doc.xml", dir);
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("<doc/>", f);
	fclose(f);
	snprintf(url, sizeof url, "file://%s", path);
	se_outbound *o = NULL;
	ck_assert_int_eq(se_outbound_new(4, 4, &o), 0);
	se_fetch_opts opts = {.timeout_ms = 1000, .max_bytes = 1024, .file_dir = dir};
	seen s = {0, false, pthread_self()};
	se_outbound_job *job = NULL;
	char *err = NULL;
	ck_assert_int_eq(se_outbound_job_new(o, NULL, url, &opts, digest, &s, &job, &err), 0);
	waiter w;
	waiter_init(&w);
	se_outbound_job_start(job, wake, &w);
	wait_woken(&w);
	const char *body = NULL;
	size_t len = 0;
	ck_assert_int_eq(se_outbound_job_result(job, &body, &len, NULL), 0);
	ck_assert_str_eq(body, "<doc/>");
	ck_assert_uint_eq(s.len, 6);
	ck_assert(s.on_other_thread);
	se_outbound_job_free(job);

	/* The digest's refusal is the job's; the synchronous run runs it on the caller's thread. */
	f = fopen(path, "w");
	fputs("!no", f);
	fclose(f);
	ck_assert_int_eq(se_outbound_job_new(o, NULL, url, &opts, digest, &s, &job, &err), 0);
	se_outbound_job_run(job);
	const char *error = NULL;
	ck_assert_int_eq(se_outbound_job_result(job, &body, &len, &error), SE_EINVAL);
	ck_assert_ptr_null(body);
	ck_assert_str_eq(error, "the digest refused it");
	ck_assert(!s.on_other_thread);
	se_outbound_job_free(job);
	se_outbound_free(o);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(test_shutdown_ends_hanging)
{
	se_outbound *o = NULL;
	ck_assert_int_eq(se_outbound_new(8, 8, &o), 0);
	int port;
	int fd = silent_listener(&port);
	char url[64], *err = NULL;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
	se_fetch_opts opts = {.timeout_ms = 20000, .max_bytes = SE_FETCH_MAX_BYTES, .file_dir = NULL};
	se_outbound_job *jobs[3];
	waiter w[3];
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(se_outbound_job_new(o, NULL, url, &opts, NULL, NULL, &jobs[i], &err), 0);
		waiter_init(&w[i]);
		se_outbound_job_start(jobs[i], wake, &w[i]);
	}
	usleep(200 * 1000);
	double t = now_s();
	se_outbound_shutdown(o);
	/* Everything ended before shutdown returned, long before the 20 s time-out. */
	ck_assert(now_s() - t < 5.0);
	for (int i = 0; i < 3; i++) {
		ck_assert(w[i].woken);
		const char *error = NULL;
		ck_assert_int_eq(se_outbound_job_result(jobs[i], NULL, NULL, &error), SE_EIO);
		ck_assert_ptr_nonnull(strstr(error, "stopping"));
		se_outbound_job_free(jobs[i]);
	}
	/* After shutdown nothing new is created. */
	se_outbound_job *late = NULL;
	ck_assert_int_eq(se_outbound_job_new(o, NULL, url, &opts, NULL, NULL, &late, &err), SE_EIO);
	free(err);
	se_outbound_free(o);
	close(fd);
}
END_TEST

static Suite *outbound_suite(void)
{
	Suite *s = suite_create("outbound");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_timeout_on_worker);
	tcase_add_test(tc, test_caps);
	tcase_add_test(tc, test_digest_and_file);
	tcase_add_test(tc, test_shutdown_ends_hanging);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(outbound_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
