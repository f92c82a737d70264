/* se_crypto_rsa_key_validate(): RSA private keys from requests must be real keys of a sane size, so that nothing
 * made from them (certificates, signatures) fails later or is weak. */
#include "crypto/keycheck.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <string.h>

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
	if (!(bio = BIO_new_mem_buf(pem, (int)len))) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (!(pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL)) || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_RSA)
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
	if (EVP_PKEY_private_check(ctx) != 1 || EVP_PKEY_pairwise_check(ctx) != 1)
		goto done;
	rc = 0;
done:
	/* A refused key leaves OpenSSL's error queue filled; it must not be mistaken for a later call's error. */
	ERR_clear_error();
	BN_free(e);
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pkey);
	BIO_free(bio);
	return rc;
}
