/* Token buckets per credential and operation: a hash table with a least-recently-used list, bounded
 * at SE_RATELIMIT_MAX_BUCKETS, under one lock; O(1) work per request. */
#include "core/ratelimit.h"

#include <math.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"

#define SLOTS 16384 /* a power of two; chains of about four when full */

typedef struct bucket {
	struct bucket *next;       /* in its hash slot */
	struct bucket *newer, *older; /* in the LRU list */
	unsigned char key[32];     /* SHA-256 of credential and operation: no token kept in memory */
	double tokens;
	double updated;
} bucket;

struct se_ratelimit {
	pthread_mutex_t lock;
	unsigned requests, seconds;
	size_t count;
	bucket *newest, *oldest;
	bucket *slots[SLOTS];
};

static uint32_t slot_of(const unsigned char key[32])
{
	uint32_t h;
	memcpy(&h, key, sizeof h);
	return h & (SLOTS - 1);
}

int se_ratelimit_new(unsigned requests, unsigned seconds, se_ratelimit **ret)
{
	se_ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return SE_ENOMEM;
	pthread_mutex_init(&rl->lock, NULL);
	rl->requests = requests;
	rl->seconds = seconds ? seconds : 1;
	*ret = rl;
	return 0;
}

static void clear_locked(se_ratelimit *rl)
{
	/* Slot by slot through the buckets, not the whole table: untouched pages stay untouched. */
	for (bucket *b = rl->newest, *next; b; b = next) {
		next = b->older;
		rl->slots[slot_of(b->key)] = NULL;
		free(b);
	}
	rl->newest = rl->oldest = NULL;
	rl->count = 0;
}

void se_ratelimit_free(se_ratelimit *rl)
{
	if (!rl)
		return;
	clear_locked(rl);
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

void se_ratelimit_set(se_ratelimit *rl, unsigned requests, unsigned seconds)
{
	pthread_mutex_lock(&rl->lock);
	rl->requests = requests;
	rl->seconds = seconds ? seconds : 1;
	clear_locked(rl);
	pthread_mutex_unlock(&rl->lock);
}

void se_ratelimit_get(se_ratelimit *rl, unsigned *ret_requests, unsigned *ret_seconds)
{
	pthread_mutex_lock(&rl->lock);
	*ret_requests = rl->requests;
	*ret_seconds = rl->seconds;
	pthread_mutex_unlock(&rl->lock);
}

void se_ratelimit_clear(se_ratelimit *rl)
{
	pthread_mutex_lock(&rl->lock);
	clear_locked(rl);
	pthread_mutex_unlock(&rl->lock);
}

size_t se_ratelimit_count(se_ratelimit *rl)
{
	pthread_mutex_lock(&rl->lock);
	size_t n = rl->count;
	pthread_mutex_unlock(&rl->lock);
	return n;
}

static void refill(const se_ratelimit *rl, bucket *b, double now)
{
	double rate = (double)rl->requests / rl->seconds;
	if (now > b->updated) {
		b->tokens = fmin((double)rl->requests, b->tokens + (now - b->updated) * rate);
		b->updated = now;
	}
}

static void lru_unlink(se_ratelimit *rl, bucket *b)
{
	if (b->newer)
		b->newer->older = b->older;
	else
		rl->newest = b->older;
	if (b->older)
		b->older->newer = b->newer;
	else
		rl->oldest = b->newer;
	b->newer = b->older = NULL;
}

static void lru_push(se_ratelimit *rl, bucket *b)
{
	b->older = rl->newest;
	b->newer = NULL;
	if (rl->newest)
		rl->newest->newer = b;
	rl->newest = b;
	if (!rl->oldest)
		rl->oldest = b;
}

/* Drops the least recently used bucket. */
static void evict_locked(se_ratelimit *rl)
{
	bucket *b = rl->oldest;
	if (!b)
		return;
	for (bucket **p = &rl->slots[slot_of(b->key)]; *p; p = &(*p)->next) {
		if (*p == b) {
			*p = b->next;
			break;
		}
	}
	lru_unlink(rl, b);
	free(b);
	rl->count--;
}

int se_ratelimit_take(se_ratelimit *rl, const char *credential, size_t operation, double now,
		      unsigned *ret_retry_after)
{
	unsigned char key[32];
	/* Off (--rate-limit off): no digest and no bucket. */
	pthread_mutex_lock(&rl->lock);
	bool off = rl->requests == 0;
	pthread_mutex_unlock(&rl->lock);
	if (off)
		return 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) || !EVP_DigestUpdate(md, &operation, sizeof operation) ||
	    !EVP_DigestUpdate(md, credential, strlen(credential)) || !EVP_DigestFinal_ex(md, key, NULL)) {
		EVP_MD_CTX_free(md);
		return 0; /* without a digest, let the request through */
	}
	EVP_MD_CTX_free(md);

	pthread_mutex_lock(&rl->lock);
	int r = 0;
	if (rl->requests == 0)
		goto done;
	bucket **slot = &rl->slots[slot_of(key)], *b;
	for (b = *slot; b; b = b->next)
		if (memcmp(b->key, key, sizeof key) == 0)
			break;
	if (b) {
		lru_unlink(rl, b);
	} else {
		if (rl->count >= SE_RATELIMIT_MAX_BUCKETS)
			evict_locked(rl);
		b = calloc(1, sizeof *b);
		if (!b)
			goto done; /* without memory for a bucket, let the request through */
		memcpy(b->key, key, sizeof key);
		b->tokens = rl->requests;
		b->updated = now;
		b->next = *slot;
		*slot = b;
		rl->count++;
	}
	lru_push(rl, b);
	refill(rl, b, now);
	if (b->tokens >= 1.0) {
		b->tokens -= 1.0;
		goto done;
	}
	double rate = (double)rl->requests / rl->seconds;
	double wait = ceil((1.0 - b->tokens) / rate);
	*ret_retry_after = wait < 1 ? 1 : (unsigned)wait;
	r = SE_ELIMIT;
done:
	pthread_mutex_unlock(&rl->lock);
	return r;
}
