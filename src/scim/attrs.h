/* The SCIM schemas ssoemu implements (core User, enterprise User, core Group) as tables, with the
 * case-insensitive lookups, attribute paths and value coercions (SCIM.md 3.1-3.3) built on them. */
#ifndef SE_SCIM_ATTRS_H
#define SE_SCIM_ATTRS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define SE_SCIM_URN_USER "urn:ietf:params:scim:schemas:core:2.0:User"
#define SE_SCIM_URN_ENTERPRISE "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
#define SE_SCIM_URN_GROUP "urn:ietf:params:scim:schemas:core:2.0:Group"
#define SE_SCIM_URN_PATCH "urn:ietf:params:scim:api:messages:2.0:PatchOp"
#define SE_SCIM_URN_ERROR "urn:ietf:params:scim:api:messages:2.0:Error"
#define SE_SCIM_URN_LIST "urn:ietf:params:scim:api:messages:2.0:ListResponse"

/* A SCIM failure: HTTP status, scimType (NULL for none) and the detail text. */
typedef struct se_scim_error {
	int status;
	const char *scim_type;
	char detail[512];
} se_scim_error;

/* Records a failure in *e and returns -1. */
int se_scim_fail(se_scim_error *e, int status, const char *scim_type, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

typedef enum se_scim_type {
	SE_SCIM_STRING,
	SE_SCIM_BOOLEAN,
	SE_SCIM_COMPLEX,
	SE_SCIM_REFERENCE,
	SE_SCIM_DATETIME,
} se_scim_type;

/* One attribute with its RFC 7643 characteristics. */
typedef struct se_scim_attr {
	const char *name;
	se_scim_type type;
	bool multi;
	bool case_exact;
	bool required;
	const char *mutability; /* readWrite, readOnly, immutable, writeOnly */
	const char *returned;   /* default, always, never, request */
	const char *uniqueness; /* none, server */
	const char *description;
	const struct se_scim_attr *subs;
	size_t n_subs;
	const char *const *canonical; /* canonicalValues, NULL-terminated; NULL for none */
	const char *const *ref_types; /* referenceTypes for references */
} se_scim_attr;

typedef struct se_scim_schema {
	const char *urn;
	const char *name;
	const char *description;
	const se_scim_attr *attrs;
	size_t n_attrs;
} se_scim_schema;

extern const se_scim_schema se_scim_user_schema;
extern const se_scim_schema se_scim_enterprise_schema;
extern const se_scim_schema se_scim_group_schema;

/* A resource type: its core schema and its extension (NULL for Group). */
typedef struct se_scim_rtype {
	const char *name; /* "User", "Group" */
	const se_scim_schema *core;
	const se_scim_schema *ext;
} se_scim_rtype;

extern const se_scim_rtype se_scim_user_type;
extern const se_scim_rtype se_scim_group_type;

/* The attribute named name (case-insensitive) of s, or NULL. */
const se_scim_attr *se_scim_attr_find(const se_scim_schema *s, const char *name, size_t len);

/* The sub-attribute named name (case-insensitive) of a, or NULL. */
const se_scim_attr *se_scim_sub_find(const se_scim_attr *a, const char *name, size_t len);

/* The value of key name (case-insensitive) in obj, or NULL; *ret_key (may be NULL) gets the stored
 * key. Borrowed. */
json_t *se_scim_ci_get(const json_t *obj, const char *name, const char **ret_key);

/* Deletes key name (case-insensitive) from obj, if there. */
void se_scim_ci_del(json_t *obj, const char *name);

/* A resolved attribute path `[urn:]attr[.sub]`. schema and attr are NULL for an attribute the
 * schemas lack; then name is as given. sub is NULL when there is no sub-attribute or it is unknown;
 * has_sub says whether one was named. */
typedef struct se_scim_apath {
	const se_scim_schema *schema;
	const se_scim_attr *attr;
	const se_scim_attr *sub;
	bool ext;       /* the attribute lives in the extension object */
	bool whole_ext; /* the path is the extension URN itself */
	bool has_sub;
	char name[128];
	char subname[128];
} se_scim_apath;

/* Resolves text[0..len) against rt. An unprefixed name the core schema lacks is looked up in the
 * extension. Returns 0, or -1 when the text is not an attribute path (*e says why, as scim_type
 * given: invalidPath for PATCH, invalidFilter for filters). */
int se_scim_apath_parse(const se_scim_rtype *rt, const char *text, size_t len, const char *scim_type,
                        se_scim_apath *ret, se_scim_error *e);

/* The container of the attribute in doc: doc itself or its extension object (created when create is
 * set; NULL otherwise when absent). Borrowed. */
json_t *se_scim_apath_container(const se_scim_rtype *rt, json_t *doc, const se_scim_apath *p, bool create);

/* Whether a value counts as unassigned: null, "" or []. */
bool se_scim_unassigned(const json_t *v);

/* Coerces a value given for attribute a (SCIM.md 3.3): canonical sub-attribute names, string
 * booleans, an object as a list of one, a bare string as {"value": s}. *ret gets a new reference,
 * or NULL when the value is unassigned. what names the attribute in errors. Returns 0 or -1
 * (invalidValue in *e). */
int se_scim_coerce(const se_scim_attr *a, const json_t *v, const char *what, json_t **ret, se_scim_error *e);

/* Coerces one element of a multi-valued (or one complex) attribute. */
int se_scim_coerce_one(const se_scim_attr *a, const json_t *v, const char *what, json_t **ret, se_scim_error *e);

/* A stored document from a POST or PUT body: known attributes in canonical spelling and coerced,
 * unknown ones as sent; schemas, id, meta, password and read-only attributes dropped. *ret gets a
 * new object. Returns 0 or -1 with *e. */
int se_scim_doc_from_body(const se_scim_rtype *rt, const json_t *body, json_t **ret, se_scim_error *e);

/* At most one element of a multi-valued attribute keeps primary true: the one at index keep. */
void se_scim_one_primary(json_t *arr, size_t keep);

#endif
