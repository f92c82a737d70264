/* The PATCH engine: validates a PatchOp body and applies each operation to a stored document, through
 * the schema tables of attrs.c and the value filters of filter.c. */
#include "scim/patch.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scim/filter.h"

typedef enum patch_op { OP_ADD, OP_REPLACE, OP_REMOVE } patch_op;

static const char *const op_text[] = {"add", "replace", "remove"};

/* Sets key (canonical) in container, dropping any other spelling of it first; v stolen; NULL or
 * unassigned deletes. */
static void put(json_t *container, const char *key, json_t *v)
{
	se_scim_ci_del(container, key);
	if (v && !se_scim_unassigned(v))
		json_object_set_new(container, key, v);
	else
		json_decref(v);
}

static bool same_value(const json_t *a, const json_t *b)
{
	const json_t *va = json_is_object(a) ? se_scim_ci_get(a, "value", NULL) : a;
	const json_t *vb = json_is_object(b) ? se_scim_ci_get(b, "value", NULL) : b;
	return va && vb && json_is_string(va) && json_is_string(vb) &&
	       strcmp(json_string_value(va), json_string_value(vb)) == 0;
}

/* Appends each element of vals to arr, an element with the same value replacing the old one. */
static void merge_multi(json_t *arr, json_t *vals)
{
	size_t i, j;
	json_t *v, *old;
	json_array_foreach (vals, i, v) {
		size_t at = json_array_size(arr);
		json_array_foreach (arr, j, old) {
			if (same_value(old, v)) {
				at = j;
				break;
			}
		}
		if (at < json_array_size(arr))
			json_array_set(arr, at, v);
		else
			json_array_append(arr, v);
		if (json_is_true(json_object_get(v, "primary")))
			se_scim_one_primary(arr, at);
	}
}

/* Merges the sub-attributes of src into dst (both objects). */
static void merge_obj(json_t *dst, const json_t *src)
{
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)src, k, v)
		put(dst, k, json_incref(v));
}

/* Splits "attr[filter].sub" into its parts. Returns 0 (fl = 0 when there is no filter), -1 when the
 * brackets do not close. */
static int split_path(const char *path, size_t *ret_attr_len, const char **ret_filter, size_t *ret_fl,
                      const char **ret_sub)
{
	const char *lb = strchr(path, '[');
	*ret_filter = NULL;
	*ret_fl = 0;
	*ret_sub = NULL;
	if (!lb) {
		*ret_attr_len = strlen(path);
		return strchr(path, ']') ? -1 : 0;
	}
	*ret_attr_len = (size_t)(lb - path);
	bool quoted = false;
	const char *p = lb + 1;
	for (; *p; p++) {
		if (quoted && *p == '\\' && p[1]) {
			p++;
			continue;
		}
		if (*p == '"')
			quoted = !quoted;
		else if (!quoted && *p == ']')
			break;
	}
	if (*p != ']')
		return -1;
	*ret_filter = lb + 1;
	*ret_fl = (size_t)(p - lb - 1);
	if (p[1] == '\0')
		return 0;
	if (p[1] != '.' || !p[2])
		return -1;
	*ret_sub = p + 2;
	return 0;
}

static bool read_only_name(const se_scim_rtype *rt, const char *name)
{
	return strcasecmp(name, "id") == 0 || strcasecmp(name, "meta") == 0 ||
	       (rt == &se_scim_user_type && strcasecmp(name, "groups") == 0);
}

static int apply_path(const se_scim_rtype *rt, json_t *doc, patch_op op, const char *path, const json_t *value,
                      const char *id, se_scim_error *e);

