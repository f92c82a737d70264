/* Sends each request to the control API, the SCIM service provider or the API pipeline, after what
 * they share: the request id and the CORS headers, with preflights answered here. */
#include "http/dispatch.h"

#include <string.h>

#include "control/control.h"
#include "core/cors.h"
#include "core/pipeline.h"
#include "model/ids.h"
#include "scim/scim.h"

void se_dispatch(se_app *app, const se_http_in *in, se_http_out *out)
{
	se_pipeline_call *call = NULL;
	int pending = se_dispatch_start(app, in, out, &call);
	while (pending) {
		se_outbound_job_run(se_pipeline_call_job(call));
		pending = se_pipeline_resume(app, call, out);
	}
}

int se_dispatch_start(se_app *app, const se_http_in *in, se_http_out *out, se_pipeline_call **ret_call)
{
	memset(out, 0, sizeof *out);
	out->surface = "none";
	bool control = se_control_path(in->path);
	if ((control ? se_control_request_id(out->request_id, sizeof out->request_id)
		     : se_id_format(SE_ID_REQUEST, out->request_id, sizeof out->request_id)) < 0)
		strcpy(out->request_id, SE_ID_REQUEST "00000000-0000-4000-8000-000000000000");

	bool preflight = strcmp(in->method, "OPTIONS") == 0;
	se_cors_headers(&app->cfg, in, preflight, out);
	if (preflight) {
		out->status = 204;
		out->body = strdup("");
		return 0;
	}
	if (control)
		se_control_handle(app, in, out);
	else if (se_scim_path(in->path))
		se_scim_handle(app, in, out);
	else
		return se_pipeline_start(app, in, out, ret_call);
	return 0;
}
