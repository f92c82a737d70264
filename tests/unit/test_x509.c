/* Unit tests for crypto/x509.c: signing certificates (generated, from a given key, seeded), X.509 parsing
 * and RSA private key checks. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "crypto/keycheck.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "testutil.h"
#include "util/util.h"
#include "util/errors_code.h"

/* A fixed RSA 2048 key in PKCS#1 form and the same key in PKCS#8 form, so tests need no key generation. */
static const char key_pkcs1[] = "-----BEGIN RSA PRIVATE KEY-----\n"
                                "MIIEogIBAAKCAQEAuNgC1UWZmUcjmnxug48CPieyRJoJA4SX6H3Y30PJ1lJfeZe3\n"
                                "3VSXQKN8koqiGQA17Emmfk6O0jKvoxIKV8i0S3ukBpcC4tqffS8oLJFkg1bJrcmr\n"
                                "jehP9UCEVhaHQz0T1N9mMb0CyQBpoLgrTb2RR5FG/ouNqsCMBSf/7S/L8QPz2Psb\n"
                                "GguVDriSzse1pVp8E1Os292hgQZwYFx2FIu2HzOHJ9/XznxhQJ3Nkv74b3hP6NII\n"
                                "Fti04dEyvm+Ym9reUssmoIfFjSX9ioj0Dn/Qm7TzgZJTBgH9DtrDl9ilmq99mjNs\n"
                                "IODEBVW47EJzjUaftYKJjNR8GnCkRTGzw69qIQIDAQABAoH/OI81pAyn8z7RUMlt\n"
                                "B38QMJ9KQl41DokunPU6ZxasVpLd+VbIlpuhAdEEon0ecd1JTVk77hTGSYs43az8\n"
                                "0opB9iw0Wc/bZ47TPnraJXOs+INAiEItPD7ZjdyFTHztkVAfFq6aQUiUkZc5ZZ70\n"
                                "9n9gSjB/M2Qq9RSgbkjPBsSZTXsM5iYqdc32fBuRrg4ZMq1BJ+HC0l48QQzyURZn\n"
                                "DtqkFVZqgyk0k/sLFqqtcZdeRBk7IX4uZKdYURYMLLvDVG4hVel19YogUuUWQkdU\n"
                                "ydGJ+RQgVOVDON5SGwcujv0YBp8GJRRc92rrDzwxq00z6h2qpBQozAex9xinkuev\n"
                                "4KTBAoGBAPJWfVvkgEHfkNPWsvTc/Jhrr0ev0syLyDjEyvbwZZhhVZRSwri93N4g\n"
                                "J/lP1P/2NCX4wWpN+vPIOBhDEEZ/yBolRO+Bs5mXuUPwO3s+SrgDZ1mYZ6UJ5/O6\n"
                                "Qy+VNKWgH/cmf16PzH6BCsOnT8Y74xQ9dKo1d86AaFYO5yR7/EwJAoGBAMNDvuWG\n"
                                "QPSNswIdQiQtUps2/f6mt9qM0bbzsgFjlSAf+tGNgkPd547iOZblsJOhIvK4Ugwu\n"
                                "t2SZ0r0InZ4og6VaDN9Nq5YSxLXVBdMC6woGfTVwLRhbiY5RRganqpUsg2EWxOl3\n"
                                "pp92uCexWpW8Mba/se3ot6pZWikpkZriZeNZAoGBAOTAna6rYCJOTeCZbu3S2CFs\n"
                                "rNUnc/2fCQ4FPW2h+NTBNE5BXQuUNTP7+J/PKsm+9vTM/o5BM90Ap2rHi0pw/ksn\n"
                                "2Q2YShd27+vgjdVFNLTEib86LMPOOQSJUzhMSJj7MJFU5rA1Xxwe5TFQ8u21xCFr\n"
                                "7X9p30CvV0283ZVD8CE5AoGAS3zNN/6G7gQ5x/93qnS7ErZXyzK4sQzvpkLf9hmB\n"
                                "dUHnvUtvqL0I3/wlN2jksq4AzMTlM0B8NbAiAGJsTNBs1GfTwiBMzV/EHGeWMNVX\n"
                                "+DA6B4auaFQ7AYH6CGiZUcI7qDUdOwS+rbc/yliOJIT00ymYp9jn6DtS18byO2Z6\n"
                                "7UECgYEA09UcJ2XUd9RuYqPMTaHv4PwiG9DQhyOSzFNoc0tSkkRsQ8yyQ2aKBAUC\n"
                                "iK2jWltXa1i+5tlixn1vzYaDXsFEXCCvfhIoCvnSEjVFax5luEK9oGDBXkYgoZL9\n"
                                "lGi13A6C/5u0wBMI6C93qcU/oR8h6DH9r34Zs+/SKnE7EWvKsuo=\n"
                                "-----END RSA PRIVATE KEY-----\n";

