/* The SCIM filter grammar of RFC 7644 3.4.2.2 by recursive descent: or of ands of unary terms,
 * `not (...)`, parentheses, value paths, comparisons and `pr`; then evaluation over jansson values. */
#include "scim/filter.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum node_kind { N_AND, N_OR, N_NOT, N_CMP, N_PR, N_VALPATH } node_kind;
typedef enum cmp_op { OP_EQ, OP_NE, OP_CO, OP_SW, OP_EW, OP_GT, OP_GE, OP_LT, OP_LE } cmp_op;

typedef struct node {
	node_kind kind;
	struct node *l, *r; /* and/or operands; not: l; value path: l is the inner filter */
	se_scim_apath path; /* the attribute compared (value path: the multi-valued one) */
	bool exact;         /* caseExact comparison */
	cmp_op op;
	json_t *value;
	bool has_tail; /* value path followed by .sub op value (or .sub pr) */
	bool tail_pr;
} node;

struct se_scim_filter {
	node *root;
	const se_scim_rtype *rt;
	bool element; /* a value filter: names are sub-attributes of the element */
};

typedef struct parser {
	const se_scim_rtype *rt;
	const se_scim_attr *parent;
	const char *s;
	size_t len, pos;
	int depth, cmps;
	se_scim_error *e;
} parser;

static const char *const op_names[] = {"eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"};

static void node_free(node *n)
{
	if (!n)
		return;
	node_free(n->l);
	node_free(n->r);
	json_decref(n->value);
	free(n);
}

void se_scim_filter_free(se_scim_filter *f)
{
	if (!f)
		return;
	node_free(f->root);
	free(f);
}

static int perr(parser *p, const char *what)
{
	size_t at = p->pos < p->len ? p->pos : p->len;
	size_t tl = 0;
	while (at + tl < p->len && tl < 40 && !isspace((unsigned char)p->s[at + tl]))
		tl++;
	if (at >= p->len)
		return se_scim_fail(p->e, 400, "invalidFilter", "Invalid filter: %s at offset %zu (end of filter).",
		                    what, at);
	return se_scim_fail(p->e, 400, "invalidFilter", "Invalid filter: %s at offset %zu (\"%.*s\").", what, at,
	                    (int)tl, p->s + at);
}

static void skip_ws(parser *p)
{
	while (p->pos < p->len &&
	       (p->s[p->pos] == ' ' || p->s[p->pos] == '\t' || p->s[p->pos] == '\n' || p->s[p->pos] == '\r'))
		p->pos++;
}

static bool path_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '$' || c == ':' || c == '.';
}

/* The length of a word (attribute path, operator, logical word) at the position. */
static size_t word_len(const parser *p)
{
	size_t n = 0;
	while (p->pos + n < p->len && path_char(p->s[p->pos + n]))
		n++;
	return n;
}

static bool word_is(const parser *p, const char *w)
{
	size_t n = word_len(p);
	return n == strlen(w) && strncasecmp(p->s + p->pos, w, n) == 0;
}

static node *node_new(parser *p, node_kind k)
{
	node *n = calloc(1, sizeof *n);
	if (!n)
		se_scim_fail(p->e, 500, NULL, "Out of memory.");
	else
		n->kind = k;
	return n;
}

static bool exact_for(const se_scim_apath *ap)
{
	if (ap->has_sub) {
		if (strcmp(ap->subname, "$ref") == 0 || strcasecmp(ap->name, "meta") == 0)
			return true;
		return ap->sub ? ap->sub->case_exact : false;
	}
	return ap->attr ? ap->attr->case_exact : false;
}

/* An attribute name in the current context into *ret. */
static int parse_attr(parser *p, size_t n, se_scim_apath *ret)
{
	if (!p->parent)
		return se_scim_apath_parse(p->rt, p->s + p->pos, n, "invalidFilter", ret, p->e) < 0
		           ? perr(p, "not an attribute path")
		           : 0;
	/* Inside a value filter names are sub-attributes of the parent. */
	se_scim_apath ap;
	memset(&ap, 0, sizeof ap);
	if (n == 0 || n >= sizeof ap.name || memchr(p->s + p->pos, '.', n) || memchr(p->s + p->pos, ':', n))
		return perr(p, "not a sub-attribute name");
	ap.attr = se_scim_sub_find(p->parent, p->s + p->pos, n);
	snprintf(ap.name, sizeof ap.name, "%.*s", (int)n, p->s + p->pos);
	if (ap.attr)
		snprintf(ap.name, sizeof ap.name, "%s", ap.attr->name);
	*ret = ap;
	return 0;
}

