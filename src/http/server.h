/* The HTTP edge: libmicrohttpd callbacks, body accumulation and limits, access logging. se_server owns the daemon
 * and each connection's request state (freed when libmicrohttpd completes it); the app is borrowed. */
#ifndef SE_SERVER_H
#define SE_SERVER_H

#include "core/app.h"

typedef struct se_server se_server;

/* Binds cfg.host:cfg.port and starts serving app on a thread pool. *ret_port gets the real port.
 * On failure *ret_error (malloc'd) names the cause. Stop with se_server_stop(). */
int se_server_start(se_app *app, se_server **ret, unsigned *ret_port, char **ret_error);

/* Ends all outbound work at once (each pending request is resumed and answered that the emulator
 * is stopping), so that no connection stays suspended. Part of se_server_stop(). */
void se_server_end_outbound(se_server *s);

/* Stops accepting, finishes the requests in flight and frees the server. NULL ok. */
void se_server_stop(se_server *s);

#endif