static const char key_pkcs8[] = "-----BEGIN PRIVATE KEY-----\n"
                                "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQC42ALVRZmZRyOa\n"
                                "fG6DjwI+J7JEmgkDhJfofdjfQ8nWUl95l7fdVJdAo3ySiqIZADXsSaZ+To7SMq+j\n"
                                "EgpXyLRLe6QGlwLi2p99LygskWSDVsmtyauN6E/1QIRWFodDPRPU32YxvQLJAGmg\n"
                                "uCtNvZFHkUb+i42qwIwFJ//tL8vxA/PY+xsaC5UOuJLOx7WlWnwTU6zb3aGBBnBg\n"
                                "XHYUi7YfM4cn39fOfGFAnc2S/vhveE/o0ggW2LTh0TK+b5ib2t5Syyagh8WNJf2K\n"
                                "iPQOf9CbtPOBklMGAf0O2sOX2KWar32aM2wg4MQFVbjsQnONRp+1gomM1HwacKRF\n"
                                "MbPDr2ohAgMBAAECgf84jzWkDKfzPtFQyW0HfxAwn0pCXjUOiS6c9TpnFqxWkt35\n"
                                "VsiWm6EB0QSifR5x3UlNWTvuFMZJizjdrPzSikH2LDRZz9tnjtM+etolc6z4g0CI\n"
                                "Qi08PtmN3IVMfO2RUB8WrppBSJSRlzllnvT2f2BKMH8zZCr1FKBuSM8GxJlNewzm\n"
                                "Jip1zfZ8G5GuDhkyrUEn4cLSXjxBDPJRFmcO2qQVVmqDKTST+wsWqq1xl15EGTsh\n"
                                "fi5kp1hRFgwsu8NUbiFV6XX1iiBS5RZCR1TJ0Yn5FCBU5UM43lIbBy6O/RgGnwYl\n"
                                "FFz3ausPPDGrTTPqHaqkFCjMB7H3GKeS56/gpMECgYEA8lZ9W+SAQd+Q09ay9Nz8\n"
                                "mGuvR6/SzIvIOMTK9vBlmGFVlFLCuL3c3iAn+U/U//Y0JfjBak3688g4GEMQRn/I\n"
                                "GiVE74GzmZe5Q/A7ez5KuANnWZhnpQnn87pDL5U0paAf9yZ/Xo/MfoEKw6dPxjvj\n"
                                "FD10qjV3zoBoVg7nJHv8TAkCgYEAw0O+5YZA9I2zAh1CJC1Smzb9/qa32ozRtvOy\n"
                                "AWOVIB/60Y2CQ93njuI5luWwk6Ei8rhSDC63ZJnSvQidniiDpVoM302rlhLEtdUF\n"
                                "0wLrCgZ9NXAtGFuJjlFGBqeqlSyDYRbE6Xemn3a4J7Falbwxtr+x7ei3qllaKSmR\n"
                                "muJl41kCgYEA5MCdrqtgIk5N4Jlu7dLYIWys1Sdz/Z8JDgU9baH41ME0TkFdC5Q1\n"
                                "M/v4n88qyb729Mz+jkEz3QCnaseLSnD+SyfZDZhKF3bv6+CN1UU0tMSJvzosw845\n"
                                "BIlTOExImPswkVTmsDVfHB7lMVDy7bXEIWvtf2nfQK9XTbzdlUPwITkCgYBLfM03\n"
                                "/obuBDnH/3eqdLsStlfLMrixDO+mQt/2GYF1Qee9S2+ovQjf/CU3aOSyrgDMxOUz\n"
                                "QHw1sCIAYmxM0GzUZ9PCIEzNX8QcZ5Yw1Vf4MDoHhq5oVDsBgfoIaJlRwjuoNR07\n"
                                "BL6ttz/KWI4khPTTKZin2OfoO1LXxvI7ZnrtQQKBgQDT1RwnZdR31G5io8xNoe/g\n"
                                "/CIb0NCHI5LMU2hzS1KSRGxDzLJDZooEBQKIraNaW1drWL7m2WLGfW/NhoNewURc\n"
                                "IK9+EigK+dISNUVrHmW4Qr2gYMFeRiChkv2UaLXcDoL/m7TAEwjoL3epxT+hHyHo\n"
                                "Mf2vfhmz79IqcTsRa8qy6g==\n"
                                "-----END PRIVATE KEY-----\n";