/* A comparison value: a JSON string, true, false, null, a number, or a bare word. */
static int parse_value(parser *p, json_t **ret)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return perr(p, "a comparison value is missing");
	if (p->s[p->pos] == '"') {
		size_t i = p->pos + 1;
		while (i < p->len && p->s[i] != '"') {
			if (p->s[i] == '\\')
				i++;
			i++;
		}
		if (i >= p->len)
			return perr(p, "unterminated string");
		json_error_t jerr;
		json_t *v = json_loadb(p->s + p->pos, i + 1 - p->pos, JSON_DECODE_ANY, &jerr);
		if (!json_is_string(v)) {
			json_decref(v);
			return perr(p, "invalid string");
		}
		p->pos = i + 1;
		*ret = v;
		return 0;
	}
	size_t n = 0;
	while (p->pos + n < p->len && (isalnum((unsigned char)p->s[p->pos + n]) || strchr("@._-+:", p->s[p->pos + n])))
		n++;
	if (n == 0)
		return perr(p, "a comparison value is missing");
	char buf[256];
	if (n >= sizeof buf)
		return perr(p, "comparison value too long");
	memcpy(buf, p->s + p->pos, n);
	buf[n] = '\0';
	json_t *v = NULL;
	if (strcasecmp(buf, "true") == 0)
		v = json_true();
	else if (strcasecmp(buf, "false") == 0)
		v = json_false();
	else if (strcasecmp(buf, "null") == 0)
		v = json_null();
	else {
		char *end = NULL;
		if (isdigit((unsigned char)buf[0]) || (buf[0] == '-' && isdigit((unsigned char)buf[1]))) {
			double d = strtod(buf, &end);
			if (end && *end == '\0')
				v = strchr(buf, '.') || strchr(buf, 'e') || strchr(buf, 'E')
				        ? json_real(d)
				        : json_integer((json_int_t)strtoll(buf, NULL, 10));
		}
		if (!v)
			v = json_string(buf);
	}
	if (!v)
		return se_scim_fail(p->e, 500, NULL, "Out of memory.");
	p->pos += n;
	*ret = v;
	return 0;
}

/* After an attribute path: `pr`, or an operator and a value, into n. */
static int parse_cmp_rest(parser *p, node *n)
{
	skip_ws(p);
	if (word_is(p, "pr")) {
		p->pos += 2;
		n->kind = n->kind == N_VALPATH ? N_VALPATH : N_PR;
		if (n->has_tail)
			n->tail_pr = true;
		return 0;
	}
	size_t wl = word_len(p);
	size_t i;
	for (i = 0; i < sizeof op_names / sizeof op_names[0]; i++)
		if (word_is(p, op_names[i]))
			break;
	if (i == sizeof op_names / sizeof op_names[0])
		return perr(p, wl ? "unknown operator" : "an operator is missing");
	p->pos += wl;
	if (++p->cmps > SE_SCIM_FILTER_MAX_CMP) {
		return se_scim_fail(p->e, 400, "invalidFilter", "Invalid filter: more than %d comparisons.",
		                    SE_SCIM_FILTER_MAX_CMP);
	}
	size_t vat = p->pos;
	n->op = (cmp_op)i;
	if (parse_value(p, &n->value) < 0)
		return -1;
	bool ordering = n->op >= OP_GT;
	bool substring = n->op == OP_CO || n->op == OP_SW || n->op == OP_EW;
	if ((ordering && json_is_boolean(n->value)) || (substring && !json_is_string(n->value)) ||
	    (ordering && json_is_null(n->value))) {
		p->pos = vat;
		skip_ws(p);
		return perr(p, "the operator does not apply to this value");
	}
	return 0;
}

static int parse_or(parser *p, node **ret);

