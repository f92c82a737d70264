/* The core User, enterprise User and core Group schemas of RFC 7643 (sections 4 and 8.7) as tables,
 * and the lookups, paths and coercions built on them. */
#include "scim/attrs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

int se_scim_fail(se_scim_error *e, int status, const char *scim_type, const char *fmt, ...)
{
	e->status = status;
	e->scim_type = scim_type;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(e->detail, sizeof e->detail, fmt, ap);
	va_end(ap);
	return -1;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define STR(n, d)                                                                                                      \
	{                                                                                                              \
		n, SE_SCIM_STRING, false, false, false, "readWrite", "default", "none", d, NULL, 0, NULL, NULL         \
	}
#define STRX(n, d)                                                                                                     \
	{                                                                                                              \
		n, SE_SCIM_STRING, false, true, false, "readWrite", "default", "none", d, NULL, 0, NULL, NULL          \
	}
#define BOOL(n, d)                                                                                                     \
	{                                                                                                              \
		n, SE_SCIM_BOOLEAN, false, false, false, "readWrite", "default", "none", d, NULL, 0, NULL, NULL        \
	}
#define CANON(n, d, c)                                                                                                 \
	{                                                                                                              \
		n, SE_SCIM_STRING, false, false, false, "readWrite", "default", "none", d, NULL, 0, c, NULL            \
	}
#define REF(n, d, t)                                                                                                   \
	{                                                                                                              \
		n, SE_SCIM_REFERENCE, false, false, false, "readWrite", "default", "none", d, NULL, 0, NULL, t         \
	}

static const char *const ref_external[] = {"external", NULL};
static const char *const ref_user_group[] = {"User", "Group", NULL};
static const char *const ref_user[] = {"User", NULL};
static const char *const email_types[] = {"work", "home", "other", NULL};
static const char *const phone_types[] = {"work", "home", "mobile", "fax", "pager", "other", NULL};
static const char *const im_types[] = {"aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo", NULL};
static const char *const photo_types[] = {"photo", "thumbnail", NULL};
static const char *const address_types[] = {"work", "home", "other", NULL};
static const char *const group_types[] = {"direct", "indirect", NULL};
static const char *const member_types[] = {"User", "Group", NULL};

static const se_scim_attr name_subs[] = {
    STR("formatted",
        "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display."),
    STR("familyName", "The family name of the User, or last name in most Western languages."),
    STR("givenName", "The given name of the User, or first name in most Western languages."),
    STR("middleName", "The middle name(s) of the User."),
    STR("honorificPrefix", "The honorific prefix(es) of the User, or title in most Western languages."),
    STR("honorificSuffix", "The honorific suffix(es) of the User, or suffix in most Western languages."),
};

#define MULTI_SUBS(var, value_desc, types)                                                                             \
	static const se_scim_attr var[] = {                                                                            \
	    STR("value", value_desc),                                                                                  \
	    STR("display", "A human-readable name, primarily used for display purposes."),                             \
	    CANON("type", "A label indicating the attribute's function.", types),                                      \
	    BOOL("primary", "A Boolean value indicating the 'primary' or preferred attribute value for this "          \
	                    "attribute."),                                                                             \
	}

MULTI_SUBS(email_subs, "Email addresses for the user.", email_types);
MULTI_SUBS(phone_subs, "Phone number of the User.", phone_types);
MULTI_SUBS(im_subs, "Instant messaging address for the User.", im_types);
MULTI_SUBS(photo_subs, "URL of a photo of the User.", photo_types);
MULTI_SUBS(plain_subs, "The value of an entitlement, role or certificate.", NULL);

static const se_scim_attr address_subs[] = {
    STR("formatted", "The full mailing address, formatted for display or use with a mailing label."),
    STR("streetAddress", "The full street address component."),
    STR("locality", "The city or locality component."),
    STR("region", "The state or region component."),
    STR("postalCode", "The zip code or postal code component."),
    STR("country", "The country name component."),
    CANON("type", "A label indicating the attribute's function.", address_types),
    BOOL("primary", "A Boolean value indicating the 'primary' or preferred address."),
};

#define RO(n, t, d, c, r)                                                                                              \
	{                                                                                                              \
		n, t, false, false, false, "readOnly", "default", "none", d, NULL, 0, c, r                             \
	}

static const se_scim_attr groups_subs[] = {
    RO("value", SE_SCIM_STRING, "The identifier of the User's group.", NULL, NULL),
    RO("$ref", SE_SCIM_REFERENCE, "The URI of the corresponding 'Group' resource.", NULL, ref_user_group),
    RO("display", SE_SCIM_STRING, "A human-readable name, primarily used for display purposes.", NULL, NULL),
    RO("type", SE_SCIM_STRING, "A label indicating the attribute's function.", group_types, NULL),
};

static const se_scim_attr user_attrs[] = {
    {"id", SE_SCIM_STRING, false, true, false, "readOnly", "always", "server",
     "Unique identifier for the SCIM resource as defined by the service provider.", NULL, 0, NULL, NULL},
    {"externalId", SE_SCIM_STRING, false, true, false, "readWrite", "default", "none",
     "An identifier for the resource as defined by the provisioning client.", NULL, 0, NULL, NULL},
    {"userName", SE_SCIM_STRING, false, false, true, "readWrite", "default", "server",
     "Unique identifier for the User, used by the user to directly authenticate to the service provider.", NULL, 0,
     NULL, NULL},
    {"name", SE_SCIM_COMPLEX, false, false, false, "readWrite", "default", "none",
     "The components of the user's real name.", name_subs, N(name_subs), NULL, NULL},
    STR("displayName", "The name of the User, suitable for display to end-users."),
    STR("nickName", "The casual way to address the user in real life."),
    REF("profileUrl", "A fully qualified URL pointing to a page representing the User's online profile.", ref_external),
    STR("title", "The user's title, such as \"Vice President.\""),
    STR("userType", "Used to identify the relationship between the organization and the user."),
    STR("preferredLanguage", "Indicates the User's preferred written or spoken language."),
    STR("locale", "Used to indicate the User's default location for purposes of localizing items."),
    STR("timezone", "The User's time zone in the 'Olson' time zone database format."),
    BOOL("active", "A Boolean value indicating the User's administrative status."),
    {"emails", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "Email addresses for the user.",
     email_subs, N(email_subs), NULL, NULL},
    {"phoneNumbers", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "Phone numbers for the User.",
     phone_subs, N(phone_subs), NULL, NULL},
    {"ims", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none",
     "Instant messaging addresses for the User.", im_subs, N(im_subs), NULL, NULL},
    {"photos", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "URLs of photos of the User.",
     photo_subs, N(photo_subs), NULL, NULL},
    {"addresses", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none",
     "A physical mailing address for this User.", address_subs, N(address_subs), NULL, NULL},
    {"groups", SE_SCIM_COMPLEX, true, false, false, "readOnly", "default", "none",
     "A list of groups to which the user belongs.", groups_subs, N(groups_subs), NULL, NULL},
    {"entitlements", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none",
     "A list of entitlements for the User.", plain_subs, N(plain_subs), NULL, NULL},
    {"roles", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "A list of roles for the User.",
     plain_subs, N(plain_subs), NULL, NULL},
    {"x509Certificates", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none",
     "A list of certificates issued to the User.", plain_subs, N(plain_subs), NULL, NULL},
};

static const se_scim_attr manager_subs[] = {
    STR("value", "The id of the SCIM resource representing the User's manager."),
    REF("$ref", "The URI of the SCIM resource representing the User's manager.", ref_user),
    RO("displayName", SE_SCIM_STRING, "The displayName of the User's manager.", NULL, NULL),
};

static const se_scim_attr enterprise_attrs[] = {
    STR("employeeNumber", "Numeric or alphanumeric identifier assigned to a person."),
    STR("costCenter", "Identifies the name of a cost center."),
    STR("organization", "Identifies the name of an organization."),
    STR("division", "Identifies the name of a division."),
    STR("department", "Identifies the name of a department."),
    {"manager", SE_SCIM_COMPLEX, false, false, false, "readWrite", "default", "none", "The User's manager.",
     manager_subs, N(manager_subs), NULL, NULL},
};

static const se_scim_attr member_subs[] = {
    {"value", SE_SCIM_STRING, false, false, false, "immutable", "default", "none",
     "Identifier of the member of this Group.", NULL, 0, NULL, NULL},
    {"$ref", SE_SCIM_REFERENCE, false, false, false, "immutable", "default", "none",
     "The URI corresponding to a SCIM resource that is a member of this Group.", NULL, 0, NULL, ref_user_group},
    STR("display", "A human-readable name, primarily used for display purposes."),
    {"type", SE_SCIM_STRING, false, false, false, "immutable", "default", "none",
     "A label indicating the type of resource, e.g., 'User' or 'Group'.", NULL, 0, member_types, NULL},
};

static const se_scim_attr group_attrs[] = {
    {"id", SE_SCIM_STRING, false, true, false, "readOnly", "always", "server",
     "Unique identifier for the SCIM resource as defined by the service provider.", NULL, 0, NULL, NULL},
    {"externalId", SE_SCIM_STRING, false, true, false, "readWrite", "default", "none",
     "An identifier for the resource as defined by the provisioning client.", NULL, 0, NULL, NULL},
    {"displayName", SE_SCIM_STRING, false, false, true, "readWrite", "default", "none",
     "A human-readable name for the Group.", NULL, 0, NULL, NULL},
    {"members", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "A list of members of the Group.",
     member_subs, N(member_subs), NULL, NULL},
};

const se_scim_schema se_scim_user_schema = {SE_SCIM_URN_USER, "User", "User Account", user_attrs, N(user_attrs)};
const se_scim_schema se_scim_enterprise_schema = {SE_SCIM_URN_ENTERPRISE, "EnterpriseUser", "Enterprise User",
                                                  enterprise_attrs, N(enterprise_attrs)};
const se_scim_schema se_scim_group_schema = {SE_SCIM_URN_GROUP, "Group", "Group", group_attrs, N(group_attrs)};

const se_scim_rtype se_scim_user_type = {"User", &se_scim_user_schema, &se_scim_enterprise_schema};
const se_scim_rtype se_scim_group_type = {"Group", &se_scim_group_schema, NULL};

static bool name_eq(const char *a, const char *b, size_t blen)
{
	return strlen(a) == blen && strncasecmp(a, b, blen) == 0;
}

const se_scim_attr *se_scim_attr_find(const se_scim_schema *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->n_attrs; i++)
		if (name_eq(s->attrs[i].name, name, len))
			return &s->attrs[i];
	return NULL;
}

