/* Checking the URLs a connection stores before anything fetches them (ORG.md section 6): absolute http(s)
 * URLs with a host, as libcurl's URL parser reads them. Owns nothing; every argument is borrowed. */
#ifndef SE_URL_H
#define SE_URL_H

#include <stdbool.h>

/* Whether url is an absolute http:// or https:// URL with a host, as libcurl's URL parser reads it (at most 2048
   characters, no spaces or control characters). *ret_https says whether it is https, *ret_loopback whether its host
   is localhost, 127.0.0.0/8 or ::1. Returns 0 or SE_EINVAL (or SE_ENOMEM). */
int se_url_check(const char *url, bool *ret_https, bool *ret_loopback);

#endif