/* add or replace without a path, or on the extension URN: each key of the object on its own. */
static int apply_object(const se_scim_rtype *rt, json_t *doc, patch_op op, const char *prefix, const json_t *value,
                        const char *id, se_scim_error *e)
{
	if (!json_is_object(value))
		return se_scim_fail(e, 400, "invalidValue", "The value of a %s without path must be an object.",
		                    op_text[op]);
	const char *k;
	json_t *v;
	json_object_foreach ((json_t *)value, k, v) {
		if (!prefix && strcasecmp(k, "id") == 0) {
			if (!json_is_string(v) || strcmp(json_string_value(v), id) != 0)
				return se_scim_fail(e, 400, "mutability", "id is read-only: it cannot become %s.",
				                    json_is_string(v) ? json_string_value(v) : "another value");
			continue;
		}
		if (!prefix && (strcasecmp(k, "schemas") == 0 || read_only_name(rt, k)))
			continue;
		if (!prefix && rt->ext && strcasecmp(k, rt->ext->urn) == 0) {
			if (json_is_null(v))
				continue;
			if (apply_object(rt, doc, op, rt->ext->urn, v, id, e) < 0)
				return -1;
			continue;
		}
		char full[600];
		snprintf(full, sizeof full, "%s%s%s", prefix ? prefix : "", prefix ? ":" : "", k);
		if (apply_path(rt, doc, op, full, v, id, e) < 0)
			return -1;
	}
	return 0;
}

/* The sub-attribute value for sub (NULL when unknown: taken as sent). New reference or NULL for
 * unassigned. */
static int sub_value(const se_scim_apath *ap, const json_t *value, json_t **ret, se_scim_error *e)
{
	char what[300];
	snprintf(what, sizeof what, "%s.%s", ap->name, ap->subname);
	if (ap->sub)
		return se_scim_coerce_one(ap->sub, value, what, ret, e);
	*ret = se_scim_unassigned(value) ? NULL : json_incref((json_t *)value);
	return 0;
}

/* Writes (or, for v NULL, removes) sub in element el. */
static void set_sub(json_t *el, const char *sub, json_t *v)
{
	put(el, sub, v);
}

/* The operation on a known multi-valued attribute with a value filter. */
static int apply_filtered(const se_scim_rtype *rt, json_t *container, patch_op op, const se_scim_apath *ap,
                          const char *ftext, size_t fl, const json_t *value, se_scim_error *e)
{
	const se_scim_attr *a = ap->attr;
	se_scim_filter *f = NULL;
	json_t *cur = se_scim_ci_get(container, a->name, NULL), *matched = NULL, *newv = NULL;
	int rc = -1;
	if (se_scim_filter_parse(rt, a, ftext, fl, &f, e) < 0) {
		e->scim_type = "invalidPath";
		return -1;
	}
	if (!(matched = json_array()))
		goto oom;
	size_t i;
	json_t *el;
	json_array_foreach (cur, i, el)
		if (json_is_object(el) && se_scim_filter_match(f, el))
			json_array_append_new(matched, json_integer((json_int_t)i));
	bool lenient = rt == &se_scim_group_type && strcmp(a->name, "members") == 0;
	size_t n = json_array_size(matched);
	if (op == OP_REMOVE) {
		if (n == 0) {
			if (!lenient)
				se_scim_fail(e, 400, "noTarget", "No value of %s matches the filter %.*s.", a->name,
				             (int)fl, ftext);
			rc = lenient ? 0 : -1;
			goto done;
		}
		for (size_t k = n; k-- > 0;) {
			size_t at = (size_t)json_integer_value(json_array_get(matched, k));
			if (ap->has_sub)
				set_sub(json_array_get(cur, at), ap->subname, NULL);
			else
				json_array_remove(cur, at);
		}
		rc = 0;
		goto done;
	}
	if (n == 0) {
		bool absent = !cur || json_array_size(cur) == 0;
		if (op == OP_REPLACE && !absent) {
			se_scim_fail(e, 400, "noTarget", "No value of %s matches the filter %.*s.", a->name, (int)fl,
			             ftext);
			goto done;
		}
		json_t *fresh = json_object();
		if (!fresh)
			goto oom;
		if (!ap->has_sub || se_scim_filter_eq_terms(f, fresh) < 0) {
			json_decref(fresh);
			se_scim_fail(e, 400, "noTarget", "No value of %s matches the filter %.*s.", a->name, (int)fl,
			             ftext);
			goto done;
		}
		json_t *coerced = NULL;
		if (sub_value(ap, value, &newv, e) < 0 ||
		    (newv && (json_object_set(fresh, ap->subname, newv), false)) ||
		    se_scim_coerce_one(a, fresh, a->name, &coerced, e) < 0) {
			json_decref(fresh);
			goto done;
		}
		json_decref(fresh);
		if (coerced) {
			if (!cur) {
				cur = json_array();
				if (!cur) {
					json_decref(coerced);
					goto oom;
				}
				json_object_set_new(container, a->name, cur);
			}
			json_array_append_new(cur, coerced);
			if (json_is_true(json_object_get(coerced, "primary")))
				se_scim_one_primary(cur, json_array_size(cur) - 1);
		}
		rc = 0;
		goto done;
	}
	if (ap->has_sub) {
		if (sub_value(ap, value, &newv, e) < 0)
			goto done;
	} else {
		if (se_scim_coerce_one(a, value, a->name, &newv, e) < 0)
			goto done;
	}
	for (size_t k = n; k-- > 0;) {
		size_t at = (size_t)json_integer_value(json_array_get(matched, k));
		json_t *target = json_array_get(cur, at);
		if (ap->has_sub) {
			set_sub(target, ap->subname, newv ? json_incref(newv) : NULL);
			if (newv && strcmp(ap->subname, "primary") == 0 && json_is_true(newv))
				se_scim_one_primary(cur, at);
		} else if (op == OP_ADD) {
			if (newv)
				merge_obj(target, newv);
		} else if (newv) {
			json_array_set_new(cur, at, json_deep_copy(newv));
		} else {
			json_array_remove(cur, at);
		}
	}
	rc = 0;
	goto done;
oom:
	se_scim_fail(e, 500, NULL, "Out of memory.");
done:
	if (cur && json_is_array(cur) && json_array_size(cur) == 0)
		se_scim_ci_del(container, a->name);
	json_decref(newv);
	json_decref(matched);
	se_scim_filter_free(f);
	return rc;
}