static int parse_unary(parser *p, node **ret)
{
	skip_ws(p);
	if (p->pos >= p->len)
		return perr(p, "an expression is missing");
	if (++p->depth > SE_SCIM_FILTER_MAX_DEPTH)
		return se_scim_fail(p->e, 400, "invalidFilter", "Invalid filter: nested deeper than %d levels.",
		                    SE_SCIM_FILTER_MAX_DEPTH);
	int rc = -1;
	node *n = NULL;
	if (p->s[p->pos] == '(') {
		p->pos++;
		if (parse_or(p, &n) < 0)
			goto done;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ')') {
			perr(p, "')' expected");
			goto done;
		}
		p->pos++;
		rc = 0;
		goto done;
	}
	if (word_is(p, "not")) {
		size_t save = p->pos;
		p->pos += 3;
		skip_ws(p);
		if (p->pos < p->len && p->s[p->pos] == '(') {
			node *inner = NULL;
			if (!(n = node_new(p, N_NOT)))
				goto done;
			p->pos++;
			if (parse_or(p, &inner) < 0)
				goto done;
			n->l = inner;
			skip_ws(p);
			if (p->pos >= p->len || p->s[p->pos] != ')') {
				perr(p, "')' expected");
				goto done;
			}
			p->pos++;
			rc = 0;
			goto done;
		}
		p->pos = save;
	}
	size_t wl = word_len(p);
	if (wl == 0) {
		perr(p, "an attribute path is expected");
		goto done;
	}
	/* A value path: the word stops before '['. */
	if (!(n = node_new(p, N_CMP)))
		goto done;
	if (parse_attr(p, wl, &n->path) < 0)
		goto done;
	p->pos += wl;
	if (p->pos < p->len && p->s[p->pos] == '[') {
		if (p->parent) {
			perr(p, "value filters cannot nest");
			goto done;
		}
		if (n->path.has_sub) {
			perr(p, "a value filter follows an attribute, not a sub-attribute");
			goto done;
		}
		n->kind = N_VALPATH;
		p->pos++;
		parser inner = *p;
		inner.parent = n->path.attr;
		static const se_scim_attr unknown = {
		    "", SE_SCIM_COMPLEX, true, false, false, "readWrite", "default", "none", "", NULL, 0, NULL, NULL};
		if (!inner.parent)
			inner.parent = &unknown;
		if (parse_or(&inner, &n->l) < 0)
			goto done;
		p->pos = inner.pos;
		p->cmps = inner.cmps;
		skip_ws(p);
		if (p->pos >= p->len || p->s[p->pos] != ']') {
			perr(p, "']' expected");
			goto done;
		}
		p->pos++;
		if (p->pos < p->len && p->s[p->pos] == '.') {
			p->pos++;
			size_t sl = word_len(p);
			if (sl == 0 || sl >= sizeof n->path.subname || memchr(p->s + p->pos, '.', sl)) {
				perr(p, "a sub-attribute name is expected");
				goto done;
			}
			n->path.has_sub = true;
			snprintf(n->path.subname, sizeof n->path.subname, "%.*s", (int)sl, p->s + p->pos);
			n->path.sub = se_scim_sub_find(n->path.attr, p->s + p->pos, sl);
			if (n->path.sub)
				snprintf(n->path.subname, sizeof n->path.subname, "%s", n->path.sub->name);
			p->pos += sl;
			n->has_tail = true;
			n->exact = exact_for(&n->path);
			if (parse_cmp_rest(p, n) < 0)
				goto done;
		}
		rc = 0;
		goto done;
	}
	n->exact = exact_for(&n->path);
	if (parse_cmp_rest(p, n) < 0)
		goto done;
	rc = 0;
done:
	p->depth--;
	if (rc < 0) {
		node_free(n);
		return -1;
	}
	*ret = n;
	return 0;
}

