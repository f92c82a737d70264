/* The Host header rule (README "Security model"): which names the emulator answers to, so that a
 * DNS-rebinding page cannot reach it under a name of its own. */
#ifndef SE_HOSTS_H
#define SE_HOSTS_H

#include <stdbool.h>

#include "model/config.h"

/* Whether name (a host without port; IPv6 with or without brackets) is "localhost" or a loopback
 * address (127.0.0.0/8, ::1, ::ffff:127.x.x.x). */
bool se_hosts_loopback(const char *name);

/* Whether a Host header value (with or without ":port") names this emulator: the listen address
 * (cfg->host), local_addr (the address the connection arrived on; NULL ok), localhost or a loopback
 * address, the host of --public-url, or one of --allowed-hosts. NULL or empty host: false. */
bool se_hosts_allowed(const se_config *cfg, const char *host, const char *local_addr);

#endif
