/* se_crypto_rsa_key_validate(): RSA private keys from requests must be real keys of a sane size, so that nothing
 * made from them (certificates, signatures) fails later or is weak. */
#include "crypto/keycheck.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <string.h>

#include "crypto/x509.h"
#include "util/errors_code.h"

/* Refuses to prompt: an encrypted key is not one we can use. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return -1;
}

/* The key's own consistency, what OpenSSL's pairwise check tests minus its primality tests of p and q (about a
   second for a 4096-bit key, too long for a request): n = p q, e d = 1 modulo p - 1 and q - 1, the CRT exponents
   and coefficient, and then a signature that verifies. Returns 0, SE_EINVAL or SE_ENOMEM. */
static int consistent(EVP_PKEY *pkey)
{
	static const char *const names[] = {OSSL_PKEY_PARAM_RSA_N,         OSSL_PKEY_PARAM_RSA_E,
	                                    OSSL_PKEY_PARAM_RSA_D,         OSSL_PKEY_PARAM_RSA_FACTOR1,
	                                    OSSL_PKEY_PARAM_RSA_FACTOR2,   OSSL_PKEY_PARAM_RSA_EXPONENT1,
	                                    OSSL_PKEY_PARAM_RSA_EXPONENT2, OSSL_PKEY_PARAM_RSA_COEFFICIENT1};
	enum { N, E, D, P, Q, DP, DQ, QI, COUNT };
	BIGNUM *v[COUNT] = {0}, *t = NULL, *p1 = NULL, *q1 = NULL;
	BN_CTX *bn = BN_CTX_new();
	EVP_MD_CTX *md = NULL;
	unsigned char sig[SE_RSA_MAX_BITS / 8];
	size_t siglen = sizeof sig;
	int rc = SE_ENOMEM;
	if (!bn || !(t = BN_new()) || !(p1 = BN_new()) || !(q1 = BN_new()))
		goto done;
	rc = SE_EINVAL;
	for (int i = 0; i < COUNT; i++)
		if (!EVP_PKEY_get_bn_param(pkey, names[i], &v[i]))
			goto done;
	if (BN_cmp(v[P], BN_value_one()) <= 0 || BN_cmp(v[Q], BN_value_one()) <= 0 || !BN_mul(t, v[P], v[Q], bn) ||
	    BN_cmp(t, v[N]) != 0)
		goto done;
	if (!BN_sub(p1, v[P], BN_value_one()) || !BN_sub(q1, v[Q], BN_value_one()) ||
	    !BN_mod_mul(t, v[E], v[D], p1, bn) || !BN_is_one(t) || !BN_mod_mul(t, v[E], v[D], q1, bn) || !BN_is_one(t))
		goto done;
	if (!BN_mod(t, v[D], p1, bn) || BN_cmp(t, v[DP]) != 0 || !BN_mod(t, v[D], q1, bn) || BN_cmp(t, v[DQ]) != 0 ||
	    !BN_mod_mul(t, v[QI], v[Q], v[P], bn) || !BN_is_one(t))
		goto done;
	static const unsigned char msg[] = "ssoemu key check";
	if (!(md = EVP_MD_CTX_new())) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestSign(md, sig, &siglen, msg, sizeof msg) != 1)
		goto done;
	EVP_MD_CTX_free(md);
	if (!(md = EVP_MD_CTX_new())) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
	    EVP_DigestVerify(md, sig, siglen, msg, sizeof msg) != 1)
		goto done;
	rc = 0;
done:
	EVP_MD_CTX_free(md);
	for (int i = 0; i < COUNT; i++)
		BN_clear_free(v[i]);
	BN_clear_free(t);
	BN_clear_free(p1);
	BN_clear_free(q1);
	BN_CTX_free(bn);
	return rc;
}

int se_crypto_rsa_key_validate(const char *pem)
{
	BIO *bio = NULL;
	EVP_PKEY *pkey = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *e = NULL;
	int rc = SE_EINVAL;
	size_t len = pem ? strlen(pem) : 0;
	if (len == 0 || len > 64 * 1024)
		goto done;
	/* The same reading of the PEM as the other key and certificate checks (one-line PEMs included). */
	int ob = se_crypto_pem_bio(pem, &bio);
	if (ob < 0) {
		rc = ob;
		goto done;
	}
	if (!(pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) ||
	    EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
		goto done;
	int bits = EVP_PKEY_get_bits(pkey);
	if (bits < SE_RSA_MIN_BITS || bits > SE_RSA_MAX_BITS)
		goto done;
	if (!EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_E, &e) || !BN_is_odd(e) || BN_is_one(e) ||
	    BN_num_bits(e) > 256)
		goto done;
	if (!(ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pkey, NULL))) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (EVP_PKEY_private_check(ctx) != 1)
		goto done;
	rc = consistent(pkey);
done:
	/* A refused key leaves OpenSSL's error queue filled; it must not be mistaken for a later call's error. */
	ERR_clear_error();
	BN_free(e);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return rc;
}

int se_crypto_key_matches_cert(const char *key_pem, const char *cert_pem)
{
	BIO *kb = NULL, *cb = NULL;
	EVP_PKEY *pkey = NULL;
	X509 *x = NULL;
	int rc = SE_EINVAL;
	size_t klen = key_pem ? strlen(key_pem) : 0, clen = cert_pem ? strlen(cert_pem) : 0;
	if (klen == 0 || klen > 64 * 1024 || clen == 0 || clen > 64 * 1024)
		goto done;
	if (!(kb = BIO_new_mem_buf(key_pem, (int)klen)) || !(cb = BIO_new_mem_buf(cert_pem, (int)clen))) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (!(pkey = PEM_read_bio_PrivateKey(kb, NULL, no_passphrase, NULL)) ||
	    !(x = PEM_read_bio_X509(cb, NULL, no_passphrase, NULL)))
		goto done;
	rc = X509_check_private_key(x, pkey) == 1 ? 0 : SE_EINVAL;
done:
	ERR_clear_error();
	X509_free(x);
	EVP_PKEY_free(pkey);
	BIO_free(cb);
	BIO_free(kb);
	return rc;
}
