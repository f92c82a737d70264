/* X.509 and RSA keys on libcrypto: SAML signing certificates, certificate parsing (PEM and the base64 DER of SAML
 * metadata), RSA private key checks and generation in the reproducible library context (crypto/drbg.h). */
#include "crypto/x509.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto/drbg.h"
#include "crypto/rand.h"
#include "util/errors_code.h"

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Copies the whole content of a memory BIO into a new NUL-terminated string. Returns 0 or SE_ENOMEM. */
static int bio_to_string(BIO *bio, char **ret)
{
	char *data = NULL;
	long n = BIO_get_mem_data(bio, &data);
	if (n < 0)
		return SE_ENOMEM;
	char *s = malloc((size_t)n + 1);
	if (!s)
		return SE_ENOMEM;
	if (n > 0)
		memcpy(s, data, (size_t)n);
	s[n] = '\0';
	*ret = s;
	return 0;
}

/* Password callback that refuses, so an encrypted key fails to parse instead of prompting on the terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* Checks that s is at most SE_CRYPTO_PEM_MAX long and, after leading whitespace, starts with "-----BEGIN <label>-----",
 * and opens a memory BIO over it from there (the PEM reader wants BEGIN at the start of a line) into *ret (BIO_free).
 * Returns 0, SE_EINVAL or SE_ENOMEM. */
static int pem_open(const char *s, const char *label, BIO **ret)
{
	if (!s)
		return SE_EINVAL;
	size_t len = strnlen(s, SE_CRYPTO_PEM_MAX + 1);
	if (len > SE_CRYPTO_PEM_MAX)
		return SE_EINVAL;
	const char *p = s;
	while (is_space(*p))
		p++;
	size_t ll = strlen(label);
	if (strncmp(p, "-----BEGIN ", 11) != 0 || strncmp(p + 11, label, ll) != 0 ||
	    strncmp(p + 11 + ll, "-----", 5) != 0)
		return SE_EINVAL;
	len -= (size_t)(p - s);
	/* Without headers between BEGIN and END, the body is re-wrapped: whitespace inside the base64 is dropped
	 * and it is cut into lines of 64, so that a PEM whose line breaks became spaces (as the Admin Portal's
	 * one-line certificate field sends it) reads like any other. What follows END is left as it is: the
	 * readers refuse anything but whitespace there. */
	const char *body = p + 16 + ll;
	char end[96];
	snprintf(end, sizeof end, "-----END %s-----", label);
	const char *e = strstr(body, end);
	BIO *bio = BIO_new(BIO_s_mem());
	if (!bio)
		return SE_ENOMEM;
	int ok = 1;
	if (e && !memchr(body, ':', (size_t)(e - body))) {
		char head[96], line[65];
		size_t col = 0;
		snprintf(head, sizeof head, "-----BEGIN %s-----\n", label);
		ok = BIO_puts(bio, head) > 0;
		for (const char *q = body; ok && q < e; q++) {
			if (is_space(*q))
				continue;
			line[col++] = *q;
			if (col == 64) {
				line[col++] = '\n';
				ok = BIO_write(bio, line, (int)col) == (int)col;
				col = 0;
			}
		}
		if (ok && col) {
			line[col++] = '\n';
			ok = BIO_write(bio, line, (int)col) == (int)col;
		}
		size_t tail = len - (size_t)(e - p);
		ok = ok && BIO_write(bio, e, (int)tail) == (int)tail;
	} else {
		ok = BIO_write(bio, p, (int)len) == (int)len;
	}
	if (!ok) {
		BIO_free(bio);
		return SE_ENOMEM;
	}
	*ret = bio;
	return 0;
}

int se_crypto_pem_bio(const char *pem, BIO **ret)
{
	if (!pem)
		return SE_EINVAL;
	const char *p = pem;
	while (is_space(*p))
		p++;
	if (strncmp(p, "-----BEGIN ", 11) != 0)
		return SE_EINVAL;
	const char *end = strstr(p + 11, "-----");
	char label[64];
	if (!end || end - (p + 11) <= 0 || end - (p + 11) >= (long)sizeof label)
		return SE_EINVAL;
	memcpy(label, p + 11, (size_t)(end - (p + 11)));
	label[end - (p + 11)] = '\0';
	return pem_open(pem, label, ret);
}

/* 1 when everything left to read in bio is whitespace. */
static int bio_rest_is_space(BIO *bio)
{
	char buf[256];
	int n;
	while ((n = BIO_read(bio, buf, sizeof(buf))) > 0) {
		for (int i = 0; i < n; i++)
			if (!is_space(buf[i]))
				return 0;
	}
	return 1;
}

