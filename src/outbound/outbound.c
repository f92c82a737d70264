/* The fetch worker: a thread with one libcurl multi handle. Jobs are queued by server threads, transferred here,
 * digested here, and handed back through their wake callback; caps count every job from creation to free. */
#include "outbound/outbound.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "util/util.h"

struct se_outbound_job {
	se_outbound *o;
	char *key;
	se_transfer *fetch;
	se_outbound_digest_fn digest;
	void *ctx;
	se_outbound_wake_fn wake;
	void *wake_ctx;
	/* The result. */
	int rc;
	char *body;
	size_t len;
	char *error;
	/* Under o->lock: every job alive (for the caps), and the queue of started jobs not yet in the multi. */
	se_outbound_job *live_prev, *live_next;
	se_outbound_job *queue_next;
	bool in_multi;
	bool stopped; /* ended by se_outbound_shutdown() */
};

struct se_outbound {
	pthread_mutex_t lock;
	pthread_cond_t idle; /* signalled when a shutdown has ended every job */
	pthread_t thread;
	CURLM *multi;
	unsigned max_in_flight, max_per_key;
	unsigned live_count;
	se_outbound_job *live;
	se_outbound_job *queue, *queue_tail;
	unsigned active; /* jobs in the multi (only the worker changes it, under the lock) */
	bool stopping;   /* se_outbound_shutdown() was called */
	bool drained;    /* the worker has ended everything it held after stopping was set */
	bool quit;       /* se_outbound_free(): the thread returns */
};

#define STOPPING_ERROR "The request could not be completed: the emulator is stopping."

/* Ends job with the fetch's outcome (cc for curl transfers), runs the digest, and wakes its starter. */
static void complete(se_outbound_job *job, int cc)
{
	if (job->rc == 0) {
		if (job->fetch)
			job->rc = se_fetch_finish(job->fetch, cc, &job->body, &job->len, &job->error);
		if (job->rc == 0 && job->digest)
			job->rc = job->digest(job->ctx, job->body, job->len, &job->error);
	}
	se_outbound_wake_fn wake = job->wake;
	void *wake_ctx = job->wake_ctx;
	/* From here on the job is the starter's again. */
	if (wake)
		wake(wake_ctx);
}

static void fail_stopping(se_outbound_job *job)
{
	job->stopped = true;
	job->rc = SE_EIO;
	if (!job->error)
		job->error = strdup(STOPPING_ERROR);
}

