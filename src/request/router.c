/* Matches a method and a raw path against the route table, segment by segment. */
#include "request/router.h"

#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

/* Compares one pattern against path; on a match fills the parameters of m. */
static int match_one(const char *pattern, const char *path, se_route_match *m)
{
	const char *p = pattern, *s = path;
	m->n_params = 0;
	while (*p && *s) {
		if (*p != '/' || *s != '/')
			return 0;
		p++;
		s++;
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		if (*p == '{') {
			if (slen == 0 || slen >= SE_ROUTE_PARAM_MAX || m->n_params >= SE_ROUTE_MAX_PARAMS)
				return 0;
			size_t nlen = plen - 2;
			if (nlen >= sizeof m->names[0])
				return 0;
			memcpy(m->names[m->n_params], p + 1, nlen);
			m->names[m->n_params][nlen] = '\0';
			memcpy(m->values[m->n_params], s, slen);
			m->values[m->n_params][slen] = '\0';
			if (se_percent_decode(m->values[m->n_params]) < 0 || m->values[m->n_params][0] == '\0')
				return 0;
			m->n_params++;
		} else if (plen != slen || memcmp(p, s, plen) != 0) {
			return 0;
		}
		p += plen;
		s += slen;
	}
	return *p == '\0' && *s == '\0';
}

int se_router_match(const se_route *table, size_t n, const char *method, const char *path, se_route_match *ret)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].method, method) != 0)
			continue;
		if (match_one(table[i].pattern, path, ret)) {
			ret->route = &table[i];
			ret->index = i;
			return 0;
		}
	}
	return SE_ENOTFOUND;
}

const char *se_route_param(const se_route_match *m, const char *name)
{
	for (size_t i = 0; i < m->n_params; i++)
		if (strcmp(m->names[i], name) == 0)
			return m->values[i];
	return NULL;
}
