/* Sends each request to the control API or to the API pipeline, after what both share: the request
 * id and the CORS headers, with preflights answered here. */
#include "http/dispatch.h"

#include <string.h>

#include "control/control.h"
#include "core/cors.h"
#include "core/pipeline.h"
#include "model/ids.h"

void se_dispatch(se_app *app, const se_http_in *in, se_http_out *out)
{
	memset(out, 0, sizeof *out);
	out->surface = "none";
	bool control = se_control_path(in->path);
	if (in->resumed_request_id && strlen(in->resumed_request_id) < sizeof out->request_id)
		strcpy(out->request_id, in->resumed_request_id);
	else if ((control ? se_control_request_id(out->request_id, sizeof out->request_id)
		     : se_id_format(SE_ID_REQUEST, out->request_id, sizeof out->request_id)) < 0)
		strcpy(out->request_id, SE_ID_REQUEST "00000000-0000-4000-8000-000000000000");

	bool preflight = strcmp(in->method, "OPTIONS") == 0;
	se_cors_headers(&app->cfg, in, preflight, out);
	if (preflight) {
		out->status = 204;
		out->body = strdup("");
		return;
	}
	if (control)
		se_control_handle(app, in, out);
	else
		se_pipeline_handle(app, in, out);
}
