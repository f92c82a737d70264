/* A bounded cache of the rows authentication reads on every request (sessions by token, members and organizations
 * by id or slug), valid until the next committed write (the generation of store/cache.h). The cache owns its copies;
 * hits hand the caller a deep copy to release. Safe from any thread. */
#ifndef SE_STORE_ROWS_H
#define SE_STORE_ROWS_H

#include <stdint.h>

typedef enum se_row_kind {
	SE_ROW_SESSION,     /* se_session by session_token */
	SE_ROW_MEMBER,      /* se_member by member_id */
	SE_ROW_ORG_ID,      /* se_org by organization_id */
	SE_ROW_ORG_ID_SLUG, /* se_org by organization_id or organization_slug */
} se_row_kind;

/* Copies the row cached for (owner, kind, key) at the current generation into *ret (a struct of the kind's type,
 * which the caller releases). Returns 0, SE_ENOTFOUND on a miss, SE_ENOMEM. */
int se_rows_get(const void *owner, se_row_kind kind, const char *key, void *ret);

/* Keeps a copy of row (borrowed), read at generation gen, for (owner, kind, key). Does nothing when gen is stale,
 * the key is too long or memory is short. */
void se_rows_put(const void *owner, se_row_kind kind, const char *key, uint64_t gen, const void *row);

/* Frees every entry. */
void se_rows_clear(void);

#endif
