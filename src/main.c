/* The ssoemu program: options and SSOEMU_* variables, start-up, the first stdout line, and a
 * graceful stop on SIGINT/SIGTERM. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>

#include "core/app.h"
#include "core/hosts.h"
#include "http/server.h"
#include "util/util.h"

#define EXIT_USAGE 2

typedef struct option_doc {
	const char *name;
	const char *arg;
	const char *env;
	const char *def;
	const char *help;
} option_doc;

static const option_doc docs[] = {
	{"host", "ADDR", "SSOEMU_HOST", "127.0.0.1", "listen address"},
	{"port", "N", "SSOEMU_PORT", "9876", "listen port; 0 picks a free one"},
	{"db", "PATH", "SSOEMU_DB", ":memory:", "SQLite database; a file keeps state across restarts"},
	{"fixtures", "PATH", "SSOEMU_FIXTURES", "built-in fixtures/default.json", "fixtures applied to a new database"},
	{"public-url", "URL", "SSOEMU_PUBLIC_URL", "https://test.stytch.com", "base of ACS, audience, redirect and SCIM URLs"},
	{"rate-limit", "N/S|off", "SSOEMU_RATE_LIMIT", "100/1", "requests per seconds per credential and operation"},
	{"seed", "N", "SSOEMU_SEED", "random", "makes generated ids, tokens, keys and certificates reproducible"},
	{"admin-token", "T", "SSOEMU_ADMIN_TOKEN", "none", "control API requires Authorization: Bearer T"},
	{"cors-origins", "LIST", "SSOEMU_CORS_ORIGINS", "http://localhost:* and http://127.0.0.1:*",
	 "comma-separated allowed origins, or *"},
	{"allowed-hosts", "LIST", "SSOEMU_ALLOWED_HOSTS", "loopback names, the listen address and the host of --public-url",
	 "comma-separated extra Host header names to serve (DNS-rebinding guard), or *"},
	{"log-format", "text|json", "SSOEMU_LOG_FORMAT", "text", "access log format on stderr"},
	{"threads", "N", "SSOEMU_THREADS", "4, or 1 with --seed", "server threads (1-64)"},
	{"metadata-dir", "DIR", "SSOEMU_METADATA_DIR", "none",
	 "the only directory file:// metadata URLs may read from (never on /sdk/v1)"},
};

#define N_DOCS (sizeof docs / sizeof docs[0])

/* Whether --threads (or SSOEMU_THREADS) was given: --seed only changes the default. */
static bool threads_given;

static void usage(FILE *f)
{
	fprintf(f, "usage: ssoemu [options]\n\nA local emulator of Stytch's B2B SSO and SCIM connection API.\n\n");
	for (size_t i = 0; i < N_DOCS; i++) {
		char left[48];
		snprintf(left, sizeof left, "--%s %s", docs[i].name, docs[i].arg);
		fprintf(f, "  %-30s %s\n  %-30s (default: %s; env %s)\n", left, docs[i].help, "", docs[i].def, docs[i].env);
	}
	fprintf(f, "  %-30s %s\n  %-30s %s\n", "--help", "show this help and exit", "--version", "show the version and exit");
}

/* The variable a value being applied comes from; NULL for the command line. */
static const char *from_env;

static int usage_error(const char *option, const char *value, const char *why)
{
	if (from_env)
		fprintf(stderr, "ssoemu: --%s %s (from %s): %s\n", option, value, from_env, why);
	else
		fprintf(stderr, "ssoemu: --%s %s: %s\n", option, value, why);
	return -1;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *ret)
{
	char *end;
	errno = 0;
	if (!*s || *s == '-' || *s == '+')
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*ret = v;
	return 0;
}

static int set_string(char **dst, const char *v)
{
	char *c = strdup(v);
	if (!c)
		return -1;
	free(*dst);
	*dst = c;
	return 0;
}

/* Splits a comma-separated list into a new NULL-terminated array (empty items dropped) in *ret,
 * freeing the one there. Returns the number of items, or -1 when out of memory. */
static int split_list(const char *v, char ***ret)
{
	if (*ret) {
		for (char **o = *ret; *o; o++)
			free(*o);
		free(*ret);
		*ret = NULL;
	}
	size_t count = 1;
	for (const char *p = v; *p; p++)
		count += *p == ',';
	char **list = calloc(count + 1, sizeof *list);
	if (!list)
		return -1;
	*ret = list;
	size_t i = 0;
	for (const char *p = v; *p;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, ",");
		while (len && p[len - 1] == ' ')
			len--;
		if (len) {
			list[i] = strndup(p, len);
			if (!list[i++])
				return -1;
		}
		p += strcspn(p, ",");
		while (*p == ',' || *p == ' ')
			p++;
	}
	return (int)i;
}