/* remove with a value list: the elements whose value is one given. */
static void remove_values(json_t *cur, const json_t *value)
{
	size_t n = json_is_array(value) ? json_array_size(value) : 1;
	for (size_t i = json_array_size(cur); i-- > 0;) {
		for (size_t k = 0; k < n; k++) {
			if (same_value(json_array_get(cur, i),
			               json_is_array(value) ? json_array_get(value, k) : value)) {
				json_array_remove(cur, i);
				break;
			}
		}
	}
}

/* The operation on a known attribute without a filter. */
static int apply_plain(json_t *container, patch_op op, const se_scim_apath *ap, const json_t *value, se_scim_error *e)
{
	const se_scim_attr *a = ap->attr;
	json_t *cur = se_scim_ci_get(container, a->name, NULL), *c = NULL;
	if (ap->has_sub) {
		if (op != OP_REMOVE && sub_value(ap, value, &c, e) < 0)
			return -1;
		if (!a->multi) {
			json_t *obj = json_is_object(cur) ? json_incref(cur) : json_object();
			if (!obj) {
				json_decref(c);
				return se_scim_fail(e, 500, NULL, "Out of memory.");
			}
			set_sub(obj, ap->subname, c);
			put(container, a->name, json_object_size(obj) ? obj : (json_decref(obj), NULL));
			return 0;
		}
		/* A sub-attribute of every element. */
		if ((!cur || json_array_size(cur) == 0) && op != OP_REMOVE) {
			json_t *el = json_object(), *arr = json_array();
			if (!el || !arr) {
				json_decref(el);
				json_decref(arr);
				json_decref(c);
				return se_scim_fail(e, 500, NULL, "Out of memory.");
			}
			set_sub(el, ap->subname, c);
			json_array_append_new(arr, el);
			put(container, a->name, json_object_size(el) ? arr : (json_decref(arr), NULL));
			return 0;
		}
		size_t i;
		json_t *el;
		json_array_foreach (cur, i, el)
			if (json_is_object(el))
				set_sub(el, ap->subname, c ? json_incref(c) : NULL);
		json_decref(c);
		return 0;
	}
	if (op == OP_REMOVE) {
		if (a->multi && json_is_array(cur) && value && !se_scim_unassigned(value)) {
			remove_values(cur, value);
			if (json_array_size(cur) == 0)
				se_scim_ci_del(container, a->name);
			return 0;
		}
		se_scim_ci_del(container, a->name);
		return 0;
	}
	if (se_scim_coerce(a, value, a->name, &c, e) < 0)
		return -1;
	if (!c) {
		se_scim_ci_del(container, a->name);
		return 0;
	}
	if (a->multi && op == OP_ADD && json_is_array(cur)) {
		json_t *arr = json_deep_copy(cur);
		if (!arr) {
			json_decref(c);
			return se_scim_fail(e, 500, NULL, "Out of memory.");
		}
		merge_multi(arr, c);
		json_decref(c);
		put(container, a->name, arr);
		return 0;
	}
	if (!a->multi && a->type == SE_SCIM_COMPLEX && json_is_object(cur) && json_is_object(c)) {
		json_t *obj = json_deep_copy(cur);
		if (!obj) {
			json_decref(c);
			return se_scim_fail(e, 500, NULL, "Out of memory.");
		}
		merge_obj(obj, c);
		json_decref(c);
		put(container, a->name, obj);
		return 0;
	}
	put(container, a->name, c);
	return 0;
}

