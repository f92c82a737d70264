/* Small shared helpers: strings, JSON field access and percent-decoding. No state; returned strings are malloc'd
 * for the caller, JSON values follow jansson's rule (new references unless said borrowed). */
#ifndef SE_UTIL_H
#define SE_UTIL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* strdup that accepts NULL (returns NULL). Caller frees. */
char *se_strdup(const char *s);

/* printf into a new heap string; NULL on allocation failure. Caller frees. */
char *se_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Decodes %XX escapes in place ('+' is left alone). Returns 0, or SE_EINVAL on a bad escape or an
 * embedded NUL. */
int se_percent_decode(char *s);

/* The string value of key in obj, or NULL when absent, null or not a string. Borrowed. */
const char *se_json_str(const json_t *obj, const char *key);

/* Returns json_string(s) or json_string("") for NULL; new reference. */
json_t *se_json_str_or_empty(const char *s);

/* Parses JSON text, returning a new reference or NULL. */
json_t *se_json_parse(const char *text);

/* Serializes compactly; caller frees. NULL on failure. */
char *se_json_dump(const json_t *v);

/* True when s equals one of the NULL-terminated list. */
bool se_str_in(const char *s, const char *const *list);


/* Whether JSON text nests arrays and objects deeper than max_depth (strings are skipped). */
bool se_json_too_deep(const char *text, size_t len, int max_depth);

/* Checks every string (keys too) is at most max_string bytes and every array and object has at
 * most max_items members. Returns 0 or SE_ELIMIT. */
int se_json_check_sizes(const json_t *v, size_t max_string, size_t max_items);

#endif
