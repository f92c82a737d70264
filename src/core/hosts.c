/* The Host header rule: the listen address, loopback names, the public URL's host and
 * --allowed-hosts; everything else is a name the emulator was never meant to answer to. */
#include "core/hosts.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define HOST_MAX 256

/* Copies the host part of s (up to a ':port', without IPv6 brackets, without a trailing dot) into
 * buf; false when it does not fit or is empty. */
static bool host_part(const char *s, size_t len, char *buf, size_t size)
{
	size_t n;
	if (len && s[0] == '[') {
		const char *end = memchr(s, ']', len);
		if (!end)
			return false;
		s++;
		n = (size_t)(end - s);
	} else {
		const char *colon = memchr(s, ':', len);
		/* Two colons: a bare IPv6 address, no port. */
		n = colon && !memchr(colon + 1, ':', len - (size_t)(colon + 1 - s)) ? (size_t)(colon - s) : len;
	}
	if (n && s[n - 1] == '.')
		n--;
	if (n == 0 || n >= size)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

bool se_hosts_loopback(const char *name)
{
	char buf[HOST_MAX];
	struct in_addr a4;
	struct in6_addr a6;
	if (!name || !host_part(name, strlen(name), buf, sizeof buf))
		return false;
	if (strcasecmp(buf, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return true;
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return false;
}

/* Whether host (already without port) equals the host part of item. */
static bool same_host(const char *host, const char *item)
{
	char buf[HOST_MAX];
	return item && host_part(item, strlen(item), buf, sizeof buf) && strcasecmp(buf, host) == 0;
}

/* The host of --public-url ("https://example.test:8443/base" gives example.test). */
static bool public_url_host(const char *url, char *buf, size_t size)
{
	const char *p = url ? strstr(url, "://") : NULL;
	if (!p)
		return false;
	p += 3;
	size_t len = strcspn(p, "/?#");
	const char *at = memchr(p, '@', len);
	if (at) {
		len -= (size_t)(at + 1 - p);
		p = at + 1;
	}
	return host_part(p, len, buf, size);
}

bool se_hosts_allowed(const se_config *cfg, const char *host, const char *local_addr)
{
	char h[HOST_MAX], pub[HOST_MAX];
	if (!host || !host_part(host, strlen(host), h, sizeof h))
		return false;
	if (cfg->allowed_hosts_any || se_hosts_loopback(h) || same_host(h, cfg->host) || same_host(h, local_addr))
		return true;
	if (public_url_host(cfg->public_url, pub, sizeof pub) && strcasecmp(pub, h) == 0)
		return true;
	for (char **a = cfg->allowed_hosts; a && *a; a++)
		if (same_host(h, *a))
			return true;
	return false;
}
