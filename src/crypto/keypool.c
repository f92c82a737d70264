/* The pool of RSA-2048 keys made ahead of demand (crypto/keypool.h): generator threads, the FIFO they fill, and the
 * waiters called back when a key is ready. */
#include "crypto/keypool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include "crypto/drbg.h"
#include "crypto/rand.h"
#include "util/errors_code.h"

#define MAX_CAP 1024
#define MAX_THREADS 64
/* Above a quarter of the cap, refilling waits until no key has been taken for this long, so that the generators do
 * not compete for the cores with a burst of requests the pool can still serve. */
#define IDLE_NS (100 * 1000 * 1000L)
/* After this long without a take (or since the start), demand generators fill the rest of the pool too, so that it is
 * full after a few idle seconds even on a machine busy enough to starve the idle generators. */
#define DEMAND_IDLE_S 3

/* mu guards everything but the fields marked otherwise. keys is a ring of cap + 1 slots (one for se_keypool_unget()
 * on a full pool), the oldest at head. restarts moves on every se_keypool_restart(): a key whose generation began
 * before the latest restart is dropped. */
struct se_keypool {
	pthread_mutex_t mu;
	pthread_cond_t space; /* signalled when a slot frees, on restart and on stop */
	pthread_cond_t ready; /* broadcast when a key comes in and on stop (se_keypool_take_wait()) */
	EVP_PKEY **keys;
	size_t slots, head, count, cap;
	size_t making; /* keys being generated: count + making never passes cap */
	size_t low;    /* below count + making = low, refilling starts at once */
	struct timespec last_take; /* CLOCK_MONOTONIC */
	se_keypool_waiter *waiters, *waiters_tail;
	unsigned long restarts;
	atomic_ulong restarts_seen; /* restarts, readable without mu by the abort check */
	atomic_bool stop;           /* readable without mu by the abort check */
	bool failed;
	bool seeded;
	uint64_t seed;
	pthread_t threads[2 * MAX_THREADS];
	unsigned n_threads;
};

/* A generator's role. Demand generators (normal priority) make keys only while the pool is low or someone waits:
 * under sustained demand they run as fast as the cores allow. Idle generators (lowest priority) fill the rest of the
 * pool from time nobody else wants, so that a server that just started, or many at once in a test run, does not
 * slow down everything else on the machine. Under --seed the single generator does both. */
typedef struct gen_arg {
	se_keypool *p;
	bool demand, idle;
} gen_arg;

/* One generator thread's view of the generation in progress, for the abort check. */
typedef struct gen_ctx {
	se_keypool *p;
	unsigned long restarts; /* p->restarts when it began */
} gen_ctx;

/* OpenSSL calls this while it searches for primes; returning 0 abandons the key (stop or restart). */
static int keygen_progress(EVP_PKEY_CTX *ctx)
{
	gen_ctx *g = EVP_PKEY_CTX_get_app_data(ctx);
	return !atomic_load(&g->p->stop) && atomic_load(&g->p->restarts_seen) == g->restarts;
}

/* One RSA-2048 key in the reproducible library context into *ret. Returns 0 or SE_ECRYPTO (also when abandoned). */
static int generate(gen_ctx *g, EVP_PKEY **ret)
{
	OSSL_LIB_CTX *lc = se_crypto_libctx();
	EVP_PKEY_CTX *ctx = lc ? EVP_PKEY_CTX_new_from_name(lc, "RSA", NULL) : NULL;
	int rc = SE_ECRYPTO;
	*ret = NULL;
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0)
		goto out;
	EVP_PKEY_CTX_set_app_data(ctx, g);
	EVP_PKEY_CTX_set_cb(ctx, keygen_progress);
	if (EVP_PKEY_generate(ctx, ret) <= 0)
		goto out;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* Detaches the first waiter, if any and if a key is ready or the pool stopped; the caller calls it outside mu. */
static se_keypool_waiter *pop_waiter(se_keypool *p)
{
	se_keypool_waiter *w = p->waiters;
	if (!w || (p->count == 0 && !atomic_load(&p->stop) && !p->failed))
		return NULL;
	p->waiters = w->next;
	if (!p->waiters)
		p->waiters_tail = NULL;
	w->next = NULL;
	return w;
}

static void clear_keys(se_keypool *p)
{
	while (p->count > 0) {
		EVP_PKEY_free(p->keys[p->head]);
		p->keys[p->head] = NULL;
		p->head = (p->head + 1) % p->slots;
		p->count--;
	}
}

