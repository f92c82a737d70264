/* Small shared helpers: strings, JSON field access and percent-decoding. */
#include "util/util.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"

char *se_strdup(const char *s)
{
	return s ? strdup(s) : NULL;
}

char *se_asprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int se_percent_decode(char *s)
{
	char *w = s;
	for (const char *r = s; *r; r++) {
		if (*r != '%') {
			*w++ = *r;
			continue;
		}
		int hi = hexval(r[1]);
		int lo = hi < 0 ? -1 : hexval(r[2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return SE_EINVAL;
		*w++ = (char)(hi * 16 + lo);
		r += 2;
	}
	*w = '\0';
	return 0;
}

const char *se_json_str(const json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

json_t *se_json_str_or_empty(const char *s)
{
	return json_string(s ? s : "");
}

json_t *se_json_parse(const char *text)
{
	return json_loads(text, JSON_REJECT_DUPLICATES, NULL);
}

char *se_json_dump(const json_t *v)
{
	return json_dumps(v, JSON_COMPACT);
}

bool se_str_in(const char *s, const char *const *list)
{
	if (!s)
		return false;
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

bool se_json_too_deep(const char *text, size_t len, int max_depth)
{
	int depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"')
			in_string = true;
		else if ((c == '[' || c == '{') && ++depth > max_depth)
			return true;
		else if (c == ']' || c == '}')
			depth--;
	}
	return false;
}

int se_json_check_sizes(const json_t *v, size_t max_string, size_t max_items)
{
	const char *key;
	json_t *item;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_STRING:
		return json_string_length(v) <= max_string ? 0 : SE_ELIMIT;
	case JSON_ARRAY:
		if (json_array_size(v) > max_items)
			return SE_ELIMIT;
		json_array_foreach(v, i, item)
			if (se_json_check_sizes(item, max_string, max_items) < 0)
				return SE_ELIMIT;
		return 0;
	case JSON_OBJECT:
		if (json_object_size(v) > max_items)
			return SE_ELIMIT;
		json_object_foreach((json_t *)v, key, item)
			if (strlen(key) > max_string || se_json_check_sizes(item, max_string, max_items) < 0)
				return SE_ELIMIT;
		return 0;
	default:
		return 0;
	}
}