static int asn1_time_to_time_t(const ASN1_TIME *at, time_t *ret)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	if (!at || !ASN1_TIME_to_tm(at, &tm))
		return SE_EINVAL;
	time_t t = timegm(&tm);
	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mon == 11 && tm.tm_mday == 31))
		return SE_EINVAL;
	*ret = t;
	return 0;
}

/* created plus years calendar years, same month, day and time of day (Feb 29 normalizes to Mar 1). */
static int add_years(time_t created, int years, time_t *ret)
{
	struct tm tm;
	if (!gmtime_r(&created, &tm))
		return SE_EINVAL;
	tm.tm_year += years;
	tm.tm_isdst = 0;
	time_t t = timegm(&tm);
	if (t == (time_t)-1)
		return SE_EINVAL;
	*ret = t;
	return 0;
}

/* ---- RSA keys ----------------------------------------------------------------------------------------------- */

int se_crypto_rsa_generate(EVP_PKEY **ret)
{
	OSSL_LIB_CTX *lc = se_crypto_libctx();
	EVP_PKEY_CTX *ctx = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = SE_ECRYPTO;

	if (!lc)
		goto out;
	ctx = EVP_PKEY_CTX_new_from_name(lc, "RSA", NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 || EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) <= 0 ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0)
		goto out;
	*ret = pkey;
	rc = 0;
out:
	EVP_PKEY_CTX_free(ctx);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* Parses an unencrypted PEM RSA private key (PKCS#1 or PKCS#8) into *ret (caller frees with EVP_PKEY_free).
 * Returns 0, SE_EINVAL or SE_ECRYPTO. */
static int rsa_from_pem(const char *pem, EVP_PKEY **ret)
{
	OSSL_LIB_CTX *lc = se_crypto_libctx();
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	int rc = SE_ECRYPTO;

	if (!lc)
		goto out;
	rc = pem_open(pem, "RSA PRIVATE KEY", &bio);
	if (rc == SE_EINVAL)
		rc = pem_open(pem, "PRIVATE KEY", &bio);
	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	pkey = PEM_read_bio_PrivateKey_ex(bio, NULL, no_password, NULL, lc, NULL);
	if (!pkey || !EVP_PKEY_is_a(pkey, "RSA") || !bio_rest_is_space(bio))
		goto out;
	*ret = pkey;
	pkey = NULL;
	rc = 0;
out:
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_rsa_private_key_check(const char *pem)
{
	BIO *bio = NULL;
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long dlen = 0;
	EVP_PKEY *pkey = NULL;
	int rc = pem_open(pem, "RSA PRIVATE KEY", &bio);

	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	/* The label and the absence of an encryption header, which PEM_read_bio_PrivateKey would not tell us. */
	if (!PEM_read_bio(bio, &name, &header, &data, &dlen) || strcmp(name, "RSA PRIVATE KEY") != 0 ||
	    header[0] != '\0' || !bio_rest_is_space(bio))
		goto out;
	rc = rsa_from_pem(pem, &pkey);
out:
	EVP_PKEY_free(pkey);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_clear_free(data, dlen > 0 ? (size_t)dlen : 0);
	BIO_free(bio);
	if (rc < 0)
		ERR_clear_error();
	return rc < 0 ? SE_EINVAL : 0;
}

/* ---- signing certificates ----------------------------------------------------------------------------------- */

static int add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	X509_EXTENSION *ext = X509V3_EXT_nconf_nid(NULL, &v3, nid, value);
	if (!ext)
		return SE_ECRYPTO;
	int ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : SE_ECRYPTO;
}

int se_crypto_signing_cert_new(const char *key_pem, time_t created, char **ret_cert_pem, char **ret_key_pem,
                               time_t *ret_not_after)
{
	EVP_PKEY *pkey = NULL;
	int rc = key_pem ? rsa_from_pem(key_pem, &pkey) : se_crypto_rsa_generate(&pkey);
	if (rc < 0)
		return rc;
	rc = se_crypto_signing_cert_from_key(pkey, created, ret_cert_pem, ret_key_pem, ret_not_after);
	EVP_PKEY_free(pkey);
	return rc;
}

int se_crypto_signing_cert_from_key(EVP_PKEY *pkey, time_t created, char **ret_cert_pem, char **ret_key_pem,
                                    time_t *ret_not_after)
{
	OSSL_LIB_CTX *lc = se_crypto_libctx();
	X509 *x = NULL;
	BIGNUM *bn = NULL;
	BIO *bio = NULL;
	char *pem = NULL, *kpem = NULL;
	unsigned char serial[16];
	time_t not_after = 0;
	int rc = SE_ECRYPTO;

	if (!lc || !pkey || !ret_cert_pem || !ret_not_after) {
		rc = lc ? SE_EINVAL : SE_ECRYPTO;
		goto out;
	}
	rc = add_years(created, 10, &not_after);
	if (rc < 0)
		goto out;
	rc = se_crypto_random(serial, sizeof(serial));
	if (rc < 0)
		goto out;
	/* Positive (top bit clear) and never zero, always 16 DER content bytes. */
	serial[0] = (unsigned char)((serial[0] & 0x7f) | 0x40);

	rc = SE_ECRYPTO;
	x = X509_new_ex(lc, NULL);
	bn = BN_bin2bn(serial, sizeof(serial), NULL);
	if (!x || !bn)
		goto out;
	X509_NAME *name = X509_get_subject_name(x);
	if (!X509_set_version(x, X509_VERSION_3) || !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) ||
	    !ASN1_TIME_set(X509_getm_notBefore(x), created) || !ASN1_TIME_set(X509_getm_notAfter(x), not_after) ||
	    !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"Stytch", -1, -1, 0) ||
	    !X509_set_issuer_name(x, name) || !X509_set_pubkey(x, pkey))
		goto out;
	if (add_ext(x, NID_basic_constraints, "critical,CA:FALSE") < 0 ||
	    add_ext(x, NID_key_usage, "critical,digitalSignature") < 0 ||
	    add_ext(x, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, NID_authority_key_identifier, "keyid:always") < 0)
		goto out;
	if (X509_sign(x, pkey, EVP_sha256()) <= 0)
		goto out;
	bio = BIO_new(BIO_s_mem());
	if (!bio || !PEM_write_bio_X509(bio, x))
		goto out;
	rc = bio_to_string(bio, &pem);
	if (rc < 0)
		goto out;
	if (ret_key_pem) {
		rc = SE_ECRYPTO;
		BIO_free(bio);
		bio = BIO_new(BIO_s_mem());
		if (!bio || !PEM_write_bio_PrivateKey_traditional(bio, pkey, NULL, NULL, 0, NULL, NULL))
			goto out;
		rc = bio_to_string(bio, &kpem);
		if (rc < 0)
			goto out;
		*ret_key_pem = kpem;
		kpem = NULL;
	}
	*ret_cert_pem = pem;
	pem = NULL;
	*ret_not_after = not_after;
	rc = 0;