/* 2026-11-24T10:00:00Z and 2036-11-24T10:00:00Z */
#define CREATED ((time_t)1795514400)
#define EXPIRES ((time_t)2111133600)

static EVP_PKEY *cert_pubkey(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	EVP_PKEY *k = x ? X509_get_pubkey(x) : NULL;
	X509_free(x);
	BIO_free(bio);
	return k;
}

static EVP_PKEY *private_key(const char *pem)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
	BIO_free(bio);
	return k;
}

/* Body of a PEM block (between the BEGIN and END lines), with its newlines. */
static char *pem_body(const char *pem)
{
	const char *start = strchr(pem, '\n');
	const char *end = strstr(pem, "-----END");
	ck_assert_ptr_nonnull(start);
	ck_assert_ptr_nonnull(end);
	start++;
	char *s = malloc((size_t)(end - start) + 1);
	memcpy(s, start, (size_t)(end - start));
	s[end - start] = '\0';
	return s;
}

START_TEST(test_signing_cert_generated)
{
	char *pem = NULL, *issuer = NULL, *norm = NULL;
	time_t na = 0, nb = 0, na2 = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &pem, NULL, &na), 0);
	ck_assert_int_eq(na, EXPIRES);
	ck_assert_ptr_nonnull(strstr(pem, "-----BEGIN CERTIFICATE-----"));

	ck_assert_int_eq(se_crypto_x509_parse(pem, &issuer, &nb, &na2, &norm), 0);
	ck_assert_str_eq(issuer, "Stytch");
	ck_assert_int_eq(nb, CREATED);
	ck_assert_int_eq(na2, EXPIRES);
	ck_assert_str_eq(norm, pem);

	char path[] = "/tmp/se_test_cert_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, pem, strlen(pem)), (ssize_t)strlen(pem));
	close(fd);
	char cmd[1024];
	int n =
	    snprintf(cmd, sizeof(cmd),
	             "openssl x509 -noout -text -in %s > %s.txt 2>&1 && grep -q 'Version: 3' %s.txt && "
	             "grep -q 'Subject: CN = Stytch' %s.txt && grep -q 'Issuer: CN = Stytch' %s.txt && "
	             "grep -q 'Public-Key: (2048 bit)' %s.txt && grep -q 'sha256WithRSAEncryption' %s.txt && "
	             "grep -q 'Not After : Nov 24 10:00:00 2036 GMT' %s.txt && "
	             "openssl verify -attime 1795514401 -check_ss_sig -CAfile %s -partial_chain %s > /dev/null 2>&1",
	             path, path, path, path, path, path, path, path, path, path);
	ck_assert(n > 0 && (size_t)n < sizeof(cmd));
	int st = system(cmd);
	snprintf(cmd, sizeof(cmd), "%s.txt", path);
	unlink(cmd);
	unlink(path);
	ck_assert_int_eq(st, 0);

	free(pem);
	free(issuer);
	free(norm);
}
END_TEST

START_TEST(test_signing_cert_given_key)
{
	char *pem1 = NULL, *pem8 = NULL;
	time_t na = 0;
	EVP_PKEY *want = private_key(key_pkcs1);
	ck_assert_ptr_nonnull(want);

	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs1, CREATED, &pem1, NULL, &na), 0);
	ck_assert_int_eq(na, EXPIRES);
	EVP_PKEY *got1 = cert_pubkey(pem1);
	ck_assert_ptr_nonnull(got1);
	ck_assert_int_eq(EVP_PKEY_eq(want, got1), 1);

	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs8, CREATED, &pem8, NULL, &na), 0);
	EVP_PKEY *got8 = cert_pubkey(pem8);
	ck_assert_ptr_nonnull(got8);
	ck_assert_int_eq(EVP_PKEY_eq(want, got8), 1);
	/* Different random serials. */
	ck_assert_str_ne(pem1, pem8);

	char *out = (char *)0x1;
	na = 7;
	ck_assert_int_eq(se_crypto_signing_cert_new("garbage", CREATED, &out, NULL, &na), SE_EINVAL);
	ck_assert_int_eq(se_crypto_signing_cert_new(pem1, CREATED, &out, NULL, &na), SE_EINVAL);
	ck_assert_ptr_eq(out, (char *)0x1);
	ck_assert_int_eq(na, 7);

	EVP_PKEY_free(want);
	EVP_PKEY_free(got1);
	EVP_PKEY_free(got8);
	free(pem1);
	free(pem8);
}
END_TEST

