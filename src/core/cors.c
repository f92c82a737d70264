/* Cross-origin rules: origins are echoed, never '*', because the SDK sends credentials. */
#include "core/cors.h"

#include <string.h>

static bool local_origin(const char *origin)
{
	static const char *const prefixes[] = {"http://localhost", "http://127.0.0.1", NULL};
	for (const char *const *p = prefixes; *p; p++) {
		size_t n = strlen(*p);
		if (strncmp(origin, *p, n) != 0)
			continue;
		const char *rest = origin + n;
		if (*rest == '\0')
			return true;
		if (*rest != ':' || !rest[1])
			return false;
		return strspn(rest + 1, "0123456789") == strlen(rest + 1);
	}
	return false;
}

bool se_cors_allowed(const se_config *cfg, const char *origin)
{
	if (!origin || !*origin)
		return false;
	if (cfg->cors_any)
		return true;
	if (!cfg->cors_origins)
		return local_origin(origin);
	for (char **o = cfg->cors_origins; *o; o++)
		if (strcmp(*o, origin) == 0)
			return true;
	return false;
}

int se_cors_headers(const se_config *cfg, const se_http_in *in, bool preflight, se_http_out *out)
{
	const char *origin = se_http_header(in, "Origin");
	int r = se_http_out_header(out, "Vary", "Origin");
	if (r < 0 || !se_cors_allowed(cfg, origin))
		return r;
	if ((r = se_http_out_header(out, "Access-Control-Allow-Origin", origin)) < 0 ||
	    (r = se_http_out_header(out, "Access-Control-Allow-Credentials", "true")) < 0)
		return r;
	if (!preflight)
		return 0;
	if ((r = se_http_out_header(out, "Access-Control-Allow-Methods", "GET, POST, PUT, PATCH, DELETE")) < 0 ||
	    (r = se_http_out_header(out, "Access-Control-Allow-Headers",
				    "Authorization, Content-Type, X-SDK-Client, X-SDK-Parent-Host")) < 0)
		return r;
	return se_http_out_header(out, "Access-Control-Max-Age", "600");
}
