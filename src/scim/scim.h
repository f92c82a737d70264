/* The SCIM 2.0 service provider at each SCIM connection's base_url (SCIM.md): a sibling of the
 * control API and the API pipeline, chosen by path in http/dispatch.c. */
#ifndef SE_SCIM_H
#define SE_SCIM_H

#include <stdbool.h>

#include "core/app.h"
#include "request/http.h"

/* Whether a raw path is under /v1/b2b/scim/{cid}/ and not one of the connection API's
 * /v1/b2b/scim/{org}/connection routes (the bare base URL counts as SCIM). */
bool se_scim_path(const char *path);

/* Handles one SCIM request. Always fills *out (request id already set by the caller) with a complete
 * response: a SCIM resource, list or error body as application/scim+json. Borrows *in. */
void se_scim_handle(se_app *app, const se_http_in *in, se_http_out *out);

#endif
