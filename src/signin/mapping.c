/* The attribute mapping of SAML assertions (SIGNIN.md section 2, Attributes): email, name, groups,
 * idp_user_id, trusted metadata and the registration's sso_attributes. */
#include "signin/mapping.h"

#include <stdlib.h>
#include <string.h>

#include "util/util.h"

/* The first value of attribute name, or NULL. */
static const char *attr1(const json_t *attrs, const char *name)
{
	return name ? json_string_value(json_array_get(json_object_get(attrs, name), 0)) : NULL;
}

bool se_signin_valid_email(const char *e)
{
	const char *at = e ? strchr(e, '@') : NULL;
	return at && at != e && at[1] && !strchr(at + 1, '@') && strlen(e) <= 254;
}

/* Identity from the attributes through attribute_mapping (section 2, Attributes). */
void se_signin_mapped_release(se_signin_mapped *m)
{
	free(m->email);
	free(m->name);
	free(m->external_id);
	json_decref(m->groups);
	json_decref(m->trusted);
	json_decref(m->sso_attributes);
}

static const char *mapped_key(const json_t *mapping, const char *key)
{
	return se_json_str(mapping, key);
}

se_error_id se_signin_map_saml(const se_saml_assertion *a, const json_t *mapping, se_signin_mapped *m, const char **why)
{
	memset(m, 0, sizeof *m);
	const char *email_attr = mapped_key(mapping, "email");
	const char *email = NULL;
	if (email_attr && strcmp(email_attr, "NameID") == 0)
		email = a->nameid;
	else
		email = attr1(a->attributes, email_attr);
	bool email_format = !*a->nameid_format || strcmp(a->nameid_format, SE_SAML_NAMEID_EMAIL) == 0;
	if (!email && email_format)
		email = a->nameid;
	*why = "the assertion has no valid email address";
	if (!se_signin_valid_email(email))
		return SE_ERR_SI_INVALID_SAML_RESPONSE_EMAIL;
	const char *full = attr1(a->attributes, mapped_key(mapping, "full_name"));
	const char *first = attr1(a->attributes, mapped_key(mapping, "first_name"));
	const char *last = attr1(a->attributes, mapped_key(mapping, "last_name"));
	m->email = strdup(email);
	m->name = full ? strdup(full)
	          : first || last
	              ? se_asprintf("%s%s%s", first ? first : "", first && last ? " " : "", last ? last : "")
	              : strdup("");
	const char *groups_attr = mapped_key(mapping, "groups");
	*why = "the groups attribute has element content";
	size_t i;
	json_t *v;
	json_array_foreach (a->element_valued, i, v) {
		if (groups_attr && strcmp(json_string_value(v), groups_attr) == 0)
			return SE_ERR_SI_INVALID_SAML_RESPONSE_GROUPS;
	}
	json_t *g = groups_attr ? json_object_get(a->attributes, groups_attr) : NULL;
	m->groups = g ? json_deep_copy(g) : json_array();
	const char *ext = attr1(a->attributes, mapped_key(mapping, "idp_user_id"));
	bool transient = strcmp(a->nameid_format, SE_SAML_NAMEID_TRANSIENT) == 0;
	m->external_id = strdup(ext ? ext : transient || !*a->nameid ? email : a->nameid);
	m->trusted = json_object();
	const char *k;
	json_object_foreach ((json_t *)mapping, k, v) {
		static const char *const known[] = {"email",  "full_name",   "first_name", "last_name",
		                                    "groups", "idp_user_id", NULL};
		json_t *vals = json_is_string(v) ? json_object_get(a->attributes, json_string_value(v)) : NULL;
		if (se_str_in(k, known) || !vals)
			continue;
		json_object_set(m->trusted, k, json_array_size(vals) == 1 ? json_array_get(vals, 0) : vals);
	}
	m->sso_attributes = json_object();
	json_object_foreach (a->attributes, k, v)
		json_object_set(m->sso_attributes, k, json_array_size(v) == 1 ? json_array_get(v, 0) : v);
	*why = "internal error";
	if (!m->email || !m->name || !m->groups || !m->external_id || !m->trusted || !m->sso_attributes)
		return SE_ERR_INTERNAL;
	return SE_ERR_NONE;
}
