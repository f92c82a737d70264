/* The dashboard at /_emulator/ui: its page, style sheet, script and icon, embedded in the binary at
 * build time (src/control/ui/), served with their Content-Type, a strict Content-Security-Policy and
 * revalidation headers. The page itself reads and writes only through the control API. */
#ifndef SE_UI_H
#define SE_UI_H

#include "request/http.h"

/* The page's own path, /_emulator/ui; its files live under /_emulator/ui/<name>. */
#define SE_UI_PATH "/_emulator/ui"

/* Answers GET for the dashboard file name (NULL: the page itself, index.html). Fills out's status
 * (200, or 304 with an empty body when if_none_match, which may be NULL, names the file's current
 * ETag), body (owned by out), Content-Type, Content-Security-Policy, Cache-Control, ETag and
 * the nosniff, referrer and framing headers. Returns 0; SE_ENOTFOUND for a name that is not one of
 * the embedded files (out unchanged); SE_ENOMEM or SE_ELIMIT (out unchanged). */
int se_ui_serve(const char *name, const char *if_none_match, se_http_out *out);

#endif
