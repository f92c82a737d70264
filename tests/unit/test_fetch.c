/* Unit tests for fetch.c: file:// reads, the size cap, scheme checks, and http:// against a scripted loopback server
 * (status errors, redirect cap, redirects to file://, time-out). */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sys/stat.h>

#include "util/errors_code.h"
#include "outbound/fetch.h"

/* --- a scripted loopback HTTP server ------------------------------------------------------------- */

/* Answers each of up to count connections with response (NULL: keeps the connection silent until the client goes
 * away), then stops. Every wait is bounded so that a test never hangs. */
typedef struct script {
	int listen_fd;
	int port;
	const char *response;
	int count;
	pthread_t thread;
	char got[4096]; /* what the last connection sent (head, and the body when it came with it) */
} script;

static void *serve(void *arg)
{
	script *s = arg;
	for (int i = 0; i < s->count; i++) {
		struct pollfd lp = {s->listen_fd, POLLIN, 0};
		if (poll(&lp, 1, 5000) <= 0)
			break;
		int fd = accept(s->listen_fd, NULL, NULL);
		if (fd < 0)
			break;
		char buf[4096];
		size_t got = 0;
		struct pollfd cp = {fd, POLLIN, 0};
		/* Read the request head. */
		while (got < sizeof buf - 1 && poll(&cp, 1, 2000) > 0) {
			ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
			if (n <= 0)
				break;
			got += (size_t)n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n\r\n")) {
				/* Give a body sent right after the head the chance to arrive too. */
				struct pollfd more = {fd, POLLIN, 0};
				if (strstr(buf, "Content-Length") && poll(&more, 1, 200) > 0) {
					ssize_t m = read(fd, buf + got, sizeof buf - 1 - got);
					if (m > 0)
						got += (size_t)m;
					buf[got] = '\0';
				}
				break;
			}
		}
		memcpy(s->got, buf, got + 1 < sizeof s->got ? got + 1 : sizeof s->got);
		s->got[sizeof s->got - 1] = '\0';
		if (s->response) {
			size_t len = strlen(s->response), off = 0;
			while (off < len) {
				ssize_t n = write(fd, s->response + off, len - off);
				if (n <= 0)
					break;
				off += (size_t)n;
			}
		} else {
			/* Silent: wait (bounded) until the client gives up and closes. */
			while (poll(&cp, 1, 3000) > 0 && read(fd, buf, sizeof buf) > 0)
				;
		}
		close(fd);
	}
	return NULL;
}

