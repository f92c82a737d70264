/* URLs of sign-in: the emulator's own URLs (SIGNIN.md Rule A), redirect URL rules (section 4.4) and
 * query building. */
#ifndef SE_SIGNIN_URLS_H
#define SE_SIGNIN_URLS_H

#include <stdbool.h>

#include "model/config.h"
#include "request/errors.h"
#include "store/signin.h"

/* When url is the emulator (path-only, the origin of --public-url, or http://H:P on the bound port
 * with H loopback or --host), its path and query, malloc'd; NULL otherwise (or on allocation failure). */
char *se_signin_self_path(const se_config *cfg, const char *url);

/* Checks a login (signup false) or signup redirect URL against the registered ones. SE_ERR_NONE or
 * the error of section 4.4. */
se_error_id se_signin_redirect_check(const se_signin_settings *s, const char *url, bool signup);

/* The project's default redirect URL of that type, borrowed from s; NULL when none. */
const char *se_signin_redirect_default(const se_signin_settings *s, bool signup);

/* url with params ("a=b&c=d", already encoded) added to its query, before any fragment. malloc'd. */
char *se_signin_url_add(const char *url, const char *params);

/* Percent-encodes s for a query value; malloc'd. */
char *se_signin_escape(const char *s);

/* The request's own origin ("http://127.0.0.1:PORT") from its Host header, for absolute URLs inside
 * IdP documents; malloc'd. */
char *se_signin_origin(const char *host_header);

#endif
