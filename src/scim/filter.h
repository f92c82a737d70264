/* SCIM filters (RFC 7644 3.4.2.2, SCIM.md 3.7): a parser into a tree with bounded length, depth and
 * comparisons, and its evaluation against a resource or an element of a multi-valued attribute. */
#ifndef SE_SCIM_FILTER_H
#define SE_SCIM_FILTER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "scim/attrs.h"

#define SE_SCIM_FILTER_MAX_LEN 4096
#define SE_SCIM_FILTER_MAX_DEPTH 32
#define SE_SCIM_FILTER_MAX_CMP 100

typedef struct se_scim_filter se_scim_filter;

/* Parses text[0..len). With parent NULL the names are attributes of resource type rt; otherwise
 * sub-attributes of parent (a value filter, as in emails[type eq "work"]). On success *ret is a new
 * tree (free with se_scim_filter_free); on failure returns -1 with *e (400 invalidFilter naming the
 * token and offset). */
int se_scim_filter_parse(const se_scim_rtype *rt, const se_scim_attr *parent, const char *text, size_t len,
                         se_scim_filter **ret, se_scim_error *e);

/* Whether v (a resource as returned, or one element for a value filter) matches. */
bool se_scim_filter_match(const se_scim_filter *f, const json_t *v);

/* Adds to obj the attribute: value pairs of a filter made only of `eq` comparisons joined by `and`
 * (those a new element gets when an add path matches nothing). Returns 0, or -1 when the filter has
 * anything else. */
int se_scim_filter_eq_terms(const se_scim_filter *f, json_t *obj);

void se_scim_filter_free(se_scim_filter *f); /* NULL ok */

#endif