static void script_start(script *s, const char *response, int count)
{
	struct sockaddr_in a = {0};
	socklen_t alen = sizeof a;
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
	ck_assert_int_ge(s->listen_fd, 0);
	ck_assert_int_eq(bind(s->listen_fd, (struct sockaddr *)&a, sizeof a), 0);
	ck_assert_int_eq(listen(s->listen_fd, 8), 0);
	ck_assert_int_eq(getsockname(s->listen_fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	s->response = response;
	s->count = count;
	ck_assert_int_eq(pthread_create(&s->thread, NULL, serve, s), 0);
}

static void script_stop(script *s)
{
	pthread_join(s->thread, NULL);
	close(s->listen_fd);
}

/* --- helpers ------------------------------------------------------------------------------------- */

/* A temporary file holding len bytes of data; its path is written into path (size >= 64). */
static void temp_file(char *path, const void *data, size_t len)
{
	strcpy(path, "/tmp/ssoemu-test-fetch-XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
	close(fd);
}

typedef struct result {
	int rc;
	char *body;
	size_t len;
	char *error;
} result;

static result fetch(const char *url, bool allow_file, long timeout_ms, size_t max_bytes)
{
	result r = {0, NULL, 0, NULL};
	/* allow_file: file:// may read anything (the directory is the root); the directory rule has tests of its own. */
	se_fetch_opts opts = {.timeout_ms = timeout_ms, .max_bytes = max_bytes, .file_dir = allow_file ? "/" : NULL};
	r.rc = se_fetch(url, &opts, &r.body, &r.len, &r.error);
	if (r.rc == 0) {
		ck_assert_ptr_nonnull(r.body);
		ck_assert_int_eq(r.body[r.len], '\0');
	} else {
		ck_assert_ptr_null(r.body);
		ck_assert_ptr_nonnull(r.error);
	}
	return r;
}

static void result_free(result *r)
{
	free(r->body);
	free(r->error);
}

/* Expects failure rc whose message names url and, when not NULL, contains needle. */
static void expect_error(const char *url, bool allow_file, long timeout_ms, size_t max_bytes, int rc, const char *needle)
{
	result r = fetch(url, allow_file, timeout_ms, max_bytes);
	ck_assert_int_eq(r.rc, rc);
	if (url && *url && strlen(url) < 100)
		ck_assert_msg(strstr(r.error, url) != NULL, "error \"%s\" does not name %s", r.error, url);
	if (needle)
		ck_assert_msg(strstr(r.error, needle) != NULL, "error \"%s\" does not mention \"%s\"", r.error, needle);
	result_free(&r);
}

/* --- file:// ------------------------------------------------------------------------------------ */

START_TEST(test_file_read)
{
	char path[64], url[128];
	const char data[] = "<xml>hello</xml>";
	temp_file(path, data, sizeof data - 1);
	snprintf(url, sizeof url, "file://%s", path);
	result r = fetch(url, true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.len, sizeof data - 1);
	ck_assert_str_eq(r.body, data);
	result_free(&r);
	unlink(path);
}
END_TEST

START_TEST(test_file_binary_and_empty)
{
	char path[64], url[128];
	const char data[] = {'a', '\0', 'b'};
	temp_file(path, data, sizeof data);
	snprintf(url, sizeof url, "file://%s", path);
	result r = fetch(url, true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.len, 3);
	ck_assert_int_eq(memcmp(r.body, data, 3), 0);
	result_free(&r);
	unlink(path);

	temp_file(path, "", 0);
	snprintf(url, sizeof url, "file://%s", path);
	r = fetch(url, true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.len, 0);
	ck_assert_str_eq(r.body, "");
	result_free(&r);
	unlink(path);
}
END_TEST

START_TEST(test_file_size_cap)
{
	char path[64], url[128], data[100];
	memset(data, 'x', sizeof data);
	temp_file(path, data, sizeof data);
	snprintf(url, sizeof url, "file://%s", path);
	/* Exactly the cap is fine, one byte more is not. */
	result r = fetch(url, true, SE_FETCH_TIMEOUT_MS, 100);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_uint_eq(r.len, 100);
	result_free(&r);
	expect_error(url, true, SE_FETCH_TIMEOUT_MS, 99, SE_EIO, "larger than 99 bytes");
	unlink(path);
	/* An endless source is never read: only regular files are. */
	expect_error("file:///dev/zero", true, SE_FETCH_TIMEOUT_MS, 4096, SE_EIO, "regular file");
}
END_TEST

START_TEST(test_file_missing)
{
	expect_error("file:///nonexistent/ssoemu/metadata.xml", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EIO,
		     NULL);
}
END_TEST

START_TEST(test_file_not_allowed)
{
	expect_error("file:///etc/hostname", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, "http://");
	expect_error("FILE:///etc/hostname", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
}
END_TEST

/* --- URL checks ---------------------------------------------------------------------------------- */

START_TEST(test_bad_scheme)
{
	expect_error("ftp://127.0.0.1/metadata.xml", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("gopher://127.0.0.1/", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("dict://127.0.0.1:1/x", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("javascript:alert(1)", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
}
END_TEST

START_TEST(test_malformed)
{
	expect_error("not a url", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("http://", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("127.0.0.1/metadata", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("http://127.0.0.1/a\nb", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, NULL);
	expect_error("", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, "empty");
	expect_error(NULL, true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, "empty");

	char *long_url = malloc(5000);
	ck_assert_ptr_nonnull(long_url);
	strcpy(long_url, "http://127.0.0.1/");
	memset(long_url + 17, 'a', 4000);
	long_url[4017] = '\0';
	expect_error(long_url, false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EINVAL, "longer than");
	free(long_url);
}
END_TEST

/* --- http:// ------------------------------------------------------------------------------------- */

START_TEST(test_http_ok)
{
	script s;
	char url[64];
	script_start(&s, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello", 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/metadata", s.port);
	result r = fetch(url, false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.body, "hello");
	ck_assert_uint_eq(r.len, 5);
	result_free(&r);
	script_stop(&s);
}
END_TEST

/* Serves response count times on a loopback port and expects fetching path from it to fail with rc and an error
 * that names the URL and mentions needle (when not NULL). */
static void expect_http_error(const char *response, int count, const char *path, bool allow_file, long timeout_ms,
                              size_t max_bytes, int rc, const char *needle)
{
	script s;
	char url[64];
	script_start(&s, response, count);
	snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s.port, path);
	expect_error(url, allow_file, timeout_ms, max_bytes, rc, needle);
	script_stop(&s);
}

START_TEST(test_http_status_error)
{
	expect_http_error("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 1, "/missing", false,
	                  SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EIO, "HTTP 404");
}
END_TEST

START_TEST(test_http_size_cap)
{
	/* Announced too large: refused before the body is read. */
	expect_http_error("HTTP/1.1 200 OK\r\nContent-Length: 2000\r\nConnection: close\r\n\r\n", 1, "/big", false,
	                  SE_FETCH_TIMEOUT_MS, 1000, SE_EIO, "larger than 1000 bytes");
	/* Not announced: stopped while reading. */
	static char response[4096];
	int n = snprintf(response, sizeof response, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");
	memset(response + n, 'x', 2000);
	response[n + 2000] = '\0';
	expect_http_error(response, 1, "/big", false, SE_FETCH_TIMEOUT_MS, 1000, SE_EIO, "larger than 1000 bytes");
}
END_TEST

START_TEST(test_http_redirect_cap)
{
	/* Three redirects are followed; the fourth is one too many. */
	expect_http_error("HTTP/1.1 302 Found\r\nLocation: /again\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 4,
	                  "/start", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EIO, "redirect");
}
END_TEST

START_TEST(test_http_redirect_to_file_refused)
{
	/* Even when the first URL could have been a file. */
	expect_http_error("HTTP/1.1 302 Found\r\nLocation: file:///etc/hostname\r\nContent-Length: 0\r\nConnection: "
	                  "close\r\n\r\n",
	                  1, "/start", true, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EIO, NULL);
}
END_TEST

START_TEST(test_http_timeout)
{
	expect_http_error(NULL, 1, "/slow", false, 300, SE_FETCH_MAX_BYTES, SE_EIO, "300 ms");
}
END_TEST

START_TEST(test_http_refused)
{
	expect_error("http://127.0.0.1:1/x", false, SE_FETCH_TIMEOUT_MS, SE_FETCH_MAX_BYTES, SE_EIO, NULL);
}
END_TEST

/* A POST with headers, and an error status whose body is kept (any_status), as an API call needs. */
START_TEST(test_http_post_any_status)
{
	script s;
	char url[64];
	script_start(&s, "HTTP/1.1 400 Bad Request\r\nContent-Length: 16\r\nConnection: close\r\n\r\n{\"error\":\"nope\"}", 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/token", s.port);
	static const char *const headers[] = {"Content-Type: application/x-www-form-urlencoded", "X-Test: 1", NULL};
	se_fetch_opts opts = {.timeout_ms = SE_FETCH_TIMEOUT_MS, .max_bytes = SE_FETCH_MAX_BYTES,
			      .post_body = "grant_type=x&code=secret-code", .post_len = 29, .headers = headers,
			      .any_status = true};
	se_transfer *f = NULL;
	char *error = NULL, *body = NULL;
	size_t len = 0;
	ck_assert_int_eq(se_fetch_new(url, &opts, &f, &error), 0);
	CURLcode cc = curl_easy_perform(se_fetch_easy(f));
	ck_assert_int_eq(se_fetch_finish(f, (int)cc, &body, &len, &error), 0);
	ck_assert_int_eq(se_fetch_status(f), 400);
	ck_assert_str_eq(body, "{\"error\":\"nope\"}");
	se_fetch_free(f);
	free(body);
	script_stop(&s);
	ck_assert_ptr_nonnull(strstr(s.got, "POST /token"));
	ck_assert_ptr_nonnull(strstr(s.got, "X-Test: 1"));
	ck_assert_ptr_nonnull(strstr(s.got, "grant_type=x&code=secret-code"));
	/* Without any_status the same answer is a failure that never quotes the POST body. */
	script_start(&s, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", 1);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/token", s.port);
	opts.any_status = false;
	result r = {0};
	r.rc = se_fetch(url, &opts, &r.body, &r.len, &r.error);
	ck_assert_int_eq(r.rc, SE_EIO);
	ck_assert_ptr_nonnull(strstr(r.error, "HTTP 400"));
	ck_assert_ptr_null(strstr(r.error, "secret-code"));
	result_free(&r);
	script_stop(&s);
}
END_TEST

/* file:// under a directory: the resolved path must be inside it and name a regular file; every refusal reads the
 * same, whether the file is missing, outside, a FIFO or a device. */
START_TEST(test_file_dir_rules)
{
	char dir[] = "/tmp/ssoemu-test-fetch-dir-XXXXXX", path[256], url[300];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/ok.xml", dir);
	FILE *fp = fopen(path, "w");
	fputs("<ok/>", fp);
	fclose(fp);
	snprintf(path, sizeof path, "%s/fifo", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	snprintf(path, sizeof path, "%s/zero", dir);
	ck_assert_int_eq(symlink("/dev/zero", path), 0);
	snprintf(path, sizeof path, "%s/out", dir);
	ck_assert_int_eq(symlink("/etc/hostname", path), 0);
	se_fetch_opts opts = {.timeout_ms = SE_FETCH_TIMEOUT_MS, .max_bytes = SE_FETCH_MAX_BYTES, .file_dir = dir};
	snprintf(url, sizeof url, "file://%s/ok.xml", dir);
	result r = {0};
	r.rc = se_fetch(url, &opts, &r.body, &r.len, &r.error);
	ck_assert_int_eq(r.rc, 0);
	ck_assert_str_eq(r.body, "<ok/>");
	result_free(&r);
	static const char *const refused[] = {"fifo", "zero", "out", "missing", "../../etc/hostname", "."};
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(url, sizeof url, "file://%s/%s", dir, refused[i]);
		r = (result){0};
		r.rc = se_fetch(url, &opts, &r.body, &r.len, &r.error);
		ck_assert_int_lt(r.rc, 0);
		ck_assert_msg(strstr(r.error, "may only name a regular file inside the --metadata-dir directory") != NULL,
			      "%s: %s", refused[i], r.error);
		result_free(&r);
	}
	/* Another host is not this machine. */
	r = (result){0};
	r.rc = se_fetch("file://example.test/etc/hostname", &opts, &r.body, &r.len, &r.error);
	ck_assert_int_lt(r.rc, 0);
	result_free(&r);
	snprintf(path, sizeof path, "%s/ok.xml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/fifo", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/zero", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/out", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

static Suite *fetch_suite(void)
{
	Suite *s = suite_create("fetch");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 20);
	tcase_add_test(tc, test_file_read);
	tcase_add_test(tc, test_file_binary_and_empty);
	tcase_add_test(tc, test_file_size_cap);
	tcase_add_test(tc, test_file_missing);
	tcase_add_test(tc, test_file_not_allowed);
	tcase_add_test(tc, test_bad_scheme);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_http_ok);
	tcase_add_test(tc, test_http_status_error);
	tcase_add_test(tc, test_http_size_cap);
	tcase_add_test(tc, test_http_redirect_cap);
	tcase_add_test(tc, test_http_redirect_to_file_refused);
	tcase_add_test(tc, test_http_timeout);
	tcase_add_test(tc, test_http_refused);
	tcase_add_test(tc, test_http_post_any_status);
	tcase_add_test(tc, test_file_dir_rules);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fetch_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
