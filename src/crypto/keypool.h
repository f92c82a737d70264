/* RSA-2048 keys generated ahead of demand on background threads: a small bounded FIFO pool, refilled while the server
 * is idle (at once when it runs low or someone waits), so that a request never waits for a key generation on its own
 * thread. The pool owns its threads and the
 * keys it holds; a key taken out belongs to the taker (EVP_PKEY_free). Every function is safe from any thread. */
#ifndef SE_CRYPTO_KEYPOOL_H
#define SE_CRYPTO_KEYPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/types.h>

typedef struct se_keypool se_keypool;

/* Keys held ready by the server's pool. */
#define SE_KEYPOOL_SIZE 16

/* A request for one call back once a key is ready. The caller owns the node and keeps it alive until fn has been
 * called (which always happens, at the latest in se_keypool_free()). fn runs on a pool thread or in the caller of
 * se_keypool_notify() / se_keypool_free(), outside the pool's lock, and must be quick. */
typedef struct se_keypool_waiter {
	void (*fn)(void *arg);
	void *arg;
	struct se_keypool_waiter *next; /* the pool's */
} se_keypool_waiter;

/* Starts a pool of cap keys (1 to 1024). seeded: one generator thread whose keys come from its own deterministic
 * stream derived from seed (crypto/rand.h), so that the n-th key taken is the same run after run, whatever the
 * timing; otherwise threads generator threads at normal priority (0: one per online core), which work while the pool is
 * below a quarter of cap or someone waits, and as many at the lowest priority filling the rest while the server is
 * idle, all drawing from OpenSSL. On success *ret is the
 * pool, freed with se_keypool_free(). Returns 0, SE_EINVAL, SE_ENOMEM or SE_ECRYPTO. */
int se_keypool_new(size_t cap, unsigned threads, bool seeded, uint64_t seed, se_keypool **ret);

/* Takes the oldest key: on success *ret is the caller's. Returns 0, SE_EAGAIN when the pool is empty right now
 * (se_keypool_notify() says when to try again), or SE_ECRYPTO once the pool is stopped or its generation fails. */
int se_keypool_take(se_keypool *p, EVP_PKEY **ret);

/* Waits until the pool holds a key or is stopped. Only for callers without a connection to suspend (unit tests, the
 * fuzzer): never on a server thread. */
void se_keypool_wait(se_keypool *p);

/* Puts a key taken by se_keypool_take() and not used back at the front, so that the order keys are used in stays
 * the order they were made in. Takes ownership; the pool may hold one more key than cap for a moment. */
void se_keypool_unget(se_keypool *p, EVP_PKEY *key);

/* Calls w->fn(w->arg) once, when a key is ready: right now when one already is (or the pool is stopped), otherwise
 * when the next key is made. Waiters are served first come, first served, one per key. */
void se_keypool_notify(se_keypool *p, se_keypool_waiter *w);

/* Drops the keys held; a seeded pool restarts its stream, so that what is taken next is what a new pool would hand
 * out first (POST /_emulator/reset). A key being generated when this is called is discarded. */
void se_keypool_restart(se_keypool *p);

/* Keys held right now. */
size_t se_keypool_count(se_keypool *p);

/* Stops generating: waiters are called back and se_keypool_take() fails from then on; returns once the threads
 * have ended (within one key generation). Safe to call twice. */
void se_keypool_stop(se_keypool *p);

/* Stops the pool (se_keypool_stop()) and frees it with its keys. NULL is allowed. */
void se_keypool_free(se_keypool *p);

#endif
