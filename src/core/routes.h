/* The route table: every API operation on both surfaces. Static, read-only data; nothing to free. */
#ifndef SE_ROUTES_H
#define SE_ROUTES_H

#include <stddef.h>

#include "request/router.h"

extern const se_route se_routes[];
extern const size_t se_routes_count;

#endif
