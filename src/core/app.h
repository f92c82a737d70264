/* The emulator's process-wide state: settings, store, rate limiter, faults, request log, JWT key and the cached
 * project. se_app owns all of them from se_app_open() to se_app_close(); callers borrow them, except project
 * snapshots, which are counted references (se_app_project() / se_project_unref()). */
#ifndef SE_APP_H
#define SE_APP_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdint.h>

#include "model/config.h"
#include "model/model.h"

typedef struct se_store se_store;
typedef struct se_ratelimit se_ratelimit;
typedef struct se_faults se_faults;
typedef struct se_reqlog se_reqlog;
typedef struct se_jwt_key se_jwt_key;
typedef struct se_signin se_signin;
typedef struct se_outbound se_outbound;
typedef struct se_keypool se_keypool;

typedef struct se_app {
	se_config cfg;
	se_store *store;
	se_ratelimit *ratelimit;
	se_faults *faults;
	se_reqlog *reqlog;
	se_jwt_key *jwt_key;
	se_signin *signin; /* sign-in flows and the built-in IdP's state (signin/state.h) */
	se_outbound *outbound; /* the fetch worker (outbound/outbound.h) */
	se_keypool *keypool; /* SAML signing keys made ahead of demand */
	pthread_mutex_t project_lock; /* guards the project pointer, not the snapshot */
	se_project *project;
} se_app;

/* Fills cfg with the documented defaults (EMULATOR.md). Release with se_config_release(). */
int se_config_init(se_config *cfg);

/* Frees what the settings own. */
void se_config_release(se_config *cfg);

/* Opens the store, applies the fixtures to a new database, loads the project: everything but the
 * network. On failure *ret_error (malloc'd) names the cause. */
int se_app_open(se_app *app, char **ret_error);

/* Reloads the cached project from the store (after reset, import or a config change). */
int se_app_reload_project(se_app *app);

/* A new reference to the current project snapshot; drop it with se_project_unref(). */
se_project *se_app_project(se_app *app);

/* Closes everything se_app_open opened. Safe on a partly opened app. */
void se_app_close(se_app *app);

#endif