static int parse_and(parser *p, node **ret)
{
	node *l = NULL;
	if (parse_unary(p, &l) < 0)
		return -1;
	for (;;) {
		skip_ws(p);
		size_t save = p->pos;
		if (!word_is(p, "and"))
			break;
		p->pos += 3;
		if (p->pos < p->len && !isspace((unsigned char)p->s[p->pos]) && p->s[p->pos] != '(') {
			p->pos = save;
			break;
		}
		node *r = NULL, *n = node_new(p, N_AND);
		if (!n || parse_unary(p, &r) < 0) {
			free(n);
			node_free(l);
			return -1;
		}
		n->l = l;
		n->r = r;
		l = n;
	}
	*ret = l;
	return 0;
}

static int parse_or(parser *p, node **ret)
{
	node *l = NULL;
	if (parse_and(p, &l) < 0)
		return -1;
	for (;;) {
		skip_ws(p);
		size_t save = p->pos;
		if (!word_is(p, "or"))
			break;
		p->pos += 2;
		if (p->pos < p->len && !isspace((unsigned char)p->s[p->pos]) && p->s[p->pos] != '(') {
			p->pos = save;
			break;
		}
		node *r = NULL, *n = node_new(p, N_OR);
		if (!n || parse_and(p, &r) < 0) {
			free(n);
			node_free(l);
			return -1;
		}
		n->l = l;
		n->r = r;
		l = n;
	}
	*ret = l;
	return 0;
}

int se_scim_filter_parse(const se_scim_rtype *rt, const se_scim_attr *parent, const char *text, size_t len,
                         se_scim_filter **ret, se_scim_error *e)
{
	if (len > SE_SCIM_FILTER_MAX_LEN)
		return se_scim_fail(e, 400, "invalidFilter", "Invalid filter: longer than %d bytes.",
		                    SE_SCIM_FILTER_MAX_LEN);
	if (memchr(text, '\0', len))
		return se_scim_fail(e, 400, "invalidFilter", "Invalid filter: it contains a NUL byte.");
	parser p = {rt, parent, text, len, 0, 0, 0, e};
	node *root = NULL;
	if (parse_or(&p, &root) < 0)
		return -1;
	skip_ws(&p);
	if (p.pos < p.len) {
		node_free(root);
		return perr(&p, "unexpected text");
	}
	se_scim_filter *f = malloc(sizeof *f);
	if (!f) {
		node_free(root);
		return se_scim_fail(e, 500, NULL, "Out of memory.");
	}
	f->root = root;
	f->rt = rt;
	f->element = parent != NULL;
	*ret = f;
	return 0;
}

/* --- evaluation --------------------------------------------------------------------------------- */

static const char *ci_strstr(const char *h, const char *n)
{
	size_t nl = strlen(n);
	for (; *h; h++)
		if (strncasecmp(h, n, nl) == 0)
			return h;
	return nl == 0 ? h : NULL;
}

static int str_cmp(const char *a, const char *b, bool exact)
{
	return exact ? strcmp(a, b) : strcasecmp(a, b);
}

/* Compares one attribute value with the node's operator and value (not for ne). */
static bool cmp_one(const node *n, const json_t *v)
{
	const json_t *x = n->value;
	if (json_is_string(v) && json_is_string(x)) {
		const char *a = json_string_value(v), *b = json_string_value(x);
		size_t al = strlen(a), bl = strlen(b);
		int c;
		switch (n->op) {
		case OP_EQ:
		case OP_NE: return str_cmp(a, b, n->exact) == 0;
		case OP_CO: return n->exact ? strstr(a, b) != NULL : ci_strstr(a, b) != NULL;
		case OP_SW: return al >= bl && (n->exact ? strncmp(a, b, bl) : strncasecmp(a, b, bl)) == 0;
		case OP_EW: return al >= bl && str_cmp(a + al - bl, b, n->exact) == 0;
		default:
			c = str_cmp(a, b, n->exact);
			return n->op == OP_GT ? c > 0 : n->op == OP_GE ? c >= 0 : n->op == OP_LT ? c < 0 : c <= 0;
		}
	}
	if (json_is_number(v) && json_is_number(x)) {
		double a = json_number_value(v), b = json_number_value(x);
		switch (n->op) {
		case OP_EQ:
		case OP_NE: return a == b;
		case OP_GT: return a > b;
		case OP_GE: return a >= b;
		case OP_LT: return a < b;
		case OP_LE: return a <= b;
		default: return false;
		}
	}
	if (json_is_boolean(v) && json_is_boolean(x) && (n->op == OP_EQ || n->op == OP_NE))
		return json_equal(v, x);
	return false;
}

