/* One bounded transfer (scheme allow-list, redirect cap, time-outs, size cap; file:// only for regular files under
 * one directory) whose failures come back as one general sentence naming the URL. */
#include "outbound/fetch.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/errors_code.h"
#include "util/text.h"
#include "util/util.h"

/* Longest URL accepted; the URL is echoed in error messages, which must stay readable. */
#define FETCH_URL_MAX 2048
/* How much of the URL an error message repeats. */
#define FETCH_URL_ECHO 200

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_rc = CURLE_FAILED_INIT;

/* curl_global_init is not thread-safe on every build of libcurl, and the server calls us from its worker threads. */
static void global_init(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int se_fetch_global_init(void)
{
	pthread_once(&global_once, global_init);
	return global_rc == CURLE_OK ? 0 : SE_EIO;
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

struct se_transfer {
	char url[FETCH_URL_ECHO + 4]; /* for messages: cut on a character boundary */
	long timeout_ms;
	CURL *easy;    /* http(s); NULL for file:// */
	char *path;    /* file://: the resolved path, inside the allowed directory */
	bool file_bad; /* file://: refused; reported at finish so that every refusal reads the same */
	char errbuf[CURL_ERROR_SIZE];
	fetch_buf buf;
	struct curl_slist *headers;
	long status;
};

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

#define FILE_REFUSED "file:// URLs may only name a regular file inside the --metadata-dir directory"

/* Checks the URL's shape and scheme before curl sees it; *ret_scheme is 'h' (http, https) or 'f' (file). Returns 0
   or SE_EINVAL with *ret_error set. */
static int check_url(const char *url, const char *echo, const se_fetch_opts *opts, char *ret_scheme, char **ret_path,
                     char **ret_error)
{
	size_t len = url ? strlen(url) : 0;
	if (len == 0) {
		*ret_error = strdup("The URL is empty.");
		return SE_EINVAL;
	}
	if (len > FETCH_URL_MAX) {
		*ret_error = se_asprintf("The URL %s is longer than %d characters.", echo, FETCH_URL_MAX);
		return SE_EINVAL;
	}
	for (const unsigned char *p = (const unsigned char *)url; *p; p++) {
		/* Spaces, control characters and raw non-ASCII bytes would be sent or logged raw; no real URL needs
		 * them. */
		if (*p <= 0x20 || *p >= 0x7f) {
			*ret_error = se_asprintf(
			    "The URL %s contains a space, a control character or a raw non-ASCII byte.", echo);
			return SE_EINVAL;
		}
	}
	CURLU *u = curl_url();
	char *scheme = NULL, *path = NULL, *host = NULL;
	int rc = SE_EINVAL;
	if (!u) {
		*ret_error = strdup("The URL could not be checked: out of memory.");
		return SE_ENOMEM;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		*ret_error = se_asprintf("The URL %s is malformed.", echo);
		goto done;
	}
	if (strcasecmp(scheme, "http") == 0 || strcasecmp(scheme, "https") == 0) {
		*ret_scheme = 'h';
		rc = 0;
		goto done;
	}
	if (strcasecmp(scheme, "file") != 0 || !opts->file_dir) {
		*ret_error = se_asprintf("The URL %s does not use http:// or https://%s.", echo,
		                         strcasecmp(scheme, "file") == 0 ? " (file:// is not allowed here)" : "");
		goto done;
	}
	*ret_scheme = 'f';
	/* file://HOST/ names another machine: only an empty host or localhost is this one. */
	if (curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && *host &&
	    strcasecmp(host, "localhost") != 0) {
		*ret_error = se_asprintf("The URL %s is not allowed: " FILE_REFUSED ".", echo);
		goto done;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, CURLU_URLDECODE) != CURLUE_OK || !path) {
		*ret_error = se_asprintf("The URL %s is malformed.", echo);
		goto done;
	}
	*ret_path = strdup(path);
	rc = *ret_path ? 0 : SE_ENOMEM;
	if (rc < 0)
		*ret_error = strdup("The URL could not be checked: out of memory.");
done:
	curl_free(scheme);
	curl_free(path);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

/* Whether resolved (a realpath) is dir itself or inside it. */
static bool inside(const char *resolved, const char *dir)
{
	size_t n = strlen(dir);
	while (n > 1 && dir[n - 1] == '/')
		n--;
	if (strncmp(resolved, dir, n) != 0)
		return false;
	return n == 1 || resolved[n] == '/';
}

/* Reads f->path (resolved, checked to be inside the directory) without ever blocking: the resolved name is opened
   O_NONBLOCK and O_NOFOLLOW, fstat must say regular file of at most the cap, and only then is it read. */
static int read_file(se_transfer *f, char **ret_error)
{
	int fd = open(f->path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	int rc = SE_EIO;
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		*ret_error = se_asprintf("The URL %s is not allowed: " FILE_REFUSED ".", f->url);
		goto done;
	}
	if ((unsigned long long)st.st_size > (unsigned long long)f->buf.max) {
		*ret_error = se_asprintf("The document at %s is larger than %zu bytes.", f->url, f->buf.max);
		goto done;
	}
	size_t want = (size_t)st.st_size;
	if (!(f->buf.data = malloc(want + 1))) {
		rc = SE_ENOMEM;
		*ret_error = strdup("Reading the document failed: out of memory.");
		goto done;
	}
	/* A file that grows while it is read is cut at the size fstat gave. */
	while (f->buf.len < want) {
		ssize_t n = read(fd, f->buf.data + f->buf.len, want - f->buf.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		f->buf.len += (size_t)n;
	}
	f->buf.data[f->buf.len] = '\0';
	rc = 0;
done:
	if (fd >= 0)
		close(fd);
	return rc;
}

int se_fetch_new(const char *url, const se_fetch_opts *opts, se_transfer **ret, char **ret_error)
{
	se_transfer *f = calloc(1, sizeof *f);
	char *path = NULL, scheme = 0;
	if (!f) {
		*ret_error = strdup("The URL could not be checked: out of memory.");
		return SE_ENOMEM;
	}
	se_text_clip_into(f->url, sizeof f->url, url, url ? strlen(url) : 0, NULL);
	f->timeout_ms = opts->timeout_ms;
	f->buf.max = opts->max_bytes;
	int rc = check_url(url, f->url, opts, &scheme, &path, ret_error);
	if (rc < 0)
		goto fail;
	if (scheme == 'f') {
		/* realpath settles symlinks and ".."; the result must still be inside the directory. A name that does
		 * not resolve is refused with the same words as one outside, so that nothing tells whether it exists.
		 */
		char resolved[PATH_MAX];
		if (!realpath(path, resolved) || !inside(resolved, opts->file_dir))
			f->file_bad = true;
		else if (!(f->path = strdup(resolved))) {
			rc = SE_ENOMEM;
			*ret_error = strdup("The URL could not be checked: out of memory.");
			goto fail;
		}
		free(path);
		*ret = f;
		return 0;
	}
	if (se_fetch_global_init() < 0 || !(f->easy = curl_easy_init())) {
		rc = SE_ENOMEM;
		*ret_error = strdup("The HTTP client could not be initialised.");
		goto fail;
	}
	CURL *h = f->easy;
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(h, CURLOPT_MAXREDIRS, (long)SE_FETCH_MAX_REDIRS);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, opts->timeout_ms);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, opts->timeout_ms);
	curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)opts->max_bytes);
	curl_easy_setopt(h, CURLOPT_FAILONERROR, opts->any_status ? 0L : 1L);
	if (opts->post_body) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)opts->post_len);
		curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, opts->post_body);
	}
	for (const char *const *hd = opts->headers; hd && *hd; hd++) {
		struct curl_slist *l = curl_slist_append(f->headers, *hd);
		if (!l) {
			rc = SE_ENOMEM;
			*ret_error = strdup("Out of memory.");
			goto fail;
		}
		f->headers = l;
	}
	if (f->headers)
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, f->headers);
	/* A proxy from the environment is honoured for the outside world, never for this machine's own servers. */
	curl_easy_setopt(h, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ssoemu");
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &f->buf);
	*ret = f;
	return 0;
