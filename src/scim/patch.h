/* The SCIM PATCH engine (RFC 7644 3.5.2, SCIM.md 4 and 5): add, replace and remove, with and without
 * a path, value filters, and the shapes Okta and Entra send. */
#ifndef SE_SCIM_PATCH_H
#define SE_SCIM_PATCH_H

#include <jansson.h>

#include "scim/attrs.h"

#define SE_SCIM_PATCH_MAX_OPS 1000

/* Applies the operations of a PatchOp body, in order, to doc (a stored document of type rt; changed
 * in place, so pass a copy to keep the original on failure). id is the resource's id: an `id` in a
 * value other than it is 400 mutability. For Groups, removing members a filter does not match is no
 * error. Returns 0, or -1 with *e. */
int se_scim_patch_apply(const se_scim_rtype *rt, json_t *doc, const json_t *body, const char *id, se_scim_error *e);

#endif