/* Applies one option value; returns -1 (after printing why) on a usage error. */
static int apply(se_config *cfg, const char *name, const char *v)
{
	unsigned long n;
	if (strcmp(name, "host") == 0) {
		return *v ? set_string(&cfg->host, v) : usage_error(name, v, "must not be empty");
	} else if (strcmp(name, "port") == 0) {
		if (parse_uint(v, 65535, &n) < 0)
			return usage_error(name, v, "must be a port number from 0 to 65535");
		cfg->port = (unsigned)n;
	} else if (strcmp(name, "db") == 0) {
		return *v ? set_string(&cfg->db_path, v) : usage_error(name, v, "must not be empty");
	} else if (strcmp(name, "fixtures") == 0) {
		return *v ? set_string(&cfg->fixtures_path, v) : usage_error(name, v, "must not be empty");
	} else if (strcmp(name, "public-url") == 0) {
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return usage_error(name, v, "must start with http:// or https://");
		if (set_string(&cfg->public_url, v) < 0)
			return -1;
		size_t len = strlen(cfg->public_url);
		while (len > 8 && cfg->public_url[len - 1] == '/')
			cfg->public_url[--len] = '\0';
	} else if (strcmp(name, "rate-limit") == 0) {
		if (strcmp(v, "off") == 0) {
			cfg->rate_requests = 0;
			cfg->rate_seconds = 1;
			return 0;
		}
		char buf[64];
		unsigned long req, sec;
		const char *slash = strchr(v, '/');
		if (!slash || (size_t)(slash - v) >= sizeof buf)
			return usage_error(name, v, "must be N/S (for example 100/1) or off");
		memcpy(buf, v, (size_t)(slash - v));
		buf[slash - v] = '\0';
		if (parse_uint(buf, 1000000, &req) < 0 || parse_uint(slash + 1, 86400, &sec) < 0 || req == 0 || sec == 0)
			return usage_error(name, v, "must be N/S with N from 1 to 1000000 and S from 1 to 86400, or off");
		cfg->rate_requests = (unsigned)req;
		cfg->rate_seconds = (unsigned)sec;
	} else if (strcmp(name, "seed") == 0) {
		char *end;
		errno = 0;
		unsigned long long s = strtoull(v, &end, 10);
		if (!*v || *v == '-' || *end || errno)
			return usage_error(name, v, "must be a non-negative integer");
		cfg->seeded = true;
		cfg->seed = s;
	} else if (strcmp(name, "admin-token") == 0) {
		return *v ? set_string(&cfg->admin_token, v) : usage_error(name, v, "must not be empty");
	} else if (strcmp(name, "cors-origins") == 0) {
		if (cfg->cors_origins) {
			for (char **o = cfg->cors_origins; *o; o++)
				free(*o);
			free(cfg->cors_origins);
			cfg->cors_origins = NULL;
		}
		cfg->cors_any = false;
		if (strcmp(v, "*") == 0) {
			cfg->cors_any = true;
			return 0;
		}
		size_t count = 1;
		for (const char *p = v; *p; p++)
			count += *p == ',';
		cfg->cors_origins = calloc(count + 1, sizeof *cfg->cors_origins);
		if (!cfg->cors_origins)
			return -1;
		size_t i = 0;
		for (const char *p = v; *p;) {
			size_t len = strcspn(p, ",");
			while (len && p[len - 1] == ' ')
				len--;
			if (len) {
				cfg->cors_origins[i] = strndup(p, len);
				if (!cfg->cors_origins[i++])
					return -1;
			}
			p += strcspn(p, ",");
			while (*p == ',' || *p == ' ')
				p++;
		}
		if (i == 0)
			return usage_error(name, v, "must list at least one origin, or be *");
	} else if (strcmp(name, "allowed-hosts") == 0) {
		cfg->allowed_hosts_any = strcmp(v, "*") == 0;
		int n2 = split_list(cfg->allowed_hosts_any ? "" : v, &cfg->allowed_hosts);
		if (n2 < 0)
			return -1;
		if (n2 == 0 && !cfg->allowed_hosts_any)
			return usage_error(name, v, "must list at least one host name, or be *");
		for (char **h = cfg->allowed_hosts; *h; h++)
			if (strpbrk(*h, "/ \t@"))
				return usage_error(name, v, "must be host names without scheme, path or spaces");
	} else if (strcmp(name, "log-format") == 0) {
		if (strcmp(v, "text") == 0)
			cfg->log_format = SE_LOG_TEXT;
		else if (strcmp(v, "json") == 0)
			cfg->log_format = SE_LOG_JSON;
		else
			return usage_error(name, v, "must be text or json");
	} else if (strcmp(name, "threads") == 0) {
		if (parse_uint(v, 64, &n) < 0 || n == 0)
			return usage_error(name, v, "must be from 1 to 64");
		cfg->threads = (unsigned)n;
		threads_given = true;
	} else if (strcmp(name, "metadata-dir") == 0) {
		/* Resolved once here: file:// paths are resolved too and must land inside this one. */
		char resolved[PATH_MAX];
		struct stat st;
		if (!*v || !realpath(v, resolved) || stat(resolved, &st) < 0 || !S_ISDIR(st.st_mode))
			return usage_error(name, v, "must name an existing directory");
		return set_string(&cfg->metadata_dir, resolved);
	}
	return 0;
}