/* The values a path names in v: each element (or its "value") of a multi-valued attribute, the
 * sub-attribute of each element or of a complex value. Appends borrowed values to out. */
static void collect(const se_scim_rtype *rt, const se_scim_apath *ap, const json_t *v, bool element, json_t *out)
{
	const json_t *container = v;
	if (!element && ap->ext && rt->ext)
		container = se_scim_ci_get(v, rt->ext->urn, NULL);
	json_t *a = se_scim_ci_get(container, ap->name, NULL);
	if (!a)
		return;
	size_t n = json_is_array(a) ? json_array_size(a) : 1;
	for (size_t i = 0; i < n; i++) {
		json_t *el = json_is_array(a) ? json_array_get(a, i) : a;
		json_t *x = el;
		if (ap->has_sub)
			x = json_is_object(el) ? se_scim_ci_get(el, ap->subname, NULL) : NULL;
		else if (json_is_object(el))
			x = se_scim_ci_get(el, "value", NULL);
		if (x && !json_is_null(x))
			json_array_append(out, x);
	}
}

static bool eval(const se_scim_rtype *rt, const node *n, const json_t *v, bool element);

static bool eval_values(const node *n, json_t *vals, bool pr)
{
	size_t i;
	json_t *x;
	if (pr) {
		json_array_foreach (vals, i, x)
			if (!se_scim_unassigned(x))
				return true;
		return false;
	}
	bool any = false;
	json_array_foreach (vals, i, x)
		if (cmp_one(n, x)) {
			any = true;
			break;
		}
	return n->op == OP_NE ? !any : any;
}

static bool eval(const se_scim_rtype *rt, const node *n, const json_t *v, bool element)
{
	switch (n->kind) {
	case N_AND: return eval(rt, n->l, v, element) && eval(rt, n->r, v, element);
	case N_OR: return eval(rt, n->l, v, element) || eval(rt, n->r, v, element);
	case N_NOT: return !eval(rt, n->l, v, element);
	case N_CMP:
	case N_PR: {
		json_t *vals = json_array();
		if (!vals)
			return false;
		collect(rt, &n->path, v, element, vals);
		bool r = eval_values(n, vals, n->kind == N_PR);
		json_decref(vals);
		return r;
	}
	case N_VALPATH: {
		const json_t *container = v;
		if (n->path.ext && rt->ext)
			container = se_scim_ci_get(v, rt->ext->urn, NULL);
		json_t *a = se_scim_ci_get(container, n->path.name, NULL);
		size_t cnt = json_is_array(a) ? json_array_size(a) : a ? 1 : 0;
		bool any = false;
		for (size_t i = 0; i < cnt && !any; i++) {
			json_t *el = json_is_array(a) ? json_array_get(a, i) : a;
			if (!json_is_object(el) || !eval(rt, n->l, el, true))
				continue;
			if (!n->has_tail) {
				any = true;
				continue;
			}
			json_t *x = se_scim_ci_get(el, n->path.subname, NULL);
			if (n->tail_pr)
				any = !se_scim_unassigned(x);
			else
				any = x && !json_is_null(x) && cmp_one(n, x);
		}
		if (n->has_tail && !n->tail_pr && n->op == OP_NE)
			return !any;
		return any;
	}
	}
	return false;
}

bool se_scim_filter_match(const se_scim_filter *f, const json_t *v)
{
	return f && eval(f->rt, f->root, v, f->element);
}

static int eq_terms(const node *n, json_t *obj)
{
	if (n->kind == N_AND)
		return eq_terms(n->l, obj) < 0 || eq_terms(n->r, obj) < 0 ? -1 : 0;
	if (n->kind != N_CMP || n->op != OP_EQ || n->path.has_sub || json_is_null(n->value))
		return -1;
	return json_object_set(obj, n->path.name, n->value) < 0 ? -1 : 0;
}

int se_scim_filter_eq_terms(const se_scim_filter *f, json_t *obj)
{
	return eq_terms(f->root, obj);
}