fail:
	free(path);
	se_fetch_free(f);
	return rc;
}

void *se_fetch_easy(se_transfer *f)
{
	return f ? f->easy : NULL;
}

/* The general words for a failed transfer: what failed, never what the other side sent. */
static const char *curl_reason(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return "the host name could not be resolved";
	case CURLE_COULDNT_CONNECT: return "no connection to the server could be made";
	case CURLE_TOO_MANY_REDIRECTS: return "it redirected more than 3 times";
	case CURLE_UNSUPPORTED_PROTOCOL: return "a redirect led to a URL that is not http:// or https://";
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE: return "the TLS connection could not be established";
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_PARTIAL_FILE: return "the connection ended before a complete answer";
	case CURLE_WEIRD_SERVER_REPLY: return "the server did not answer with HTTP";
	default: return "the transfer failed";
	}
}

int se_fetch_finish(se_transfer *f, int curl_code, char **ret_body, size_t *ret_len, char **ret_error)
{
	CURLcode cc = (CURLcode)curl_code;
	int rc = SE_EIO;
	char *error = NULL;
	if (f->easy)
		curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &f->status);
	if (!f->easy) {
		if (f->file_bad) {
			error = se_asprintf("The URL %s is not allowed: " FILE_REFUSED ".", f->url);
			goto done;
		}
		rc = read_file(f, &error);
		if (rc < 0)
			goto done;
	} else if (f->buf.nomem) {
		rc = SE_ENOMEM;
		error = se_asprintf("Fetching %s failed: out of memory.", f->url);
		goto done;
	} else if (f->buf.over || cc == CURLE_FILESIZE_EXCEEDED) {
		error = se_asprintf("The document at %s is larger than %zu bytes.", f->url, f->buf.max);
		goto done;
	} else if (cc == CURLE_HTTP_RETURNED_ERROR) {
		error = se_asprintf("Fetching %s failed: the server answered HTTP %ld.", f->url, f->status);
		goto done;
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		error = se_asprintf("Fetching %s failed: no complete answer within %ld ms.", f->url, f->timeout_ms);
		goto done;
	} else if (cc != CURLE_OK) {
		error = se_asprintf("Fetching %s failed: %s.", f->url, curl_reason(cc));
		goto done;
	}
	if (!f->buf.data && !(f->buf.data = calloc(1, 1))) {
		rc = SE_ENOMEM;
		error = se_asprintf("Fetching %s failed: out of memory.", f->url);
		goto done;
	}
	*ret_body = f->buf.data;
	*ret_len = f->buf.len;
	f->buf.data = NULL;
	f->buf.len = 0;
	rc = 0;
done:
	if (rc < 0)
		*ret_error = error ? error : strdup("The document could not be fetched.");
	return rc;
}

long se_fetch_status(const se_transfer *f)
{
	return f ? f->status : 0;
}

void se_fetch_free(se_transfer *f)
{
	if (!f)
		return;
	if (f->easy)
		curl_easy_cleanup(f->easy);
	curl_slist_free_all(f->headers);
	free(f->path);
	free(f->buf.data);
	free(f);
}

int se_fetch(const char *url, const se_fetch_opts *opts, char **ret_body, size_t *ret_len, char **ret_error)
{
	se_transfer *f = NULL;
	int rc = se_fetch_new(url, opts, &f, ret_error);
	if (rc < 0)
		return rc;
	CURLcode cc = f->easy ? curl_easy_perform(f->easy) : CURLE_OK;
	rc = se_fetch_finish(f, (int)cc, ret_body, ret_len, ret_error);
	se_fetch_free(f);
	return rc;
}
