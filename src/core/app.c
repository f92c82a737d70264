/* Process-wide state: settings defaults, the project snapshot, opening and closing everything. */
#include "signin/saml.h"
#include "signin/state.h"
#include "core/app.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crypto/jwt.h"
#include "crypto/keypool.h"
#include "crypto/rand.h"
#include "util/errors_code.h"
#include "core/faults.h"
#include "store/fixtures.h"
#include "core/ratelimit.h"
#include "outbound/outbound.h"
#include "core/reqlog.h"
#include "store/store.h"
#include "util/util.h"

/* Mixed into --seed for the session-signing key's own stream (any fixed value would do). */
#define JWT_KEY_SEED_MIX 0x9e3779b97f4a7c15ULL

int se_config_init(se_config *cfg)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->host = strdup("127.0.0.1");
	cfg->port = 9876;
	cfg->db_path = strdup(":memory:");
	cfg->public_url = strdup("https://test.stytch.com");
	cfg->rate_requests = 100;
	cfg->rate_seconds = 1;
	cfg->log_format = SE_LOG_TEXT;
	cfg->threads = 4;
	if (!cfg->host || !cfg->db_path || !cfg->public_url) {
		se_config_release(cfg);
		return SE_ENOMEM;
	}
	return 0;
}

void se_config_release(se_config *cfg)
{
	free(cfg->host);
	free(cfg->db_path);
	free(cfg->fixtures_path);
	free(cfg->public_url);
	free(cfg->admin_token);
	free(cfg->metadata_dir);
	if (cfg->cors_origins)
		for (char **o = cfg->cors_origins; *o; o++)
			free(*o);
	free(cfg->cors_origins);
	if (cfg->allowed_hosts)
		for (char **h = cfg->allowed_hosts; *h; h++)
			free(*h);
	free(cfg->allowed_hosts);
	memset(cfg, 0, sizeof *cfg);
}

se_project *se_app_project(se_app *app)
{
	pthread_mutex_lock(&app->project_lock);
	se_project *p = app->project;
	if (p)
		atomic_fetch_add(&p->refs, 1);
	pthread_mutex_unlock(&app->project_lock);
	return p;
}

int se_app_reload_project(se_app *app)
{
	se_db *db = se_store_db(app->store);
	se_project *p = NULL;
	if (!db)
		return SE_EDB;
	int r = se_store_project_get(db, &p);
	if (r < 0)
		return r;
	pthread_mutex_lock(&app->project_lock);
	se_project *old = app->project;
	app->project = p;
	pthread_mutex_unlock(&app->project_lock);
	se_project_unref(old);
	return 0;
}

/* Applies the fixtures to a new database in one transaction. */
static int seed_store(se_app *app, char **ret_error)
{
	json_t *doc = NULL;
	int r = se_fixtures_load(app->cfg.fixtures_path, &doc, ret_error);
	if (r < 0)
		return r;
	se_db *db = se_store_db(app->store);
	if (!db || se_db_begin(db) < 0) {
		json_decref(doc);
		*ret_error = strdup("database: cannot start a transaction");
		return SE_EDB;
	}
	char *why = NULL;
	r = se_fixtures_apply(db, doc, time(NULL), &why);
	json_decref(doc);
	if (r < 0) {
		se_db_rollback(db);
		*ret_error = se_asprintf("fixtures %s: %s", app->cfg.fixtures_path ? app->cfg.fixtures_path : "(built in)",
					 why ? why : "invalid");
		free(why);
		return r;
	}
	if (se_db_commit(db) < 0) {
		*ret_error = strdup("database: cannot commit the fixtures");
		return SE_EDB;
	}
	return 0;
}

int se_app_open(se_app *app, char **ret_error)
{
	bool fresh = false;
	*ret_error = NULL;
	pthread_mutex_init(&app->project_lock, NULL);
	/* Under --seed the session-signing key comes from a stream of its own and the main stream
	 * starts after it, so that what follows start-up is what follows POST /_emulator/reset, which
	 * restarts the main stream too. */
	if (app->cfg.seeded)
		se_crypto_seed(app->cfg.seed ^ JWT_KEY_SEED_MIX);
	int r = se_crypto_jwt_key_new(&app->jwt_key);
	if (r < 0) {
		*ret_error = strdup("cannot make the session signing key");
		return r;
	}
	if (app->cfg.seeded)
		se_crypto_seed(app->cfg.seed);
	if ((r = se_ratelimit_new(app->cfg.rate_requests, app->cfg.rate_seconds, &app->ratelimit)) < 0 ||
	    (r = se_faults_new(&app->faults)) < 0 || (r = se_reqlog_new(SE_REQLOG_SIZE, &app->reqlog)) < 0 ||
	    (r = se_outbound_new(SE_OUTBOUND_MAX_IN_FLIGHT, SE_OUTBOUND_MAX_PER_KEY, &app->outbound)) < 0 ||
	    (r = se_signin_new(&app->signin)) < 0 || (r = se_saml_init()) < 0)
		goto oom;
	r = se_store_open(app->cfg.db_path, &app->store, &fresh, ret_error);
	if (r < 0)
		return r;
	if (fresh && (r = seed_store(app, ret_error)) < 0)
		return r;
	if ((r = se_app_reload_project(app)) < 0) {
		*ret_error = se_asprintf("database %s: no project row", app->cfg.db_path);
		return r;
	}
	/* Last, so that its threads do not slow the start down: one generator thread per core, or one drawing its
	 * own stream under --seed (crypto/keypool.h). */
	r = se_keypool_new(SE_KEYPOOL_SIZE, 0, app->cfg.seeded, app->cfg.seed, &app->keypool);
	if (r < 0) {
		*ret_error = strdup("cannot start the key pool");
		return r;
	}
	return 0;
oom:
	*ret_error = strdup("out of memory");
	return r;
}

void se_app_close(se_app *app)
{
	/* First: a job's continuation may still need the store. */
	se_outbound_free(app->outbound);
	app->outbound = NULL;
	se_keypool_free(app->keypool);
	app->keypool = NULL;
	se_crypto_jwt_key_free(app->jwt_key);
	app->jwt_key = NULL;
	se_store_close(app->store);
	app->store = NULL;
	se_ratelimit_free(app->ratelimit);
	app->ratelimit = NULL;
	se_faults_free(app->faults);
	app->faults = NULL;
	se_reqlog_free(app->reqlog);
	app->reqlog = NULL;
	se_signin_free(app->signin);
	app->signin = NULL;
	se_project_unref(app->project);
	app->project = NULL;
	pthread_mutex_destroy(&app->project_lock);
}
