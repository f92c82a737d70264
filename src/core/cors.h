/* Cross-origin rules for pages that call the SDK surface with credentials (API.md section 6). No state: the
 * settings are borrowed, headers are added to (and owned by) the response. */
#ifndef SE_CORS_H
#define SE_CORS_H

#include <stdbool.h>

#include "core/app.h"
#include "request/http.h"

/* Whether origin may call with credentials under the settings (the default allows any
 * http://localhost:PORT and http://127.0.0.1:PORT origin). */
bool se_cors_allowed(const se_config *cfg, const char *origin);

/* Adds the CORS headers for the request's Origin to out (always Vary: Origin). For a preflight
 * (preflight true) also the allowed methods and headers. Returns 0 or a negative se_err. */
int se_cors_headers(const se_config *cfg, const se_http_in *in, bool preflight, se_http_out *out);

#endif