/* The key handed back behind a certificate is PKCS#1, is the certificate's key (generated or given, PKCS#8 given
 * comes back as PKCS#1), and passes the module's own PKCS#1 check. */
START_TEST(test_signing_cert_key_out)
{
	char *pem = NULL, *key = NULL;
	time_t na = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &pem, &key, &na), 0);
	ck_assert_ptr_nonnull(strstr(key, "-----BEGIN RSA PRIVATE KEY-----"));
	ck_assert_int_eq(se_crypto_rsa_private_key_check(key), 0);
	EVP_PKEY *priv = private_key(key), *pub = cert_pubkey(pem);
	ck_assert_ptr_nonnull(priv);
	ck_assert_ptr_nonnull(pub);
	ck_assert_int_eq(EVP_PKEY_eq(priv, pub), 1);
	EVP_PKEY_free(priv);
	EVP_PKEY_free(pub);
	free(pem);
	free(key);

	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs8, CREATED, &pem, &key, &na), 0);
	ck_assert_str_eq(key, key_pkcs1);
	free(pem);
	free(key);

	key = (char *)0x1;
	ck_assert_int_eq(se_crypto_signing_cert_new("garbage", CREATED, &pem, &key, &na), SE_EINVAL);
	ck_assert_ptr_eq(key, (char *)0x1);
}
END_TEST

/* se_crypto_key_matches_cert(): a certificate's own key (PKCS#1 or PKCS#8) matches, another key, garbage or a
 * certificate in the key's place does not. */
START_TEST(test_key_matches_cert)
{
	char *pem = NULL, *key = NULL, *other = NULL, *other_key = NULL;
	time_t na = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs1, CREATED, &pem, NULL, &na), 0);
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &other, &other_key, &na), 0);
	ck_assert_int_eq(se_crypto_key_matches_cert(key_pkcs1, pem), 0);
	ck_assert_int_eq(se_crypto_key_matches_cert(key_pkcs8, pem), 0);
	ck_assert_int_eq(se_crypto_key_matches_cert(other_key, other), 0);
	ck_assert_int_eq(se_crypto_key_matches_cert(other_key, pem), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert(key_pkcs1, other), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert("garbage", pem), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert(pem, pem), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert(key_pkcs1, "garbage"), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert(NULL, pem), SE_EINVAL);
	ck_assert_int_eq(se_crypto_key_matches_cert(key_pkcs1, NULL), SE_EINVAL);
	free(key);
	free(pem);
	free(other);
	free(other_key);
}
END_TEST

/* s with every line break turned into a space, as a one-line input field sends a pasted PEM. */
static char *one_line(const char *s)
{
	char *out = strdup(s);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
	return out;
}

START_TEST(test_pem_one_line)
{
	char *pem = NULL, *issuer = NULL, *norm = NULL;
	time_t na = 0, nb = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs1, CREATED, &pem, NULL, &na), 0);
	char *flat = one_line(pem);
	ck_assert_int_eq(se_crypto_x509_parse(flat, &issuer, &nb, &na, &norm), 0);
	ck_assert_str_eq(norm, pem);
	free(issuer);
	free(norm);
	free(flat);
	flat = one_line(key_pkcs1);
	ck_assert_int_eq(se_crypto_rsa_private_key_check(flat), 0);
	free(pem);
	ck_assert_int_eq(se_crypto_signing_cert_new(flat, CREATED, &pem, NULL, &na), 0);
	free(flat);
	flat = one_line(key_pkcs8);
	free(pem);
	ck_assert_int_eq(se_crypto_signing_cert_new(flat, CREATED, &pem, NULL, &na), 0);
	free(flat);
	/* Whitespace is all that is forgiven: a broken body or junk after END still fails. */
	ck_assert_int_eq(se_crypto_x509_parse("-----BEGIN CERTIFICATE----- MIID!! -----END CERTIFICATE-----", NULL, NULL,
					      NULL, &norm),
			 SE_EINVAL);
	char *junk = se_asprintf("%s junk", pem);
	flat = one_line(junk);
	ck_assert_int_eq(se_crypto_x509_parse(flat, NULL, NULL, NULL, &norm), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse("-----BEGIN CERTIFICATE----- no end", NULL, NULL, NULL, &norm), SE_EINVAL);
	free(flat);
	free(junk);
	free(pem);
}
END_TEST

