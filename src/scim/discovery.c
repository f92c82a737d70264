/* Discovery (SCIM.md 2): ServiceProviderConfig, ResourceTypes and Schemas, the last rendered from
 * the same attribute tables the parser, PATCH engine and coercions use. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scim/internal.h"
#include "util/util.h"

static int no_filter(se_scim_req *r)
{
	if (se_scim_query(r, "filter"))
		return se_scim_req_fail(r, 403, NULL, "Filtering is not supported on this endpoint.");
	return 0;
}

int se_scim_service_provider_config(se_scim_req *r)
{
	if (no_filter(r) < 0)
		return -1;
	char *loc = se_asprintf("%s/ServiceProviderConfig", r->base);
	r->out =
	    loc ? json_pack("{s:[s], s:s, s:{s:b}, s:{s:b, s:i, s:i}, s:{s:b, s:i}, s:{s:b}, s:{s:b}, s:{s:b},"
	                    " s:[{s:s, s:s, s:s, s:s}], s:{s:s, s:s}}",
	                    "schemas", "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig",
	                    "documentationUri", "https://stytch.com/docs/b2b/guides/scim/overview", "patch",
	                    "supported", 1, "bulk", "supported", 0, "maxOperations", 0, "maxPayloadSize", 0, "filter",
	                    "supported", 1, "maxResults", SE_SCIM_MAX_RESULTS, "changePassword", "supported", 0, "sort",
	                    "supported", 0, "etag", "supported", 0, "authenticationSchemes", "type", "oauthbearertoken",
	                    "name", "OAuth Bearer Token", "description", "The connection's bearer token", "specUri",
	                    "https://www.rfc-editor.org/info/rfc6750", "meta", "resourceType", "ServiceProviderConfig",
	                    "location", loc)
	        : NULL;
	free(loc);
	r->status = 200;
	return r->out ? 0 : se_scim_req_internal(r);
}

static json_t *resource_type(se_scim_req *r, const se_scim_rtype *rt)
{
	char *loc = se_asprintf("%s/ResourceTypes/%s", r->base, rt->name);
	char endpoint[32];
	snprintf(endpoint, sizeof endpoint, "/%ss", rt->name);
	json_t *o =
	    loc ? json_pack("{s:[s], s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s}}", "schemas",
	                    "urn:ietf:params:scim:schemas:core:2.0:ResourceType", "id", rt->name, "name", rt->name,
	                    "endpoint", endpoint, "description", rt == &se_scim_user_type ? "User Account" : "Group",
	                    "schema", rt->core->urn, "meta", "resourceType", "ResourceType", "location", loc)
	        : NULL;
	free(loc);
	if (o && rt->ext)
		json_object_set_new(o, "schemaExtensions",
		                    json_pack("[{s:s, s:b}]", "schema", rt->ext->urn, "required", 0));
	return o;
}

static const char *type_name(se_scim_type t)
{
	switch (t) {
	case SE_SCIM_BOOLEAN: return "boolean";
	case SE_SCIM_COMPLEX: return "complex";
	case SE_SCIM_REFERENCE: return "reference";
	case SE_SCIM_DATETIME: return "dateTime";
	default: return "string";
	}
}

static json_t *strings(const char *const *list)
{
	json_t *a = json_array();
	for (size_t i = 0; a && list && list[i]; i++)
		json_array_append_new(a, json_string(list[i]));
	return a;
}

static json_t *attribute(const se_scim_attr *a)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:b, s:s, s:b, s:b, s:s, s:s, s:s}", "name", a->name, "type", type_name(a->type),
	              "multiValued", a->multi, "description", a->description, "required", a->required, "caseExact",
	              a->case_exact, "mutability", a->mutability, "returned", a->returned, "uniqueness", a->uniqueness);
	if (!o)
		return NULL;
	if (a->canonical)
		json_object_set_new(o, "canonicalValues", strings(a->canonical));
	if (a->type == SE_SCIM_REFERENCE)
		json_object_set_new(o, "referenceTypes", strings(a->ref_types));
	if (a->type == SE_SCIM_COMPLEX) {
		json_t *subs = json_array();
		for (size_t i = 0; subs && i < a->n_subs; i++)
			json_array_append_new(subs, attribute(&a->subs[i]));
		json_object_set_new(o, "subAttributes", subs);
	}
	return o;
}

static json_t *schema(se_scim_req *r, const se_scim_schema *s)
{
	char *loc = se_asprintf("%s/Schemas/%s", r->base, s->urn);
	json_t *attrs = json_array();
	for (size_t i = 0; attrs && i < s->n_attrs; i++) {
		/* id is common to every resource (RFC 7643 3.1), not an attribute of the schema. */
		if (strcmp(s->attrs[i].name, "id") == 0)
			continue;
		json_array_append_new(attrs, attribute(&s->attrs[i]));
	}
	json_t *o = loc && attrs ? json_pack("{s:[s], s:s, s:s, s:s, s:O, s:{s:s, s:s}}", "schemas",
	                                     "urn:ietf:params:scim:schemas:core:2.0:Schema", "id", s->urn, "name",
	                                     s->name, "description", s->description, "attributes", attrs, "meta",
	                                     "resourceType", "Schema", "location", loc)
	                         : NULL;
	json_decref(attrs);
	free(loc);
	return o;
}

/* One named item or the ListResponse of all. */
static int named_or_list(se_scim_req *r, json_t *all, json_t *(*id_of)(json_t *))
{
	if (!all)
		return se_scim_req_internal(r);
	if (*r->id) {
		size_t i;
		json_t *v;
		json_array_foreach (all, i, v) {
			if (strcasecmp(json_string_value(id_of(v)), r->id) == 0) {
				r->out = json_incref(v);
				json_decref(all);
				r->status = 200;
				return 0;
			}
		}
		json_decref(all);
		return se_scim_req_fail(r, 404, NULL, "%s is not known here.", r->id);
	}
	long n = (long)json_array_size(all);
	r->out = se_scim_list(all, n, 1);
	r->status = 200;
	return r->out ? 0 : se_scim_req_internal(r);
}

static json_t *id_of(json_t *v)
{
	return json_object_get(v, "id");
}

int se_scim_resource_types(se_scim_req *r)
{
	if (no_filter(r) < 0)
		return -1;
	json_t *all = json_array();
	if (all) {
		json_array_append_new(all, resource_type(r, &se_scim_user_type));
		json_array_append_new(all, resource_type(r, &se_scim_group_type));
	}
	return named_or_list(r, all, id_of);
}

int se_scim_schemas(se_scim_req *r)
{
	if (no_filter(r) < 0)
		return -1;
	json_t *all = json_array();
	if (all) {
		json_array_append_new(all, schema(r, &se_scim_user_schema));
		json_array_append_new(all, schema(r, &se_scim_enterprise_schema));
		json_array_append_new(all, schema(r, &se_scim_group_schema));
	}
	return named_or_list(r, all, id_of);
}
