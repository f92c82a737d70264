/* The organization cache: a fixed table of slots, one mutex each, a slot chosen by hashing the
 * key; a newer entry for another key in the same slot replaces the old one. Bounded by the entry
 * size and the total size, so memory stays small whatever the number of organizations. */
#include "store/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"

#define SLOTS 256
#define KEY_MAX 128
/* One organization's GET body with ten SAML connections is about 18 kB. */
#define ENTRY_MAX (256 * 1024)
#define TOTAL_MAX (4 * 1024 * 1024)

typedef struct slot {
	pthread_mutex_t lock;
	const void *owner;
	uint64_t gen;
	char key[KEY_MAX];
	char *text;
	size_t len;
} slot;

static slot slots[SLOTS];
static pthread_once_t slots_once = PTHREAD_ONCE_INIT;
/* Starts at 1 so that a zeroed slot never matches. */
static _Atomic uint64_t generation = 1;
static _Atomic size_t total;

static void slots_init(void)
{
	for (size_t i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
}

static slot *slot_for(const void *owner, const char *key)
{
	/* FNV-1a over the key, mixed with the owner's address. */
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)(uintptr_t)owner;
	for (const unsigned char *p = (const unsigned char *)key; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	pthread_once(&slots_once, slots_init);
	return &slots[h % SLOTS];
}

static void slot_drop(slot *s)
{
	if (s->text)
		atomic_fetch_sub(&total, s->len);
	free(s->text);
	s->text = NULL;
	s->len = 0;
	s->owner = NULL;
	s->gen = 0;
	s->key[0] = '\0';
}

void se_cache_invalidate(void)
{
	atomic_fetch_add(&generation, 1);
}

uint64_t se_cache_generation(void)
{
	return atomic_load(&generation);
}

int se_cache_get(const void *owner, const char *key, char **ret, size_t *ret_len)
{
	if (strlen(key) >= KEY_MAX)
		return SE_ENOTFOUND;
	slot *s = slot_for(owner, key);
	int r = SE_ENOTFOUND;
	pthread_mutex_lock(&s->lock);
	if (s->text && s->owner == owner && strcmp(s->key, key) == 0) {
		if (s->gen != atomic_load(&generation)) {
			slot_drop(s);
		} else {
			char *copy = malloc(s->len + 1);
			if (copy) {
				memcpy(copy, s->text, s->len + 1);
				*ret = copy;
				*ret_len = s->len;
				r = 0;
			} else {
				r = SE_ENOMEM;
			}
		}
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

/* Drops the stale entries of every slot, to make room when the total is reached. */
static void sweep(void)
{
	uint64_t now = atomic_load(&generation);
	for (size_t i = 0; i < SLOTS; i++) {
		pthread_mutex_lock(&slots[i].lock);
		if (slots[i].text && slots[i].gen != now)
			slot_drop(&slots[i]);
		pthread_mutex_unlock(&slots[i].lock);
	}
}

void se_cache_put(const void *owner, const char *key, uint64_t gen, const char *text, size_t len)
{
	size_t klen = strlen(key);
	if (klen >= KEY_MAX || len > ENTRY_MAX || gen != atomic_load(&generation))
		return;
	slot *s = slot_for(owner, key);
	if (atomic_load(&total) + len > TOTAL_MAX)
		sweep();
	pthread_mutex_lock(&s->lock);
	slot_drop(s);
	/* Over the total, the entry is not kept; stale entries leave as their slots are reused. */
	if (atomic_fetch_add(&total, len) + len <= TOTAL_MAX) {
		s->text = malloc(len + 1);
		if (s->text) {
			memcpy(s->text, text, len);
			s->text[len] = '\0';
			s->len = len;
			s->owner = owner;
			s->gen = gen;
			memcpy(s->key, key, klen + 1);
		}
	}
	if (!s->text)
		atomic_fetch_sub(&total, len);
	pthread_mutex_unlock(&s->lock);
}

void se_cache_clear(void)
{
	pthread_once(&slots_once, slots_init);
	for (size_t i = 0; i < SLOTS; i++) {
		pthread_mutex_lock(&slots[i].lock);
		slot_drop(&slots[i]);
		pthread_mutex_unlock(&slots[i].lock);
	}
}
