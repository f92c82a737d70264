/* Sends each request to the control API, the SCIM service provider or the API pipeline, after what
 * they share: the request id, the Host rule and the CORS headers, with preflights answered here. */
#include "http/dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "control/control.h"
#include "core/cors.h"
#include "core/hosts.h"
#include "core/mask.h"
#include "core/pipeline.h"
#include "model/ids.h"
#include "request/errors.h"
#include "scim/scim.h"
#include "util/util.h"

/* The built-in IdP's pages are pipeline routes without credentials (SIGNIN.md, pipeline). */
static bool is_control(const char *path)
{
	return se_control_path(path) && strncmp(path, "/_emulator/idp/", 15) != 0;
}

static void request_id(const se_http_in *in, se_http_out *out)
{
	bool control = is_control(in->path);
	if ((control ? se_control_request_id(out->request_id, sizeof out->request_id)
		     : se_id_format(SE_ID_REQUEST, out->request_id, sizeof out->request_id)) < 0)
		strcpy(out->request_id, SE_ID_REQUEST "00000000-0000-4000-8000-000000000000");
}

void se_dispatch_refuse(se_app *app, const se_http_in *in, int error, const char *message, se_http_out *out)
{
	memset(out, 0, sizeof *out);
	out->surface = "none";
	request_id(in, out);
	se_cors_headers(&app->cfg, in, false, out);
	json_t *body = se_error_body((se_error_id)error, message, out->request_id);
	out->status = se_error_status((se_error_id)error);
	out->error_type = se_error_type((se_error_id)error);
	out->body = body ? se_json_dump(body) : NULL;
	json_decref(body);
	if (!out->body)
		out->body = se_asprintf("{\"status_code\":%d,\"request_id\":\"%s\",\"error_type\":\"%s\","
					"\"error_message\":\"\",\"error_url\":\"https://stytch.com/docs/api/errors/%d\"}",
					out->status, out->request_id, out->error_type, out->status);
	out->body_len = out->body ? strlen(out->body) : 0;
	se_http_out_header(out, "Content-Type", "application/json");
	const char *known[] = {app->cfg.admin_token, NULL};
	out->log_path = se_mask_path(in->path, NULL, known, SE_LOG_PATH_MAX);
}

void se_dispatch(se_app *app, const se_http_in *in, se_http_out *out)
{
	se_pipeline_call *call = NULL;
	int pending = se_dispatch_start(app, in, out, &call);
	while (pending) {
		se_pipeline_call_wait(app, call);
		pending = se_pipeline_resume(app, call, out);
	}
}

int se_dispatch_start(se_app *app, const se_http_in *in, se_http_out *out, se_pipeline_call **ret_call)
{
	/* The Host rule comes first, on every surface, preflights included: a DNS-rebinding page
	 * reaches the emulator under a name of its own and must learn nothing. */
	const char *host = se_http_header(in, "Host");
	if (host && !se_hosts_allowed(&app->cfg, host, in->local_addr)) {
		se_dispatch_refuse(app, in, SE_ERR_HOST_NOT_ALLOWED, NULL, out);
		return 0;
	}
	memset(out, 0, sizeof *out);
	out->surface = "none";
	bool control = is_control(in->path);
	request_id(in, out);

	bool preflight = strcmp(in->method, "OPTIONS") == 0;
	se_cors_headers(&app->cfg, in, preflight, out);
	/* A control preflight from a refused Origin goes to the control API, which answers 403. */
	const char *origin = se_http_header(in, "Origin");
	if (preflight && !(control && origin && !se_cors_allowed(&app->cfg, origin))) {
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