START_TEST(test_x509_parse_forms)
{
	char *pem = NULL, *issuer = NULL, *norm = NULL;
	time_t na = 0, nb = 0, na2 = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs1, CREATED, &pem, NULL, &na), 0);

	/* CRLF line endings and surrounding whitespace. */
	size_t len = strlen(pem);
	char *crlf = malloc(len * 2 + 16);
	size_t j = 0;
	crlf[j++] = ' ';
	crlf[j++] = '\r';
	crlf[j++] = '\n';
	for (size_t i = 0; i < len; i++) {
		if (pem[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = pem[i];
	}
	crlf[j++] = '\t';
	crlf[j++] = '\n';
	crlf[j] = '\0';
	ck_assert_int_eq(se_crypto_x509_parse(crlf, &issuer, &nb, &na2, &norm), 0);
	ck_assert_str_eq(issuer, "Stytch");
	ck_assert_str_eq(norm, pem);
	free(issuer);
	free(norm);

	ck_assert_int_eq(se_crypto_x509_normalize(crlf, &norm), 0);
	ck_assert_str_eq(norm, pem);
	free(norm);

	/* Bare base64 body, as in SAML metadata, with spaces mixed in. */
	char *body = pem_body(pem);
	char *spaced = malloc(strlen(body) * 2 + 1);
	j = 0;
	for (size_t i = 0; body[i]; i++) {
		spaced[j++] = body[i];
		if (i % 50 == 7)
			spaced[j++] = ' ';
	}
	spaced[j] = '\0';
	issuer = norm = NULL;
	ck_assert_int_eq(se_crypto_x509_parse_base64(spaced, &issuer, &nb, &na2, &norm), 0);
	ck_assert_str_eq(issuer, "Stytch");
	ck_assert_int_eq(nb, CREATED);
	ck_assert_int_eq(na2, EXPIRES);
	ck_assert_str_eq(norm, pem);
	free(issuer);
	free(norm);

	/* Outputs are optional. */
	ck_assert_int_eq(se_crypto_x509_parse_base64(body, NULL, NULL, &na2, NULL), 0);
	ck_assert_int_eq(na2, EXPIRES);

	/* '=' padding is optional, but when given it must be what the length calls for, and only at the end. */
	char *compact = malloc(strlen(body) + 3);
	j = 0;
	for (size_t i = 0; body[i]; i++)
		if (body[i] != '\n')
			compact[j++] = body[i];
	compact[j] = '\0';
	while (j > 0 && compact[j - 1] == '=')
		compact[--j] = '\0';
	ck_assert_int_eq(se_crypto_x509_parse_base64(compact, NULL, NULL, &na2, NULL), 0);
	ck_assert_int_eq(na2, EXPIRES);
	size_t need = (4 - j % 4) % 4;
	strcat(compact, need == 2 ? "===" : need == 1 ? "==" : "=");
	ck_assert_int_eq(se_crypto_x509_parse_base64(compact, NULL, NULL, NULL, NULL), SE_EINVAL);
	compact[j] = '\0';
	compact[20] = '=';
	ck_assert_int_eq(se_crypto_x509_parse_base64(compact, NULL, NULL, NULL, NULL), SE_EINVAL);
	free(compact);

	/* Broken base64 body. */
	body[10] = '*';
	ck_assert_int_eq(se_crypto_x509_parse_base64(body, NULL, NULL, NULL, NULL), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse_base64("", NULL, NULL, NULL, NULL), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse_base64("aGVsbG8=", NULL, NULL, NULL, NULL), SE_EINVAL);

	free(body);
	free(spaced);
	free(crlf);
	free(pem);
}
END_TEST

START_TEST(test_x509_parse_invalid)
{
	char *issuer = (char *)0x1;
	time_t nb = 5;
	ck_assert_int_eq(se_crypto_x509_parse("not a certificate", &issuer, &nb, NULL, NULL), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse("", &issuer, &nb, NULL, NULL), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse(NULL, &issuer, &nb, NULL, NULL), SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", &issuer,
	                                      &nb, NULL, NULL),
	                 SE_EINVAL);
	ck_assert_int_eq(se_crypto_x509_parse(key_pkcs1, &issuer, &nb, NULL, NULL), SE_EINVAL);
	ck_assert_ptr_eq(issuer, (char *)0x1);
	ck_assert_int_eq(nb, 5);

	char *pem = NULL;
	time_t na = 0;
	ck_assert_int_eq(se_crypto_signing_cert_new(key_pkcs1, CREATED, &pem, NULL, &na), 0);
	char *junk = malloc(strlen(pem) + 16);
	strcpy(junk, "junk\n");
	strcat(junk, pem);
	ck_assert_int_eq(se_crypto_x509_parse(junk, NULL, NULL, NULL, NULL), SE_EINVAL);
	strcpy(junk, pem);
	strcat(junk, "junk\n");
	ck_assert_int_eq(se_crypto_x509_parse(junk, NULL, NULL, NULL, NULL), SE_EINVAL);
	/* A flipped byte inside the body. */
	strcpy(junk, pem);
	char *mid = junk + 100;
	*mid = *mid == 'A' ? 'B' : 'A';
	int rc = se_crypto_x509_parse(junk, NULL, NULL, NULL, NULL);
	ck_assert(rc == 0 || rc == SE_EINVAL);
	free(junk);
	free(pem);
}
END_TEST

