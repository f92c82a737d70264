/* Small HTML pages of sign-in: escaping, the browser error page (SIGNIN.md Rule B) and the
 * self-submitting form of the SAML HTTP-POST binding. */
#ifndef SE_SIGNIN_HTML_H
#define SE_SIGNIN_HTML_H

#include <jansson.h>

/* s with & < > " ' escaped; malloc'd, NULL on allocation failure. NULL s gives "". */
char *se_html_escape(const char *s);

/* The error page: status, error_type, error_message, request_id and the JSON error body in
 * <script type="application/json" id="ssoemu-error">. malloc'd. */
char *se_html_error_page(int status, const char *error_type, const char *message, const char *request_id,
                         const json_t *body);

/* An auto-submitting POST form to action with the given fields ({name: value} strings), with a
 * <noscript> button. malloc'd. */
char *se_html_post_form(const char *action, const json_t *fields);

#endif
