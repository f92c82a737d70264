/* UTF-8-safe text: validity checks and cutting at a byte limit on character boundaries, with every invalid byte
 * replaced, so that no truncation ever yields a broken character or a string JSON cannot carry. */
#ifndef SE_TEXT_H
#define SE_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Whether the len bytes at s are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing past
   U+10FFFF) without a NUL byte. */
bool se_utf8_valid(const char *s, size_t len);

/* Writes into dst (dst_size bytes, at least 4) the len bytes at s as valid UTF-8: each invalid byte becomes
   U+FFFD, NUL bytes too, and the result is cut at the last whole character that lets it, plus "..." when cut,
   fit in dst_size - 1 bytes. Returns the length written (always NUL-terminated); *ret_cut (may be NULL) tells
   whether anything was left out. */
size_t se_text_clip_into(char *dst, size_t dst_size, const char *s, size_t len, bool *ret_cut);

/* Like se_text_clip_into() into a new string of at most max bytes (plus the NUL). s NULL is taken as "".
   Returns a malloc'd string (caller frees), or NULL when out of memory. */
char *se_text_clip(const char *s, size_t max);

#endif