const se_scim_attr *se_scim_sub_find(const se_scim_attr *a, const char *name, size_t len)
{
	for (size_t i = 0; a && i < a->n_subs; i++)
		if (name_eq(a->subs[i].name, name, len))
			return &a->subs[i];
	return NULL;
}

json_t *se_scim_ci_get(const json_t *obj, const char *name, const char **ret_key)
{
	const char *k;
	json_t *v;
	if (!json_is_object(obj))
		return NULL;
	json_object_foreach ((json_t *)obj, k, v) {
		if (strcasecmp(k, name) == 0) {
			if (ret_key)
				*ret_key = k;
			return v;
		}
	}
	return NULL;
}

void se_scim_ci_del(json_t *obj, const char *name)
{
	const char *k = NULL;
	if (se_scim_ci_get(obj, name, &k)) {
		char key[256];
		snprintf(key, sizeof key, "%s", k);
		json_object_del(obj, key);
	}
}

static bool valid_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
	       c == '$';
}

static bool valid_name(const char *s, size_t len)
{
	if (len == 0 || len >= 128)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!valid_name_char(s[i]))
			return false;
	return true;
}

int se_scim_apath_parse(const se_scim_rtype *rt, const char *text, size_t len, const char *scim_type,
                        se_scim_apath *ret, se_scim_error *e)
{
	se_scim_apath p;
	memset(&p, 0, sizeof p);
	const char *s = text;
	size_t n = len;
	const se_scim_schema *forced = NULL;
	const se_scim_schema *known[] = {rt->core, rt->ext};
	if (n >= 4 && strncasecmp(s, "urn:", 4) == 0) {
		for (size_t i = 0; i < 2 && !forced; i++) {
			size_t ul = known[i] ? strlen(known[i]->urn) : 0;
			if (!known[i] || n < ul || strncasecmp(s, known[i]->urn, ul) != 0)
				continue;
			if (n == ul && i == 1) {
				p.schema = known[i];
				p.ext = p.whole_ext = true;
				snprintf(p.name, sizeof p.name, "%s", known[i]->urn);
				*ret = p;
				return 0;
			}
			if (n > ul && s[ul] == ':') {
				forced = known[i];
				s += ul + 1;
				n -= ul + 1;
			}
		}
		if (!forced)
			return se_scim_fail(e, 400, scim_type,
			                    "The attribute path %.*s names a schema this service provider "
			                    "does not have.",
			                    (int)(len > 200 ? 200 : len), text);
	}
	const char *dot = memchr(s, '.', n);
	size_t an = dot ? (size_t)(dot - s) : n;
	if (!valid_name(s, an) || (dot && !valid_name(dot + 1, n - an - 1)))
		return se_scim_fail(e, 400, scim_type, "%.*s is not an attribute path.", (int)(len > 200 ? 200 : len),
		                    text);
	if (forced) {
		p.schema = forced;
		p.attr = se_scim_attr_find(forced, s, an);
		p.ext = forced == rt->ext;
	} else {
		p.attr = se_scim_attr_find(rt->core, s, an);
		p.schema = p.attr ? rt->core : NULL;
		if (!p.attr && rt->ext && (p.attr = se_scim_attr_find(rt->ext, s, an))) {
			p.schema = rt->ext;
			p.ext = true;
		}
	}
	snprintf(p.name, sizeof p.name, "%.*s", (int)an, s);
	if (p.attr)
		snprintf(p.name, sizeof p.name, "%s", p.attr->name);
	if (dot) {
		p.has_sub = true;
		snprintf(p.subname, sizeof p.subname, "%.*s", (int)(n - an - 1), dot + 1);
		if (p.attr && p.attr->type != SE_SCIM_COMPLEX)
			return se_scim_fail(e, 400, scim_type, "%s is a simple attribute: it has no sub-attribute %s.",
			                    p.attr->name, p.subname);
		if (p.attr && (p.sub = se_scim_sub_find(p.attr, p.subname, strlen(p.subname))))
			snprintf(p.subname, sizeof p.subname, "%s", p.sub->name);
	}
	*ret = p;
	return 0;
}

