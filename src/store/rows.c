/* The row cache of store/rows.h: a fixed table of slots, one mutex each, chosen by hashing (owner, kind, key); a
 * newer entry in the same slot replaces the older. At most SLOTS rows, each a few hundred bytes. */
#include "store/rows.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

#include "model/model.h"
#include "store/cache.h"
#include "util/errors_code.h"

#define SLOTS 1024
#define KEY_MAX 160

typedef struct slot {
	pthread_mutex_t lock;
	const void *owner; /* NULL: empty */
	se_row_kind kind;
	uint64_t gen;
	char key[KEY_MAX];
	union {
		se_session session;
		se_member member;
		se_org org;
	} row;
} slot;

static slot slots[SLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;

static void slots_init(void)
{
	for (size_t i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

static slot *slot_for(const void *owner, se_row_kind kind, const char *key)
{
	/* FNV-1a over the key, mixed with the owner's address and the kind. */
	uint64_t h = (1469598103934665603ULL ^ (uint64_t)(uintptr_t)owner) * 1099511628211ULL ^ (uint64_t)kind;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	pthread_once(&slots_once, slots_init);
	return &slots[(h ^ (h >> 29)) % SLOTS];
}

static void row_release(se_row_kind kind, void *row)
{
	if (kind == SE_ROW_SESSION)
		se_session_release(row);
	else if (kind == SE_ROW_MEMBER)
		se_member_release(row);
	else
		se_org_release(row);
}

static int row_copy(se_row_kind kind, const void *src, void *ret)
{
	if (kind == SE_ROW_SESSION)
		return se_session_copy(src, ret);
	if (kind == SE_ROW_MEMBER)
		return se_member_copy(src, ret);
	return se_org_copy(src, ret);
}

static void slot_drop(slot *s)
{
	if (s->owner)
		row_release(s->kind, &s->row);
	s->owner = NULL;
	s->gen = 0;
	s->key[0] = '\0';
}

int se_rows_get(const void *owner, se_row_kind kind, const char *key, void *ret)
{
	if (!key || strlen(key) >= KEY_MAX)
		return SE_ENOTFOUND;
	slot *s = slot_for(owner, kind, key);
	int r = SE_ENOTFOUND;
	pthread_mutex_lock(&s->lock);
	if (s->owner == owner && s->kind == kind && strcmp(s->key, key) == 0) {
		if (s->gen == se_cache_generation())
			r = row_copy(kind, &s->row, ret);
		else
			slot_drop(s);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

void se_rows_put(const void *owner, se_row_kind kind, const char *key, uint64_t gen, const void *row)
{
	size_t klen = key ? strlen(key) : KEY_MAX;
	if (klen >= KEY_MAX || gen != se_cache_generation())
		return;
	slot *s = slot_for(owner, kind, key);
	pthread_mutex_lock(&s->lock);
	slot_drop(s);
	if (row_copy(kind, row, &s->row) == 0) {
		s->owner = owner;
		s->kind = kind;
		s->gen = gen;
		memcpy(s->key, key, klen + 1);
	}
	pthread_mutex_unlock(&s->lock);
}

void se_rows_clear(void)
{
	pthread_once(&slots_once, slots_init);
	for (size_t i = 0; i < SLOTS; i++) {
		pthread_mutex_lock(&slots[i].lock);
		slot_drop(&slots[i]);
		pthread_mutex_unlock(&slots[i].lock);
	}
}
