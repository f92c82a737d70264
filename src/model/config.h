/* The runtime settings: what the command line and the SSOEMU_* variables set (EMULATOR.md "Program"). A se_config
 * owns its strings; se_config_release() frees them. */
#ifndef SE_CONFIG_H
#define SE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

typedef enum se_log_format {
	SE_LOG_TEXT,
	SE_LOG_JSON,
} se_log_format;

/* Runtime settings from the command line and SSOEMU_* variables. Strings are owned. */
typedef struct se_config {
	char *host;
	unsigned port;
	char *db_path;
	char *fixtures_path; /* NULL: the embedded default fixtures */
	char *public_url;    /* without a trailing slash */
	unsigned rate_requests; /* 0 = off */
	unsigned rate_seconds;
	bool seeded;
	uint64_t seed;
	char *admin_token;
	char **cors_origins; /* NULL-terminated; NULL = the default localhost rule */
	bool cors_any;
	char **allowed_hosts; /* NULL-terminated extra Host names (--allowed-hosts); NULL = none */
	bool allowed_hosts_any; /* --allowed-hosts '*': no Host check */
	bool protected_mode;  /* non-loopback --host without --admin-token (README "Security model") */
	se_log_format log_format;
	unsigned threads;
	unsigned bound_port; /* the port really listened on (--port 0), once bound; sign-in's self URLs */
	char *metadata_dir; /* --metadata-dir, resolved (realpath); NULL: file:// metadata URLs are refused */
} se_config;

#endif
