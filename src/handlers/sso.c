/* What spans the SSO connection kinds: listing an organization's connections and deleting one. */
#include <stdlib.h>
#include <string.h>

#include "store/cache.h"
#include "handlers/handlers.h"
#include "model/render.h"
#include "util/util.h"

typedef struct list_ctx {
	const se_kind *kind;
	const char *public_url;
	json_t *arr;
} list_ctx;

static int list_one(void *obj, void *v)
{
	list_ctx *ctx = v;
	json_t *c = se_render_conn(ctx->kind, obj, ctx->public_url);
	return c && json_array_append_new(ctx->arr, c) == 0 ? 0 : -1;
}

int se_h_sso_get(se_req *r)
{
	static const struct {
		se_kind_id kind;
		const char *key;
	} lists[] = {
		{SE_KIND_SAML, "saml_connections"},
		{SE_KIND_OIDC, "oidc_connections"},
		{SE_KIND_EXTERNAL, "external_connections"},
	};
	/* The rendered lists are cached per organization until the next write (cache.h). */
	uint64_t gen = se_cache_generation();
	size_t len;
	if (se_cache_get(r->store, r->org.organization_id, &r->out_text, &len) == 0)
		return 0;
	r->out = json_object();
	if (!r->out)
		return se_req_internal(r);
	for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++) {
		list_ctx ctx = {se_kind_get(lists[i].kind), r->cfg->public_url, json_array()};
		if (!ctx.arr || json_object_set_new(r->out, lists[i].key, ctx.arr) < 0 ||
		    se_store_conn_each(r->db, ctx.kind, r->org.organization_id, list_one, &ctx) != 0)
			return se_req_internal(r);
	}
	char *text = se_json_dump(r->out);
	if (text) {
		se_cache_put(r->store, r->org.organization_id, gen, text, strlen(text));
		free(text);
	}
	return 0;
}

int se_h_sso_delete(se_req *r)
{
	static const se_kind_id kinds[] = {SE_KIND_SAML, SE_KIND_OIDC, SE_KIND_EXTERNAL};
	const char *id = se_req_arg(r, "connection_id");
	if (se_db_begin(r->db) < 0)
		return se_req_internal(r);
	int rc = SE_ENOTFOUND;
	se_kind_id deleted = SE_KIND_EXTERNAL;
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0] && rc == SE_ENOTFOUND; i++) {
		rc = se_store_conn_delete(r->db, se_kind_get(kinds[i]), r->org.organization_id, id);
		deleted = kinds[i];
	}
	/* External connections of other organizations that used this one go with it (README:
	 * "Deleting a connection that External connections use"). */
	int dropped = 0;
	if (rc == 0 && deleted != SE_KIND_EXTERNAL)
		rc = se_store_external_delete_by_target(r->db, id, &dropped);
	if (rc < 0) {
		se_db_rollback(r->db);
		if (rc == SE_ENOTFOUND)
			return se_req_fail(r, SE_ERR_SSO_CONNECTION_NOT_FOUND, "SSO connection %s could not be found.", id);
		return se_req_internal(r);
	}
	if (se_h_commit(r) < 0)
		return -1;
	r->out = json_pack("{s:s}", "connection_id", id);
	return r->out ? 0 : se_req_internal(r);
}
