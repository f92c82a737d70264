/* SSO discovery: the active SAML and OIDC connections of the organizations that allow an email
 * address's domain. Public: the caller is identified by the public token alone. */
#include <string.h>

#include "handlers/handlers.h"
#include "util/util.h"

/* RFC 5321 caps a forward path at 256 octets; addresses longer than that cannot exist. */
#define EMAIL_MAX 254

/* The domain of an email address (borrowed from email), or NULL when it is not one: exactly one
 * '@', a non-empty local part without spaces, and a domain of dot-separated labels of letters,
 * digits and hyphens. */
static const char *email_domain(const char *email)
{
	const char *at = strchr(email, '@');
	if (!at || at == email || strchr(at + 1, '@') || strlen(email) > EMAIL_MAX)
		return NULL;
	for (const char *p = email; p < at; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return NULL;
	const char *d = at + 1;
	size_t n = strlen(d);
	if (n == 0 || strspn(d, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") != n ||
	    !strchr(d, '.') || d[0] == '.' || d[n - 1] == '.' || strstr(d, ".."))
		return NULL;
	return d;
}

typedef struct found {
	se_db *db;
	json_t *arr;
} found;

static int add(void *ctx, const char *id, const char *name, const char *idp, const char *sso_url)
{
	json_t *c = json_pack("{s:s, s:s, s:s}", "connection_id", id, "display_name", name, "identity_provider", idp);
	if (c && *sso_url && json_object_set_new(c, "sso_url", json_string(sso_url)) < 0) {
		json_decref(c);
		c = NULL;
	}
	return c && json_array_append_new(((found *)ctx)->arr, c) == 0 ? 0 : -1;
}

static int add_saml(void *obj, void *ctx)
{
	const se_saml *c = obj;
	if (strcmp(se_saml_status(c), "active") != 0)
		return 0;
	return add(ctx, c->connection_id, c->display_name, c->identity_provider, c->idp_sso_url);
}

static int add_oidc(void *obj, void *ctx)
{
	const se_oidc *c = obj;
	if (strcmp(se_oidc_status(c), "active") != 0)
		return 0;
	return add(ctx, c->connection_id, c->display_name, c->identity_provider, c->authorization_url);
}

static int add_org(const char *org_id, void *ctx)
{
	found *f = ctx;
	if (se_store_conn_each(f->db, se_kind_get(SE_KIND_SAML), org_id, add_saml, f) != 0 ||
	    se_store_conn_each(f->db, se_kind_get(SE_KIND_OIDC), org_id, add_oidc, f) != 0)
		return -1;
	return 0;
}

int se_h_sso_discovery(se_req *r)
{
	const char *email = se_req_arg(r, "email_address");
	if (!email || !*email)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "email_address is required.");
	const char *domain = email_domain(email);
	if (!domain)
		return se_req_fail(r, SE_ERR_BAD_REQUEST, "email_address %.64s is not a valid email address.", email);
	found f = {r->db, json_array()};
	if (!f.arr || se_store_org_ids_by_domain(r->db, domain, add_org, &f) != 0) {
		json_decref(f.arr);
		return se_req_internal(r);
	}
	r->out = json_pack("{s:o}", "connections", f.arr);
	return r->out ? 0 : se_req_internal(r);
}
