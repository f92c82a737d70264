/* Whether a stored URL is an absolute http(s) URL with a host, and whether it is https or loopback. */
#include "outbound/url.h"

#include <curl/curl.h>
#include <string.h>
#include <strings.h>

#include "util/errors_code.h"

/* The longest URL accepted, as for fetches (outbound/fetch.c). */
#define URL_MAX 2048

int se_url_check(const char *url, bool *ret_https, bool *ret_loopback)
{
	if (!url || strlen(url) > URL_MAX)
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