json_t *se_scim_apath_container(const se_scim_rtype *rt, json_t *doc, const se_scim_apath *p, bool create)
{
	if (!p->ext)
		return doc;
	const char *key = NULL;
	json_t *ext = se_scim_ci_get(doc, rt->ext->urn, &key);
	if (json_is_object(ext))
		return ext;
	if (!create)
		return NULL;
	ext = json_object();
	if (!ext || json_object_set_new(doc, rt->ext->urn, ext) < 0)
		return NULL;
	return ext;
}

bool se_scim_unassigned(const json_t *v)
{
	return !v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_array(v) && json_array_size(v) == 0);
}

static int coerce_simple(const se_scim_attr *a, const json_t *v, const char *what, json_t **ret, se_scim_error *e)
{
	if (a->type == SE_SCIM_BOOLEAN) {
		if (json_is_boolean(v)) {
			*ret = json_incref((json_t *)v);
			return 0;
		}
		if (json_is_string(v) && strcasecmp(json_string_value(v), "true") == 0) {
			*ret = json_true();
			return 0;
		}
		if (json_is_string(v) && strcasecmp(json_string_value(v), "false") == 0) {
			*ret = json_false();
			return 0;
		}
		return se_scim_fail(e, 400, "invalidValue", "%s must be a boolean.", what);
	}
	if (!json_is_string(v))
		return se_scim_fail(e, 400, "invalidValue", "%s must be a string.", what);
	*ret = json_incref((json_t *)v);
	return 0;
}

