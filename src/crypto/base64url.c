/* Unpadded base64url over cjose's codec, with the input checks it lacks (its decoder asserts on "A="). */
#include "crypto/base64url.h"

#include <stdlib.h>
#include <string.h>

#include <cjose/base64.h>
#include <cjose/util.h>

#include "util/errors_code.h"

bool se_b64url_is_text(const char *s, size_t len)
{
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	for (size_t i = 0; i < len; i++)
		if (!s[i] || !strchr(alphabet, s[i]))
			return false;
	return true;
}

int se_b64url_encode(const void *data, size_t len, char **ret)
{
	char *text = NULL;
	size_t text_len = 0;
	cjose_err err = {0};

	if (!cjose_base64url_encode(data, len, &text, &text_len, &err))
		return SE_ENOMEM;
	char *s = malloc(text_len + 1);
	if (s) {
		memcpy(s, text, text_len);
		s[text_len] = '\0';
	}
	cjose_get_dealloc()(text);
	if (!s)
		return SE_ENOMEM;
	*ret = s;
	return 0;
}

int se_b64url_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_len)
{
	uint8_t *bytes = NULL;
	size_t n = 0;
	char *again = NULL;
	cjose_err err = {0};
	int rc = SE_EINVAL;

	if (!s || len % 4 == 1 || !se_b64url_is_text(s, len))
		goto out;
	if (!cjose_base64url_decode(s, len, &bytes, &n, &err)) {
		rc = err.code == CJOSE_ERR_NO_MEMORY ? SE_ENOMEM : SE_EINVAL;
		goto out;
	}
	/* Non-zero leftover bits decode to the same bytes as zero ones: only the canonical text is taken. */
	rc = se_b64url_encode(bytes, n, &again);
	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	if (strlen(again) != len || memcmp(again, s, len) != 0)
		goto out;
	rc = SE_ENOMEM;
	unsigned char *out = malloc(n + 1);
	if (!out)
		goto out;
	memcpy(out, bytes, n);
	out[n] = '\0';
	*ret = out;
	*ret_len = n;
	rc = 0;
out:
	if (bytes)
		cjose_get_dealloc()(bytes);
	free(again);
	return rc;
}
