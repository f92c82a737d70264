/* Credentials to principal: HTTP Basic parsing, public token, project secret and member sessions. */
#include "auth/auth.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crypto/digest.h"
#include "util/time.h"
#include "util/errors_code.h"

/* Longest Authorization value looked at; real credentials are far shorter. */
#define AUTH_MAX 2048

int se_auth_basic(const char *header, char **ret_user, char **ret_pass)
{
	if (!header || strncasecmp(header, "Basic ", 6) != 0)
		return SE_EINVAL;
	const char *b64 = header + 6;
	while (*b64 == ' ')
		b64++;
	size_t len = strlen(b64);
	while (len && b64[len - 1] == ' ')
		len--;
	if (len == 0 || len % 4 != 0 || len > AUTH_MAX)
		return SE_EINVAL;
	unsigned char *buf = malloc(len / 4 * 3 + 1);
	if (!buf)
		return SE_ENOMEM;
	int n = EVP_DecodeBlock(buf, (const unsigned char *)b64, (int)len);
	int r = SE_EINVAL;
	if (n < 0)
		goto done;
	/* EVP_DecodeBlock counts the padding as zero bytes: drop them. */
	if (b64[len - 1] == '=')
		n--;
	if (b64[len - 2] == '=')
		n--;
	buf[n] = '\0';
	if (memchr(buf, '\0', (size_t)n))
		goto done;
	char *colon = strchr((char *)buf, ':');
	if (!colon)
		goto done;
	*colon = '\0';
	char *user = strdup((char *)buf), *pass = strdup(colon + 1);
	if (!user || !pass) {
		free(user);
		free(pass);
		r = SE_ENOMEM;
		goto done;
	}
	*ret_user = user;
	*ret_pass = pass;
	r = 0;
done:
	free(buf);
	return r;
}

bool se_auth_is_public_token(const se_project *p, const char *user)
{
	return user && se_crypto_streq(user, p->public_token);
}

bool se_auth_is_secret(const se_project *p, const char *user, const char *pass)
{
	/* Both are compared whatever the first gives, so the time does not say which was wrong. */
	bool id = user && se_crypto_streq(user, p->project_id);
	bool secret = pass && se_crypto_streq(pass, p->secret);
	return id & secret;
}

se_error_id se_auth_session(se_db *db, const char *token, time_t now, se_session *ret_session,
			    se_member *ret_member)
{
	se_session s;
	se_member m;
	if (!token || !*token)
		return SE_ERR_SESSION_NOT_FOUND;
	int r = se_store_session_get(db, token, &s);
	if (r == SE_ENOTFOUND)
		return SE_ERR_SESSION_NOT_FOUND;
	if (r < 0)
		return SE_ERR_INTERNAL;
	if (s.expires_at) {
		time_t exp;
		if (se_time_parse(s.expires_at, &exp) < 0 || exp <= now) {
			se_session_release(&s);
			return SE_ERR_SESSION_NOT_FOUND;
		}
	}
	r = se_store_member_get(db, s.member_id, &m);
	if (r < 0) {
		se_session_release(&s);
		return r == SE_ENOTFOUND ? SE_ERR_SESSION_NOT_FOUND : SE_ERR_INTERNAL;
	}
	/* The roles the member's SCIM groups give count like its own (SCIM.md 6.5). */
	if (se_store_scim_member_complete(db, &m) < 0) {
		se_session_release(&s);
		se_member_release(&m);
		return SE_ERR_INTERNAL;
	}
	*ret_session = s;
	*ret_member = m;
	return SE_ERR_NONE;
}