int se_scim_coerce_one(const se_scim_attr *a, const json_t *v, const char *what, json_t **ret, se_scim_error *e)
{
	*ret = NULL;
	if (se_scim_unassigned(v))
		return 0;
	/* A single-valued attribute given a list of one (Entra's manager). */
	if (!a->multi && json_is_array(v)) {
		if (json_array_size(v) != 1)
			return se_scim_fail(e, 400, "invalidValue", "%s takes one value, not a list.", what);
		return se_scim_coerce_one(a, json_array_get(v, 0), what, ret, e);
	}
	if (a->type != SE_SCIM_COMPLEX)
		return coerce_simple(a, v, what, ret, e);
	if (json_is_string(v) && se_scim_sub_find(a, "value", 5)) {
		*ret = json_pack("{s:O}", "value", v);
		return *ret ? 0 : se_scim_fail(e, 500, NULL, "Out of memory.");
	}
	if (!json_is_object(v))
		return se_scim_fail(e, 400, "invalidValue", "%s must be an object.", what);
	json_t *out = json_object();
	const char *k;
	json_t *sv;
	if (!out)
		return se_scim_fail(e, 500, NULL, "Out of memory.");
	json_object_foreach ((json_t *)v, k, sv) {
		const se_scim_attr *sub = se_scim_sub_find(a, k, strlen(k));
		json_t *c = NULL;
		if (!sub) {
			if (!json_is_null(sv))
				json_object_set(out, k, sv);
			continue;
		}
		char sw[300];
		snprintf(sw, sizeof sw, "%s.%s", what, sub->name);
		if (se_scim_coerce_one(sub, sv, sw, &c, e) < 0) {
			json_decref(out);
			return -1;
		}
		if (c)
			json_object_set_new(out, sub->name, c);
	}
	if (json_object_size(out) == 0) {
		json_decref(out);
		return 0;
	}
	*ret = out;
	return 0;
}