static int apply_path(const se_scim_rtype *rt, json_t *doc, patch_op op, const char *path, const json_t *value,
                      const char *id, se_scim_error *e)
{
	size_t al = 0, fl = 0;
	const char *ftext = NULL, *sub = NULL;
	if (strlen(path) > 1024 || split_path(path, &al, &ftext, &fl, &sub) < 0)
		return se_scim_fail(e, 400, "invalidPath", "%.200s is not a valid path.", path);
	char apath[1200];
	snprintf(apath, sizeof apath, "%.*s%s%s", (int)al, path, sub ? "." : "", sub ? sub : "");
	se_scim_apath ap;
	if (se_scim_apath_parse(rt, apath, strlen(apath), "invalidPath", &ap, e) < 0)
		return -1;
	if (!ap.schema || ap.schema == rt->core)
		if (read_only_name(rt, ap.name) || (ap.attr && strcmp(ap.attr->mutability, "readOnly") == 0))
			return se_scim_fail(e, 400, "mutability", "%s is read-only.", ap.name);
	if (strcasecmp(ap.name, "schemas") == 0 && !ap.schema)
		return se_scim_fail(e, 400, "invalidPath", "schemas cannot be patched.");
	if (op != OP_REMOVE && !value)
		return se_scim_fail(e, 400, "invalidValue", "The %s operation on %.200s needs a value.", op_text[op],
		                    path);
	if (ap.whole_ext) {
		if (op == OP_REMOVE) {
			se_scim_ci_del(doc, rt->ext->urn);
			return 0;
		}
		if (se_scim_unassigned(value))
			return 0;
		return apply_object(rt, doc, op, rt->ext->urn, value, id, e);
	}
	json_t *container = se_scim_apath_container(rt, doc, &ap, op != OP_REMOVE);
	if (!container) {
		if (op == OP_REMOVE && !ftext)
			return 0;
		if (op == OP_REMOVE)
			return se_scim_fail(e, 400, "noTarget", "%.200s has no value.", path);
		return se_scim_fail(e, 500, NULL, "Out of memory.");
	}
	int rc;
	if (!ap.attr) {
		/* An attribute the schemas lack: kept as sent. */
		if (ftext)
			return se_scim_fail(e, 400, "invalidPath", "%s is not a multi-valued attribute of %s.", ap.name,
			                    rt->name);
		if (ap.has_sub) {
			json_t *obj = se_scim_ci_get(container, ap.name, NULL);
			if (op == OP_REMOVE) {
				if (json_is_object(obj))
					se_scim_ci_del(obj, ap.subname);
				return 0;
			}
			if (!json_is_object(obj)) {
				obj = json_object();
				put(container, ap.name, obj);
			}
			put(obj, ap.subname, json_incref((json_t *)value));
			if (json_object_size(obj) == 0)
				se_scim_ci_del(container, ap.name);
			return 0;
		}
		put(container, ap.name, op == OP_REMOVE ? NULL : json_incref((json_t *)value));
		rc = 0;
	} else if (ftext) {
		if (!ap.attr->multi || ap.attr->type != SE_SCIM_COMPLEX)
			return se_scim_fail(e, 400, "invalidPath", "%s is not a multi-valued complex attribute.",
			                    ap.attr->name);
		rc = apply_filtered(rt, container, op, &ap, ftext, fl, value, e);
	} else {
		rc = apply_plain(container, op, &ap, value, e);
	}
	if (ap.ext && json_object_size(container) == 0)
		se_scim_ci_del(doc, rt->ext->urn);
	return rc;
}

