/* se_text_clip(): cutting text at a byte limit on UTF-8 character boundaries, invalid bytes replaced by U+FFFD. */
#include "util/text.h"

#include <stdlib.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD"
#define ELLIPSIS "..."

/* The length of the well-formed UTF-8 character at s (at most n bytes available), or 0 when the bytes there are
   not one (then the first byte is to be replaced). NUL counts as invalid: it would end the C string. */
static size_t char_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	if (c >= 0x01 && c <= 0x7F)
		return 1;
	size_t len;
	unsigned lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

bool se_utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = char_len(p + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

size_t se_text_clip_into(char *dst, size_t dst_size, const char *s, size_t len, bool *ret_cut)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t w = 0, limit = dst_size - 1, keep = 0, i = 0;
	bool cut = false;
	if (!s)
		len = 0;
	/* keep: how much of the output stays if the ellipsis has to be added after it. */
	while (i < len) {
		size_t n = char_len(p + i, len - i);
		const char *piece = n ? (const char *)p + i : REPLACEMENT;
		size_t plen = n ? n : 3;
		if (w + plen > limit) {
			cut = true;
			break;
		}
		memcpy(dst + w, piece, plen);
		w += plen;
		if (w + sizeof ELLIPSIS - 1 <= limit)
			keep = w;
		i += n ? n : 1;
	}
	if (cut) {
		w = keep;
		if (w + sizeof ELLIPSIS - 1 <= limit) {
			memcpy(dst + w, ELLIPSIS, sizeof ELLIPSIS - 1);
			w += sizeof ELLIPSIS - 1;
		}
	}
	dst[w] = '\0';
	if (ret_cut)
		*ret_cut = cut;
	return w;
}

char *se_text_clip(const char *s, size_t max)
{
	if (max < 3)
		max = 3;
	char *out = malloc(max + 1);
	if (out)
		se_text_clip_into(out, max + 1, s, s ? strlen(s) : 0, NULL);
	return out;
}