void se_scim_one_primary(json_t *arr, size_t keep)
{
	size_t i;
	json_t *el;
	json_array_foreach (arr, i, el) {
		if (i != keep && json_is_true(json_object_get(el, "primary")))
			json_object_set_new(el, "primary", json_false());
	}
}

int se_scim_coerce(const se_scim_attr *a, const json_t *v, const char *what, json_t **ret, se_scim_error *e)
{
	*ret = NULL;
	if (!a->multi)
		return se_scim_coerce_one(a, v, what, ret, e);
	if (se_scim_unassigned(v))
		return 0;
	json_t *out = json_array();
	if (!out)
		return se_scim_fail(e, 500, NULL, "Out of memory.");
	size_t n = json_is_array(v) ? json_array_size(v) : 1;
	size_t last_primary = (size_t)-1;
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_is_array(v) ? json_array_get(v, i) : (json_t *)v, *c = NULL;
		if (se_scim_coerce_one(a, el, what, &c, e) < 0) {
			json_decref(out);
			return -1;
		}
		if (!c)
			continue;
		if (json_is_true(json_object_get(c, "primary")))
			last_primary = json_array_size(out);
		json_array_append_new(out, c);
	}
	if (last_primary != (size_t)-1)
		se_scim_one_primary(out, last_primary);
	if (json_array_size(out) == 0) {
		json_decref(out);
		return 0;
	}
	*ret = out;
	return 0;
}

static bool dropped_key(const se_scim_rtype *rt, const char *k)
{
	if (strcasecmp(k, "schemas") == 0 || strcasecmp(k, "id") == 0 || strcasecmp(k, "meta") == 0 ||
	    strcasecmp(k, "password") == 0)
		return true;
	const se_scim_attr *a = se_scim_attr_find(rt->core, k, strlen(k));
	return a && strcmp(a->mutability, "readOnly") == 0;
}

/* Coerces every key of src into dst against schema s (NULL: kept as sent). */
static int doc_keys(const se_scim_rtype *rt, const se_scim_schema *s, const json_t *src, json_t *dst, se_scim_error *e)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)src, k, v) {
		if (s == rt->core && dropped_key(rt, k))
			continue;
		if (s == rt->core && rt->ext && strcasecmp(k, rt->ext->urn) == 0) {
			if (json_is_null(v))
				continue;
			if (!json_is_object(v))
				return se_scim_fail(e, 400, "invalidValue", "%s must be an object.", rt->ext->urn);
			json_t *ext = json_object();
			if (!ext || doc_keys(rt, rt->ext, v, ext, e) < 0) {
				json_decref(ext);
				return -1;
			}
			if (json_object_size(ext))
				json_object_set_new(dst, rt->ext->urn, ext);
			else
				json_decref(ext);
			continue;
		}
		const se_scim_attr *a = se_scim_attr_find(s, k, strlen(k));
		if (!a) {
			if (!json_is_null(v))
				json_object_set(dst, k, v);
			continue;
		}
		json_t *c = NULL;
		if (se_scim_coerce(a, v, a->name, &c, e) < 0)
			return -1;
		if (c)
			json_object_set_new(dst, a->name, c);
	}
	return 0;
}

int se_scim_doc_from_body(const se_scim_rtype *rt, const json_t *body, json_t **ret, se_scim_error *e)
{
	json_t *doc = json_object();
	if (!doc)
		return se_scim_fail(e, 500, NULL, "Out of memory.");
	if (doc_keys(rt, rt->core, body, doc, e) < 0) {
		json_decref(doc);
		return -1;
	}
	*ret = doc;
	return 0;
}