/* Reads the SSOEMU_* variables, then the command line (which wins). Returns 0, 1 when --help or
 * --version was answered, or -1 on a usage error. */
static int parse(se_config *cfg, int argc, char **argv)
{
	for (size_t i = 0; i < N_DOCS; i++) {
		const char *v = getenv(docs[i].env);
		from_env = docs[i].env;
		int r = v ? apply(cfg, docs[i].name, v) : 0;
		from_env = NULL;
		if (r < 0)
			return -1;
	}
	struct option longopts[N_DOCS + 3];
	for (size_t i = 0; i < N_DOCS; i++)
		longopts[i] = (struct option){docs[i].name, required_argument, NULL, (int)i};
	longopts[N_DOCS] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[N_DOCS + 1] = (struct option){"version", no_argument, NULL, 'v'};
	longopts[N_DOCS + 2] = (struct option){NULL, 0, NULL, 0};
	opterr = 0;
	int c, idx;
	while ((c = getopt_long(argc, argv, ":", longopts, &idx)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return 1;
		}
		if (c == 'v') {
			printf("ssoemu %s\n", SSOEMU_VERSION);
			return 1;
		}
		if (c == ':') {
			fprintf(stderr, "ssoemu: %s needs a value (see --help)\n", argv[optind - 1]);
			return -1;
		}
		if (c == '?' || c < 0 || (size_t)c >= N_DOCS) {
			fprintf(stderr, "ssoemu: unknown option %s (see --help)\n", argv[optind - 1]);
			return -1;
		}
		if (apply(cfg, docs[c].name, optarg) < 0)
			return -1;
	}
	if (optind < argc) {
		fprintf(stderr, "ssoemu: unexpected argument %s (see --help)\n", argv[optind]);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	se_app app = {0};
	se_server *server = NULL;
	char *error = NULL;
	unsigned port = 0;
	int status = EXIT_FAILURE;

	if (se_config_init(&app.cfg) < 0) {
		fprintf(stderr, "ssoemu: out of memory\n");
		return EXIT_FAILURE;
	}
	int p = parse(&app.cfg, argc, argv);
	if (p != 0) {
		se_config_release(&app.cfg);
		return p > 0 ? EXIT_SUCCESS : EXIT_USAGE;
	}
	/* One server thread under --seed: requests then draw from the seeded stream strictly in
	 * arrival order, including OpenSSL's RSA blinding, which is kept per thread. */
	if (app.cfg.seeded && !threads_given)
		app.cfg.threads = 1;
	/* Protected mode (README "Security model"): reachable from the network without an admin token,
	 * the control API answers loopback clients only. */
	app.cfg.protected_mode = !app.cfg.admin_token && !se_hosts_loopback(app.cfg.host);

	/* Signals are taken by sigwait below; threads started from here on inherit the mask. */
	sigset_t sigs;
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (se_app_open(&app, &error) < 0 || se_server_start(&app, &server, &port, &error) < 0) {
		fprintf(stderr, "ssoemu: %s\n", error ? error : "start-up failed");
		goto done;
	}
	app.cfg.bound_port = port;
	printf("ssoemu listening on http://%s%s%s:%u\n", strchr(app.cfg.host, ':') ? "[" : "", app.cfg.host,
	       strchr(app.cfg.host, ':') ? "]" : "", port);
	fflush(stdout);
	if (app.cfg.protected_mode)
		fprintf(stderr, "ssoemu: warning: listening on %s without --admin-token: the control API (/_emulator/) "
				"answers only clients on a loopback address; set --admin-token to use it from elsewhere\n",
			app.cfg.host);

	int sig = 0;
	sigwait(&sigs, &sig);
	fprintf(stderr, "ssoemu: %s, stopping\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
	status = EXIT_SUCCESS;
done:
	se_server_stop(server);
	se_app_close(&app);
	se_config_release(&app.cfg);
	free(error);
	return status;
}