static void *worker(void *arg)
{
	se_outbound *o = arg;
	for (;;) {
		pthread_mutex_lock(&o->lock);
		if (o->quit) {
			pthread_mutex_unlock(&o->lock);
			break;
		}
		se_outbound_job *todo = o->queue;
		o->queue = o->queue_tail = NULL;
		bool stopping = o->stopping;
		pthread_mutex_unlock(&o->lock);

		/* New jobs: files are read at once (regular files only, never blocking), transfers join the multi. */
		while (todo) {
			se_outbound_job *job = todo;
			todo = job->queue_next;
			CURL *easy = se_fetch_easy(job->fetch);
			if (stopping)
				fail_stopping(job);
			if (stopping || !easy) {
				complete(job, CURLE_OK);
				continue;
			}
			if (curl_multi_add_handle(o->multi, easy) != CURLM_OK) {
				job->rc = SE_ENOMEM;
				job->error = strdup("The transfer could not be started.");
				complete(job, CURLE_OK);
				continue;
			}
			job->in_multi = true;
			pthread_mutex_lock(&o->lock);
			o->active++;
			pthread_mutex_unlock(&o->lock);
		}

		int running = 0;
		curl_multi_perform(o->multi, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(o->multi, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			se_outbound_job *job = NULL;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
			CURLcode cc = msg->data.result;
			curl_multi_remove_handle(o->multi, msg->easy_handle);
			job->in_multi = false;
			pthread_mutex_lock(&o->lock);
			o->active--;
			pthread_mutex_unlock(&o->lock);
			complete(job, (int)cc);
		}

		if (stopping) {
			/* Whatever is still in the multi ends now. */
			pthread_mutex_lock(&o->lock);
			for (se_outbound_job *j = o->live; j; j = j->live_next) {
				if (!j->in_multi)
					continue;
				curl_multi_remove_handle(o->multi, se_fetch_easy(j->fetch));
				j->in_multi = false;
				o->active--;
				fail_stopping(j);
				/* Not complete() under the lock: wake may take locks of its own. Collect instead. */
				j->queue_next = todo;
				todo = j;
			}
			pthread_mutex_unlock(&o->lock);
			while (todo) {
				se_outbound_job *job = todo;
				todo = job->queue_next;
				complete(job, CURLE_OK);
			}
			pthread_mutex_lock(&o->lock);
			if (!o->queue) {
				o->drained = true;
				pthread_cond_broadcast(&o->idle);
			}
			pthread_mutex_unlock(&o->lock);
		}
		curl_multi_poll(o->multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

int se_outbound_new(unsigned max_in_flight, unsigned max_per_key, se_outbound **ret)
{
	se_outbound *o = calloc(1, sizeof *o);
	if (!o)
		return SE_ENOMEM;
	o->max_in_flight = max_in_flight ? max_in_flight : SE_OUTBOUND_MAX_IN_FLIGHT;
	o->max_per_key = max_per_key ? max_per_key : SE_OUTBOUND_MAX_PER_KEY;
	if (se_fetch_global_init() < 0) {
		free(o);
		return SE_EIO;
	}
	if (!(o->multi = curl_multi_init())) {
		free(o);
		return SE_ENOMEM;
	}
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->idle, NULL);
	if (pthread_create(&o->thread, NULL, worker, o) != 0) {
		curl_multi_cleanup(o->multi);
		pthread_mutex_destroy(&o->lock);
		pthread_cond_destroy(&o->idle);
		free(o);
		return SE_EIO;
	}
	*ret = o;
	return 0;
}

void se_outbound_shutdown(se_outbound *o)
{
	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	if (!o->stopping) {
		o->stopping = true;
		o->drained = false;
	}
	curl_multi_wakeup(o->multi);
	while (!o->drained)
		pthread_cond_wait(&o->idle, &o->lock);
	pthread_mutex_unlock(&o->lock);
}

void se_outbound_free(se_outbound *o)
{
	if (!o)
		return;
	se_outbound_shutdown(o);
	pthread_mutex_lock(&o->lock);
	o->quit = true;
	curl_multi_wakeup(o->multi);
	pthread_mutex_unlock(&o->lock);
	pthread_join(o->thread, NULL);
	curl_multi_cleanup(o->multi);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->idle);
	free(o);
}

int se_outbound_job_new(se_outbound *o, const char *key, const char *url, const se_fetch_opts *opts,
                        se_outbound_digest_fn digest, void *ctx, se_outbound_job **ret, char **ret_error)
{
	se_outbound_job *job = calloc(1, sizeof *job);
	if (!job || (key && !(job->key = strdup(key)))) {
		free(job);
		*ret_error = strdup("Out of memory.");
		return SE_ENOMEM;
	}
	int rc = url ? se_fetch_new(url, opts, &job->fetch, ret_error) : digest ? 0 : SE_EINVAL;
	if (rc == SE_EINVAL && !url)
		*ret_error = strdup("A job needs a URL or a digest.");
	if (rc < 0) {
		free(job->key);
		free(job);
		return rc;
	}
	job->o = o;
	if (se_fetch_easy(job->fetch))
		curl_easy_setopt(se_fetch_easy(job->fetch), CURLOPT_PRIVATE, job);
	job->digest = digest;
	job->ctx = ctx;
	pthread_mutex_lock(&o->lock);
	unsigned same = 0;
	for (se_outbound_job *j = o->live; j && key; j = j->live_next)
		same += j->key && strcmp(j->key, key) == 0;
	if (o->stopping) {
		rc = SE_EIO;
		*ret_error = strdup(STOPPING_ERROR);
	} else if (o->live_count >= o->max_in_flight) {
		rc = SE_ELIMIT;
		*ret_error = se_asprintf(
		    "%u outbound fetches are already in flight, the most the emulator runs at once.", o->max_in_flight);
	} else if (same >= o->max_per_key) {
		rc = SE_ELIMIT;
		*ret_error = se_asprintf("%u outbound fetches of these credentials are already in flight, the most one "
		                         "credential may have at once.",
		                         o->max_per_key);
	} else {
		job->live_next = o->live;
		if (o->live)
			o->live->live_prev = job;
		o->live = job;
		o->live_count++;
	}
	pthread_mutex_unlock(&o->lock);
	if (rc < 0) {
		se_fetch_free(job->fetch);
		free(job->key);
		free(job);
		return rc;
	}
	*ret = job;
	return 0;
}

void se_outbound_job_start(se_outbound_job *job, se_outbound_wake_fn wake, void *wake_ctx)
{
	se_outbound *o = job->o;
	job->wake = wake;
	job->wake_ctx = wake_ctx;
	pthread_mutex_lock(&o->lock);
	bool stopping = o->stopping;
	if (!stopping) {
		job->queue_next = NULL;
		if (o->queue_tail)
			o->queue_tail->queue_next = job;
		else
			o->queue = job;
		o->queue_tail = job;
		curl_multi_wakeup(o->multi);
	}
	pthread_mutex_unlock(&o->lock);
	if (stopping) {
		fail_stopping(job);
		complete(job, CURLE_OK);
	}
}

void se_outbound_job_run(se_outbound_job *job)
{
	CURL *easy = se_fetch_easy(job->fetch);
	CURLcode cc = easy ? curl_easy_perform(easy) : CURLE_OK;
	job->wake = NULL;
	complete(job, (int)cc);
}

int se_outbound_job_result(const se_outbound_job *job, const char **ret_body, size_t *ret_len, const char **ret_error)
{
	if (ret_body)
		*ret_body = job->rc == 0 ? job->body : NULL;
	if (ret_len)
		*ret_len = job->rc == 0 ? job->len : 0;
	if (ret_error)
		*ret_error = job->error;
	return job->rc;
}

void se_outbound_job_free(se_outbound_job *job)
{
	if (!job)
		return;
	se_outbound *o = job->o;
	pthread_mutex_lock(&o->lock);
	if (job->live_prev)
		job->live_prev->live_next = job->live_next;
	else
		o->live = job->live_next;
	if (job->live_next)
		job->live_next->live_prev = job->live_prev;
	o->live_count--;
	pthread_mutex_unlock(&o->lock);
	se_fetch_free(job->fetch);
	free(job->key);
	free(job->body);
	free(job->error);
	free(job);
}

bool se_outbound_job_stopped(const se_outbound_job *job)
{
	return job->stopped;
}

long se_outbound_job_http_status(const se_outbound_job *job)
{
	return se_fetch_status(job->fetch);
}

unsigned se_outbound_in_flight(se_outbound *o)
{
	pthread_mutex_lock(&o->lock);
	unsigned n = o->live_count;
	pthread_mutex_unlock(&o->lock);
	return n;
}
