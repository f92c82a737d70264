/* A bounded cache of rendered JSON text per organization (the body of GET connections), valid until the next
 * committed write: every commit bumps one process-wide generation. The cache owns its copies; lookups hand the
 * caller a malloc'd copy to free. */
#ifndef SE_CACHE_H
#define SE_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Makes everything cached so far stale. Called after every commit (se_db_commit) and when a store
 * opens or closes, so that a store allocated at a freed one's address never sees its entries. */
void se_cache_invalidate(void);

/* The current generation. Read it before reading the data an entry is made from, and store the
 * entry under it: a commit in between then makes the entry stale at once. */
uint64_t se_cache_generation(void);

/* Looks up the text cached for (owner, key) at the current generation. On a hit returns 0 with
 * *ret a malloc'd, NUL-terminated copy the caller frees and *ret_len its length; SE_ENOTFOUND on a
 * miss, SE_ENOMEM when the copy cannot be made. */
int se_cache_get(const void *owner, const char *key, char **ret, size_t *ret_len);

/* Stores a copy of text (len bytes) for (owner, key), made from data read at generation gen. Does
 * nothing when gen is already stale, or when the text or the key is over the limits. Borrows
 * everything it is given. */
void se_cache_put(const void *owner, const char *key, uint64_t gen, const char *text, size_t len);

/* Frees every entry. */
void se_cache_clear(void);

#endif