/* Whether generator a should start another key now; otherwise *ret_until (when not zero) is when to look again. */
static bool should_generate(const gen_arg *a, struct timespec *ret_until)
{
	se_keypool *p = a->p;
	size_t have = p->count + p->making;
	ret_until->tv_sec = 0;
	if (have >= p->cap)
		return false;
	if (have < p->low || p->waiters)
		return a->demand;
	struct timespec until = p->last_take, now;
	if (a->idle)
		until.tv_nsec += IDLE_NS;
	else
		until.tv_sec += DEMAND_IDLE_S;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec && now.tv_nsec >= until.tv_nsec))
		return true;
	*ret_until = until;
	return false;
}

static void *generator(void *arg)
{
	gen_arg *a = arg;
	se_keypool *p = a->p;
	unsigned long stream_restarts = 0;
	bool have_stream = false;
	int failures = 0;

	/* The lowest priority for this thread only (Linux, per-thread nice); best effort. */
	if (!a->demand)
		(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19);
	pthread_mutex_lock(&p->mu);
	for (;;) {
		struct timespec until;
		while (!atomic_load(&p->stop) && !should_generate(a, &until)) {
			if (until.tv_sec)
				pthread_cond_timedwait(&p->space, &p->mu, &until);
			else
				pthread_cond_wait(&p->space, &p->mu);
		}
		if (atomic_load(&p->stop))
			break;
		p->making++;
		gen_ctx g = {p, p->restarts};
		bool restart_stream = p->seeded && (!have_stream || stream_restarts != g.restarts);
		pthread_mutex_unlock(&p->mu);

		int rc = 0;
		if (restart_stream) {
			rc = se_crypto_thread_stream_begin(p->seed, "keypool");
			have_stream = rc == 0;
			stream_restarts = g.restarts;
		}
		EVP_PKEY *key = NULL;
		if (rc == 0)
			rc = generate(&g, &key);

		pthread_mutex_lock(&p->mu);
		p->making--;
		se_keypool_waiter *w = NULL;
		if (rc == 0 && p->restarts == g.restarts && !atomic_load(&p->stop)) {
			p->keys[(p->head + p->count) % p->slots] = key;
			p->count++;
			key = NULL;
			failures = 0;
			pthread_cond_broadcast(&p->ready);
			w = pop_waiter(p);
		} else if (rc < 0 && p->restarts == g.restarts && !atomic_load(&p->stop) && ++failures >= 3) {
			/* A generator that keeps failing would spin: the pool fails closed and its waiters hear of it. */
			p->failed = true;
			atomic_store(&p->stop, true);
			pthread_cond_broadcast(&p->space);
			pthread_cond_broadcast(&p->ready);
		}
		bool failed = p->failed;
		pthread_mutex_unlock(&p->mu);
		EVP_PKEY_free(key);
		if (w)
			w->fn(w->arg);
		while (failed) {
			pthread_mutex_lock(&p->mu);
			w = pop_waiter(p);
			pthread_mutex_unlock(&p->mu);
			if (!w)
				break;
			w->fn(w->arg);
		}
		pthread_mutex_lock(&p->mu);
	}
	pthread_mutex_unlock(&p->mu);
	free(a);
	if (have_stream)
		se_crypto_thread_stream_end();
	/* OpenSSL keeps per-thread state (error queue, DRBGs) that only this call releases before the thread ends. */
	OPENSSL_thread_stop();
	return NULL;
}

int se_keypool_new(size_t cap, unsigned threads, bool seeded, uint64_t seed, se_keypool **ret)
{
	if (!ret || cap == 0 || cap > MAX_CAP || threads > MAX_THREADS)
		return SE_EINVAL;
	if (!se_crypto_libctx())
		return SE_ECRYPTO;
	se_keypool *p = calloc(1, sizeof *p);
	if (!p)
		return SE_ENOMEM;
	p->slots = cap + 1;
	p->keys = calloc(p->slots, sizeof *p->keys);
	if (!p->keys) {
		free(p);
		return SE_ENOMEM;
	}
	p->cap = cap;
	p->seeded = seeded;
	p->seed = seed;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->space, &ca);
	pthread_condattr_destroy(&ca);
	p->low = cap / 4 > 0 ? cap / 4 : 1;
	clock_gettime(CLOCK_MONOTONIC, &p->last_take);
	pthread_cond_init(&p->ready, NULL);
	if (seeded) {
		threads = 1;
	} else if (threads == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		threads = n < 1 ? 1 : n > MAX_THREADS ? MAX_THREADS : (unsigned)n;
	}
	/* threads demand generators and, unseeded, as many idle ones. */
	for (unsigned i = 0; i < (seeded ? 1 : 2 * threads); i++) {
		gen_arg *a = malloc(sizeof *a);
		if (a)
			*a = (gen_arg){p, seeded || i < threads, seeded || i >= threads};
		if (!a || pthread_create(&p->threads[i], NULL, generator, a) != 0) {
			free(a);
			se_keypool_free(p);
			return SE_ENOMEM;
		}
		p->n_threads++;
	}
	*ret = p;
	return 0;
}