START_TEST(test_rsa_key_check)
{
	ck_assert_int_eq(se_crypto_rsa_private_key_check(key_pkcs1), 0);
	char *padded = malloc(strlen(key_pkcs1) + 8);
	strcpy(padded, "\r\n  ");
	strcat(padded, key_pkcs1);
	strcat(padded, "\n");
	ck_assert_int_eq(se_crypto_rsa_private_key_check(padded), 0);
	free(padded);

	ck_assert_int_eq(se_crypto_rsa_private_key_check(key_pkcs8), SE_EINVAL);
	ck_assert_int_eq(se_crypto_rsa_private_key_check("garbage"), SE_EINVAL);
	ck_assert_int_eq(se_crypto_rsa_private_key_check(""), SE_EINVAL);
	ck_assert_int_eq(se_crypto_rsa_private_key_check(NULL), SE_EINVAL);
	ck_assert_int_eq(
	    se_crypto_rsa_private_key_check("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n"),
	    SE_EINVAL);

	/* Truncated body. */
	char *cut = strdup(key_pkcs1);
	char *end = strstr(cut, "-----END");
	memmove(cut + 200, end, strlen(end) + 1);
	ck_assert_int_eq(se_crypto_rsa_private_key_check(cut), SE_EINVAL);
	free(cut);

	/* Trailing junk. */
	char *tail = malloc(strlen(key_pkcs1) + 8);
	strcpy(tail, key_pkcs1);
	strcat(tail, "junk");
	ck_assert_int_eq(se_crypto_rsa_private_key_check(tail), SE_EINVAL);
	free(tail);
}
END_TEST

START_TEST(test_seeded_cert)
{
	char *p1 = NULL, *p2 = NULL;
	time_t na = 0;
	se_crypto_seed(42);
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &p1, NULL, &na), 0);
	se_crypto_seed(42);
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &p2, NULL, &na), 0);
	ck_assert_str_eq(p1, p2);
	free(p2);
	/* The stream continues: the next certificate differs. */
	ck_assert_int_eq(se_crypto_signing_cert_new(NULL, CREATED, &p2, NULL, &na), 0);
	ck_assert_str_ne(p1, p2);
	EVP_PKEY *k1 = cert_pubkey(p1), *k2 = cert_pubkey(p2);
	ck_assert_int_ne(EVP_PKEY_eq(k1, k2), 1);
	EVP_PKEY_free(k1);
	EVP_PKEY_free(k2);
	free(p1);
	free(p2);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
	    test_signing_cert_generated, test_signing_cert_given_key, test_signing_cert_key_out, test_key_matches_cert, test_x509_parse_forms,
	    test_x509_parse_invalid,     test_rsa_key_check,          test_seeded_cert,
	    test_pem_one_line,
	};
	return t_run("x509", tests, sizeof(tests) / sizeof(tests[0]));
}
