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
	se_log_format log_format;
	unsigned threads;
	char *metadata_dir; /* --metadata-dir, resolved (realpath); NULL: file:// metadata URLs are refused */
} se_config;

#endif
