/* se_fetch(): one bounded libcurl transfer (scheme allow-list, redirect cap, time-outs, size cap) whose failures come
 * back as one sentence naming the URL. */
#include "outbound/fetch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errors_code.h"
#include "util/util.h"

/* Longest URL accepted; the URL is echoed in error messages, which must stay readable. */
#define FETCH_URL_MAX 2048
#define FETCH_MAX_REDIRS 3L

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe on every build of libcurl, and the server calls us from its worker threads. */
static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* The body accumulated so far; over is set when the document passes the cap, which makes the transfer fail. */
typedef struct fetch_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	bool over;
	bool nomem;
} fetch_buf;

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	fetch_buf *b = userdata;
	size_t n = size * nmemb;
	if (n > b->max - b->len) {
		b->over = true;
		return 0;
	}
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if (cap > b->max + 1)
			cap = b->max + 1;
		char *p = realloc(b->data, cap);
		if (!p) {
			b->nomem = true;
			return 0;
		}
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, ptr, n);
	b->len += n;
	b->data[b->len] = '\0';
	return n;
}

/* Checks the URL's shape and scheme before curl sees it. Returns 0 or SE_EINVAL with *ret_error set. */
static int check_url(const char *url, bool allow_file, char **ret_error)
{
	static const char *const schemes[] = {"http", "https", "file"};
	size_t len = url ? strlen(url) : 0;
	if (len == 0) {
		*ret_error = strdup("The URL is empty.");
		return SE_EINVAL;
	}
	if (len > FETCH_URL_MAX) {
		*ret_error = se_asprintf("The URL %.64s... is longer than %d characters.", url, FETCH_URL_MAX);
		return SE_EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		/* Spaces and control characters would be sent or logged raw; no real URL needs them. */
		if (*p <= 0x20 || *p == 0x7f) {
			*ret_error = se_asprintf("The URL %s contains a space or control character.", url);
			return SE_EINVAL;
		}
	}
	CURLU *u = curl_url();
	char *scheme = NULL;
	int rc = SE_EINVAL;
	if (!u) {
		*ret_error = se_asprintf("The URL %s could not be checked: out of memory.", url);
		return SE_EIO;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		*ret_error = se_asprintf("The URL %s is malformed.", url);
		goto done;
	}
	size_t allowed = allow_file ? 3 : 2;
	for (size_t i = 0; i < allowed; i++) {
		if (strcasecmp(scheme, schemes[i]) == 0) {
			rc = 0;
			goto done;
		}
	}
	*ret_error = se_asprintf("The URL %s does not use %s.", url,
				 allow_file ? "http://, https:// or file://" : "http:// or https://");
done:
	curl_free(scheme);
	curl_url_cleanup(u);
	return rc;
}

int se_url_check(const char *url, bool *ret_https, bool *ret_loopback)
{
	if (!url || strlen(url) > FETCH_URL_MAX)
		return SE_EINVAL;
	for (const unsigned char *p = (const unsigned char *)url; *p; p++)
		if (*p <= 0x20 || *p == 0x7f)
			return SE_EINVAL;
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int rc = SE_EINVAL;
	if (!u)
		return SE_ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !*host)
		goto done;
	bool https = strcasecmp(scheme, "https") == 0;
	if (!https && strcasecmp(scheme, "http") != 0)
		goto done;
	*ret_https = https;
	*ret_loopback = strcasecmp(host, "localhost") == 0 || strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0;
	rc = 0;
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int se_fetch(const char *url, bool allow_file, long timeout_ms, size_t max_bytes, char **ret_body, size_t *ret_len,
	     char **ret_error)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	fetch_buf b = {.max = max_bytes};
	CURL *h = NULL;
	char *error = NULL;
	int rc = check_url(url, allow_file, &error);
	if (rc < 0)
		goto done;
	rc = SE_EIO;
	pthread_once(&global_once, global_init);
	if (global_rc != CURLE_OK || !(h = curl_easy_init())) {
		error = se_asprintf("Fetching %s failed: the HTTP client could not be initialised.", url);
		goto done;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, allow_file ? "http,https,file" : "http,https");
	/* A redirect may never reach a local file, even when the first URL was allowed to be one. */
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, FETCH_MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)max_bytes);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
	/* A proxy from the environment is honoured for the outside world, never for this machine's own servers. */
	curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ssoemu");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	CURLcode cc = curl_easy_perform(h);
	if (b.nomem) {
		error = se_asprintf("Fetching %s failed: out of memory.", url);
		goto done;
	}
	if (b.over || cc == CURLE_FILESIZE_EXCEEDED) {
		error = se_asprintf("The document at %s is larger than %zu bytes.", url, max_bytes);
		goto done;
	}
	if (cc == CURLE_HTTP_RETURNED_ERROR) {
		long status = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
		error = se_asprintf("Fetching %s failed: the server answered HTTP %ld.", url, status);
		goto done;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		error = se_asprintf("Fetching %s failed: no complete answer within %ld ms.", url, timeout_ms);
		goto done;
	}
	if (cc != CURLE_OK) {
		error = se_asprintf("Fetching %s failed: %s.", url, errbuf[0] ? errbuf : curl_easy_strerror(cc));
		goto done;
	}
	if (!b.data && !(b.data = calloc(1, 1))) {
		error = se_asprintf("Fetching %s failed: out of memory.", url);
		goto done;
	}
	*ret_body = b.data;
	*ret_len = b.len;
	b.data = NULL;
	rc = 0;
done:
	if (h)
		curl_easy_cleanup(h);
	free(b.data);
	if (rc < 0)
		*ret_error = error ? error : strdup("The document could not be fetched.");
	return rc;
}