out:
	free(pem);
	BIO_free(bio);
	BN_free(bn);
	X509_free(x);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

/* ---- certificate parsing ------------------------------------------------------------------------------------ */

/* The issuer CN as UTF-8, or the RFC 2253 issuer string when there is no usable CN. Caller frees *ret. */
static int issuer_string(X509 *x, char **ret)
{
	const X509_NAME *name = X509_get_issuer_name(x);
	unsigned char *utf8 = NULL;
	BIO *bio = NULL;
	char *s = NULL;
	int rc = SE_ENOMEM;

	int idx = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
	if (idx >= 0) {
		ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
		int n = data ? ASN1_STRING_to_UTF8(&utf8, data) : -1;
		if (n >= 0 && memchr(utf8, '\0', (size_t)n) == NULL) {
			s = malloc((size_t)n + 1);
			if (!s)
				goto out;
			memcpy(s, utf8, (size_t)n);
			s[n] = '\0';
			*ret = s;
			rc = 0;
			goto out;
		}
	}
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		goto out;
	if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
		rc = SE_ECRYPTO;
		goto out;
	}
	rc = bio_to_string(bio, ret);
out:
	OPENSSL_free(utf8);
	BIO_free(bio);
	return rc;
}

/* Fills the optional outputs of the parse functions from x; each is written only when all succeed. */
static int x509_describe(X509 *x, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after, char **ret_pem)
{
	char *issuer = NULL, *pem = NULL;
	BIO *bio = NULL;
	time_t nb = 0, na = 0;
	int rc;

	rc = asn1_time_to_time_t(X509_get0_notBefore(x), &nb);
	if (rc < 0)
		goto out;
	rc = asn1_time_to_time_t(X509_get0_notAfter(x), &na);
	if (rc < 0)
		goto out;
	if (ret_issuer) {
		rc = issuer_string(x, &issuer);
		if (rc < 0)
			goto out;
	}
	if (ret_pem) {
		rc = SE_ECRYPTO;
		bio = BIO_new(BIO_s_mem());
		if (!bio || !PEM_write_bio_X509(bio, x))
			goto out;
		rc = bio_to_string(bio, &pem);
		if (rc < 0)
			goto out;
	}
	if (ret_issuer) {
		*ret_issuer = issuer;
		issuer = NULL;
	}
	if (ret_pem) {
		*ret_pem = pem;
		pem = NULL;
	}
	if (ret_not_before)
		*ret_not_before = nb;
	if (ret_not_after)
		*ret_not_after = na;
	rc = 0;
out:
	free(issuer);
	free(pem);
	BIO_free(bio);
	return rc;
}

