/* The one masking helper of the access log and the request log: credentials by name or shape become
 * [redacted], control bytes and broken UTF-8 are escaped, long text is cut on a character boundary. */
#include "core/mask.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A random-looking token at least this long, of letters of both cases and digits, is masked. */
#define OPAQUE_MIN 20
/* Longer segments are judged by their first bytes: nothing shorter is a credential anyway. */
#define DECODE_MAX 1024

bool se_mask_sensitive_name(const char *name)
{
	static const char *const words[] = {"token",    "secret", "authorization", "session", "jwt",
	                                    "password", "cookie", "bearer",        "key",     NULL};
	if (!name)
		return false;
	for (size_t i = 0; words[i]; i++) {
		size_t n = strlen(words[i]);
		for (const char *p = name; *p; p++)
			if (strncasecmp(p, words[i], n) == 0)
				return true;
	}
	return false;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes %XX escapes of s[0..len) into buf (size DECODE_MAX + 1); returns the decoded length. */
static size_t decode(const char *s, size_t len, char *buf)
{
	size_t w = 0;
	for (size_t i = 0; i < len && w < DECODE_MAX; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < len && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
		    (lo = hexval((unsigned char)s[i + 2])) >= 0) {
			buf[w++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			buf[w++] = s[i];
		}
	}
	buf[w] = '\0';
	return w;
}

static bool prefixed(const char *v, size_t len, const char *prefix)
{
	size_t n = strlen(prefix);
	return len >= n && strncasecmp(v, prefix, n) == 0;
}

/* Three base64url parts separated by dots. */
static bool jwt_shaped(const char *v, size_t len)
{
	size_t dots = 0;
	if (len < OPAQUE_MIN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (c == '.')
			dots++;
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
		           c == '_' || c == '='))
			return false;
	}
	return dots == 2;
}

/* Letters of both cases and digits only (with - and _), long: random, not an id or a slug (ids and
 * slugs are lower case). */
static bool opaque_shaped(const char *v, size_t len)
{
	bool upper = false, lower = false, digit = false;
	if (len < OPAQUE_MIN)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (c >= 'A' && c <= 'Z')
			upper = true;
		else if (c >= 'a' && c <= 'z')
			lower = true;
		else if (c >= '0' && c <= '9')
			digit = true;
		else if (c != '-' && c != '_')
			return false;
	}
	return upper && lower && digit;
}

bool se_mask_is_secret(const char *value, size_t len, const char *const *known)
{
	char buf[DECODE_MAX + 1];
	if (!value || len == 0)
		return false;
	size_t n = decode(value, len, buf);
	for (size_t i = 0; known && known[i]; i++)
		if (*known[i] && strlen(known[i]) <= n && strstr(buf, known[i]))
			return true;
	static const char *const prefixes[] = {"secret-", "public-token-", "session-", "eyJ",
	                                       "Bearer ", "Basic ",        NULL};
	for (size_t i = 0; prefixes[i]; i++)
		if (prefixed(buf, n, prefixes[i]))
			return true;
	return jwt_shaped(buf, n) || opaque_shaped(buf, n);
}

/* The length of the valid UTF-8 sequence at s (at most len bytes), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t len)
{
	size_t n;
	unsigned cp;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Overlong forms, surrogates and values past U+10FFFF are not UTF-8. */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

size_t se_mask_escape(char *dst, size_t size, const char *src, size_t len)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t w = 0, room = size - 4; /* keeps space for "..." and the NUL */
	for (size_t i = 0; i < len;) {
		size_t n = utf8_len(s + i, len - i);
		bool esc = n == 0 || s[i] < 0x20 || s[i] == 0x7f || s[i] == '\\';
		size_t need = esc ? 4 : n;
		if (w + need > room || (w + need > size - 1 && i + n < len)) {
			memcpy(dst + w, "...", 4);
			return w + 3;
		}
		if (esc) {
			snprintf(dst + w, 5, "\\x%02x", s[i]);
			i++;
		} else {
			memcpy(dst + w, s + i, n);
			i += n;
		}
		w += need;
	}
	dst[w] = '\0';
	return w;
}

/* The pattern segment at index k ("{session_token}"), or NULL. */
static bool sensitive_at(const char *pattern, size_t k)
{
	if (!pattern)
		return false;
	const char *p = pattern;
	for (size_t i = 0; i <= k; i++) {
		if (*p != '/')
			return false;
		const char *seg = ++p;
		size_t n = strcspn(seg, "/");
		if (i == k) {
			char name[64];
			if (n < 2 || seg[0] != '{' || seg[n - 1] != '}' || n - 2 >= sizeof name)
				return false;
			memcpy(name, seg + 1, n - 2);
			name[n - 2] = '\0';
			return se_mask_sensitive_name(name);
		}
		p = seg + n;
	}
	return false;
}

char *se_mask_path(const char *path, const char *pattern, const char *const *known, size_t max)
{
	if (!path)
		path = "";
	if (max < 32)
		max = 32;
	char *out = malloc(max + 1);
	if (!out)
		return NULL;
	size_t w = 0, k = 0;
	const char *p = path;
	while (*p) {
		/* A segment: the bytes after a '/' (or from the start) up to the next '/'. */
		bool slash = *p == '/';
		const char *seg = p + (slash ? 1 : 0);
		size_t n = strcspn(seg, "/");
		char piece[DECODE_MAX * 4 + 16];
		size_t pn;
		if (se_mask_is_secret(seg, n, known) || (slash && sensitive_at(pattern, k)))
			pn = (size_t)snprintf(piece, sizeof piece, "%s" SE_MASK_REDACTED, slash ? "/" : "");
		else {
			piece[0] = '/';
			pn = (slash ? 1 : 0) + se_mask_escape(piece + (slash ? 1 : 0), sizeof piece - 1, seg, n);
		}
		if (w + pn > max) {
			/* Cut: keep whole characters of what fits, then "...". */
			size_t keep = w + 3 <= max ? max - 3 - w : 0;
			while (keep > 0 && keep < pn && ((unsigned char)piece[keep] & 0xc0) == 0x80)
				keep--;
			memcpy(out + w, piece, keep);
			w += keep;
			if (w + 3 > max) {
				/* Back into what is written: again never inside a character. */
				w = max - 3;
				while (w > 0 && ((unsigned char)out[w] & 0xc0) == 0x80)
					w--;
			}
			memcpy(out + w, "...", 3);
			w += 3;
			break;
		}
		memcpy(out + w, piece, pn);
		w += pn;
		p = seg + n;
		if (slash)
			k++;
	}
	out[w] = '\0';
	return out;
}