static bool has_urn(const json_t *schemas, const char *urn)
{
	size_t i;
	json_t *s;
	json_array_foreach (schemas, i, s)
		if (json_is_string(s) && strcasecmp(json_string_value(s), urn) == 0)
			return true;
	return false;
}

int se_scim_patch_apply(const se_scim_rtype *rt, json_t *doc, const json_t *body, const char *id, se_scim_error *e)
{
	if (!json_is_object(body))
		return se_scim_fail(e, 400, "invalidSyntax", "The request body must be a JSON object.");
	json_t *schemas = se_scim_ci_get(body, "schemas", NULL);
	if (schemas && !has_urn(schemas, SE_SCIM_URN_PATCH))
		return se_scim_fail(e, 400, "invalidSyntax", "schemas must hold " SE_SCIM_URN_PATCH ".");
	json_t *ops = se_scim_ci_get(body, "Operations", NULL);
	if (!json_is_array(ops) || json_array_size(ops) == 0)
		return se_scim_fail(e, 400, "invalidSyntax", "Operations must be a non-empty array.");
	if (json_array_size(ops) > SE_SCIM_PATCH_MAX_OPS)
		return se_scim_fail(e, 400, "invalidSyntax", "Operations holds more than %d operations.",
		                    SE_SCIM_PATCH_MAX_OPS);
	size_t i;
	json_t *o;
	json_array_foreach (ops, i, o) {
		if (!json_is_object(o))
			return se_scim_fail(e, 400, "invalidSyntax", "Operations[%zu] must be an object.", i);
		json_t *opv = se_scim_ci_get(o, "op", NULL), *pathv = se_scim_ci_get(o, "path", NULL);
		json_t *value = se_scim_ci_get(o, "value", NULL);
		const char *opt = json_string_value(opv);
		patch_op op;
		if (opt && strcasecmp(opt, "add") == 0)
			op = OP_ADD;
		else if (opt && strcasecmp(opt, "replace") == 0)
			op = OP_REPLACE;
		else if (opt && strcasecmp(opt, "remove") == 0)
			op = OP_REMOVE;
		else
			return se_scim_fail(e, 400, "invalidSyntax",
			                    "Operations[%zu].op must be add, replace or remove.", i);
		if (pathv && !json_is_null(pathv) && !json_is_string(pathv))
			return se_scim_fail(e, 400, "invalidPath", "Operations[%zu].path must be a string.", i);
		const char *path = json_string_value(pathv);
		if (path && !*path)
			path = NULL;
		int rc;
		if (!path) {
			if (op == OP_REMOVE)
				return se_scim_fail(e, 400, "noTarget", "Operations[%zu]: remove needs a path.", i);
			if (!value)
				return se_scim_fail(e, 400, "invalidValue", "Operations[%zu]: %s needs a value.", i,
				                    op_text[op]);
			rc = apply_object(rt, doc, op, NULL, value, id, e);
		} else {
			rc = apply_path(rt, doc, op, path, value, id, e);
		}
		if (rc < 0)
			return -1;
	}
	return 0;
}