int se_keypool_take(se_keypool *p, EVP_PKEY **ret)
{
	int rc = SE_EAGAIN;
	pthread_mutex_lock(&p->mu);
	if (atomic_load(&p->stop)) {
		rc = SE_ECRYPTO;
	} else if (p->count > 0) {
		*ret = p->keys[p->head];
		p->keys[p->head] = NULL;
		p->head = (p->head + 1) % p->slots;
		p->count--;
		clock_gettime(CLOCK_MONOTONIC, &p->last_take);
		pthread_cond_broadcast(&p->space);
		rc = 0;
	}
	pthread_mutex_unlock(&p->mu);
	return rc;
}

void se_keypool_wait(se_keypool *p)
{
	pthread_mutex_lock(&p->mu);
	while (p->count == 0 && !atomic_load(&p->stop))
		pthread_cond_wait(&p->ready, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

void se_keypool_unget(se_keypool *p, EVP_PKEY *key)
{
	if (!key)
		return;
	pthread_mutex_lock(&p->mu);
	se_keypool_waiter *w = NULL;
	if (p->count < p->slots && !atomic_load(&p->stop)) {
		p->head = (p->head + p->slots - 1) % p->slots;
		p->keys[p->head] = key;
		p->count++;
		key = NULL;
		pthread_cond_broadcast(&p->ready);
		w = pop_waiter(p);
	}
	pthread_mutex_unlock(&p->mu);
	EVP_PKEY_free(key);
	if (w)
		w->fn(w->arg);
}

void se_keypool_notify(se_keypool *p, se_keypool_waiter *w)
{
	w->next = NULL;
	pthread_mutex_lock(&p->mu);
	bool now = p->count > 0 || atomic_load(&p->stop);
	if (!now) {
		if (p->waiters_tail)
			p->waiters_tail->next = w;
		else
			p->waiters = w;
		p->waiters_tail = w;
		/* Someone waits: no more idling before the refill. */
		pthread_cond_broadcast(&p->space);
	}
	pthread_mutex_unlock(&p->mu);
	if (now)
		w->fn(w->arg);
}

void se_keypool_restart(se_keypool *p)
{
	pthread_mutex_lock(&p->mu);
	clear_keys(p);
	p->restarts++;
	atomic_store(&p->restarts_seen, p->restarts);
	pthread_cond_broadcast(&p->space);
	pthread_mutex_unlock(&p->mu);
}

size_t se_keypool_count(se_keypool *p)
{
	pthread_mutex_lock(&p->mu);
	size_t n = p->count;
	pthread_mutex_unlock(&p->mu);
	return n;
}

void se_keypool_stop(se_keypool *p)
{
	pthread_mutex_lock(&p->mu);
	atomic_store(&p->stop, true);
	pthread_cond_broadcast(&p->space);
	pthread_cond_broadcast(&p->ready);
	unsigned n = p->n_threads;
	p->n_threads = 0;
	pthread_mutex_unlock(&p->mu);
	for (unsigned i = 0; i < n; i++)
		pthread_join(p->threads[i], NULL);
	/* Everyone still waiting hears that no key will come; they are called back outside the lock. */
	for (;;) {
		pthread_mutex_lock(&p->mu);
		se_keypool_waiter *w = pop_waiter(p);
		pthread_mutex_unlock(&p->mu);
		if (!w)
			break;
		w->fn(w->arg);
	}
}

void se_keypool_free(se_keypool *p)
{
	if (!p)
		return;
	se_keypool_stop(p);
	clear_keys(p);
	pthread_cond_destroy(&p->space);
	pthread_cond_destroy(&p->ready);
	pthread_mutex_destroy(&p->mu);
	free(p->keys);
	free(p);
}