/* Reads one PEM certificate surrounded by whitespace only into *ret (X509_free). Returns 0, SE_EINVAL or SE_ENOMEM. */
static int x509_from_pem(const char *pem, X509 **ret)
{
	BIO *bio = NULL;
	int rc = pem_open(pem, "CERTIFICATE", &bio);

	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	X509 *x = PEM_read_bio_X509(bio, NULL, no_password, NULL);
	if (!x || !bio_rest_is_space(bio)) {
		X509_free(x);
		goto out;
	}
	*ret = x;
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

/* Decodes the standard base64 of a DER body, whitespace anywhere ignored and the '=' padding optional (metadata
 * writers differ), with EVP_DecodeBlock, which wants whole padded quanta. On success *ret is malloc'd, caller
 * frees. Returns 0, SE_EINVAL or SE_ENOMEM. */
static int der_from_base64(const char *s, size_t len, unsigned char **ret, size_t *ret_len)
{
	unsigned char *text = malloc(len + 4), *der = NULL;
	size_t n = 0, pad = 0;
	int rc = SE_ENOMEM;

	if (!text)
		goto out;
	for (size_t i = 0; i < len; i++)
		if (!is_space(s[i]))
			text[n++] = (unsigned char)s[i];
	while (n > 0 && text[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	rc = SE_EINVAL;
	/* Padding, when given, must be exactly what the length calls for. */
	if (n % 4 == 1 || (pad > 0 && (n + pad) % 4 != 0) || memchr(text, '=', n))
		goto out;
	pad = (4 - n % 4) % 4;
	memset(text + n, '=', pad);
	rc = SE_ENOMEM;
	der = malloc((n + pad) / 4 * 3 + 1);
	if (!der)
		goto out;
	int got = EVP_DecodeBlock(der, text, (int)(n + pad));
	rc = SE_EINVAL;
	if (got < 0 || (size_t)got < pad)
		goto out;
	*ret = der;
	*ret_len = (size_t)got - pad;
	der = NULL;
	rc = 0;
out:
	free(text);
	free(der);
	return rc;
}

/* Reads a bare base64 DER certificate (at most SE_CRYPTO_PEM_MAX characters, nothing after the DER) into *ret
 * (X509_free). Returns 0, SE_EINVAL or SE_ENOMEM. */
static int x509_from_base64(const char *b64, X509 **ret)
{
	unsigned char *der = NULL;
	size_t der_len = 0;
	int rc = SE_EINVAL;

	if (!b64)
		goto out;
	size_t len = strnlen(b64, SE_CRYPTO_PEM_MAX + 1);
	if (len > SE_CRYPTO_PEM_MAX)
		goto out;
	rc = der_from_base64(b64, len, &der, &der_len);
	if (rc < 0)
		goto out;
	rc = SE_EINVAL;
	const unsigned char *p = der;
	X509 *x = d2i_X509(NULL, &p, (long)der_len);
	if (!x || p != der + der_len) {
		X509_free(x);
		goto out;
	}
	*ret = x;
	rc = 0;
out:
	free(der);
	return rc;
}

/* Reads text with read, then describes the certificate (see se_crypto_x509_parse()). */
static int x509_parse_with(int (*read)(const char *, X509 **), const char *text, char **ret_issuer,
                           time_t *ret_not_before, time_t *ret_not_after, char **ret_pem)
{
	X509 *x = NULL;
	int rc = read(text, &x);
	if (rc == 0)
		rc = x509_describe(x, ret_issuer, ret_not_before, ret_not_after, ret_pem);
	X509_free(x);
	if (rc < 0)
		ERR_clear_error();
	return rc;
}

int se_crypto_x509_parse(const char *pem, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                         char **ret_pem)
{
	return x509_parse_with(x509_from_pem, pem, ret_issuer, ret_not_before, ret_not_after, ret_pem);
}

int se_crypto_x509_parse_base64(const char *b64, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                                char **ret_pem)
{
	return x509_parse_with(x509_from_base64, b64, ret_issuer, ret_not_before, ret_not_after, ret_pem);
}

int se_crypto_x509_normalize(const char *pem, char **ret_pem)
{
	if (!ret_pem)
		return SE_EINVAL;
	return se_crypto_x509_parse(pem, NULL, NULL, NULL, ret_pem);
}
