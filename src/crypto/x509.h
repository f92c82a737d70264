/* X.509 certificates and RSA keys: SAML signing certificates, certificate parsing, RSA private key checks and
 * generation. Every function is safe to call from several threads at once; strings returned through ret_* are
 * malloc'd and the caller frees them, keys returned as EVP_PKEY the caller frees with EVP_PKEY_free(). */
#ifndef SE_CRYPTO_X509_H
#define SE_CRYPTO_X509_H

#include <stddef.h>
#include <time.h>

#include <openssl/types.h>

/* Largest PEM or base64 certificate/key text accepted by the parsers below; longer input is SE_EINVAL. */
#define SE_CRYPTO_PEM_MAX 65536

/* Creates a SAML signing certificate: self-signed X.509 v3 over SHA-256 with RSA, subject and issuer CN=Stytch,
 * a random positive serial, notBefore = created and notAfter = created plus ten calendar years (same month, day and
 * time of day; Feb 29 rolls to Mar 1). The key is a fresh RSA 2048 key generated right here (start-up and fixtures;
 * requests take theirs from the key pool with se_crypto_signing_cert_from_key()), or, when key_pem is
 * not NULL, the given unencrypted PKCS#1 ("BEGIN RSA PRIVATE KEY") or PKCS#8 ("BEGIN PRIVATE KEY") RSA private key.
 * On success *ret_cert_pem is a malloc'd PEM string the caller frees and *ret_not_after the expiry; when ret_key_pem
 * is not NULL, *ret_key_pem is the certificate's private key as a malloc'd unencrypted PKCS#1 PEM ("BEGIN RSA
 * PRIVATE KEY") string the caller frees.
 * Returns 0, SE_EINVAL when key_pem is not a parseable RSA private key, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_signing_cert_new(const char *key_pem, time_t created, char **ret_cert_pem, char **ret_key_pem,
                               time_t *ret_not_after);

/* Same as se_crypto_signing_cert_new() over a key the caller already has (borrowed, e.g. one taken from the key pool,
 * crypto/keypool.h), so that no key is generated here. Returns 0, SE_EINVAL, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_signing_cert_from_key(EVP_PKEY *key, time_t created, char **ret_cert_pem, char **ret_key_pem,
                                    time_t *ret_not_after);

/* Opens a memory BIO (BIO_free) over the PEM block pem, of any label, as the readers here do: at most
 * SE_CRYPTO_PEM_MAX long, leading whitespace skipped, and, without headers, whitespace inside the base64
 * dropped and the body re-wrapped, so that a PEM whose line breaks became spaces reads like any other.
 * Returns 0, SE_EINVAL (not "-----BEGIN <label>-----") or SE_ENOMEM. */
int se_crypto_pem_bio(const char *pem, BIO **ret);

/* Parses one PEM certificate ("BEGIN CERTIFICATE"); only whitespace (including \r\n) may surround it. On success
 * *ret_issuer is the issuer's common name, or the one-line RFC 2253 issuer name when it has none; *ret_not_before and
 * *ret_not_after are the validity bounds in UTC; *ret_pem is the certificate re-encoded as canonical PEM. The strings
 * are malloc'd and the caller frees them. Any ret_* may be NULL when not wanted.
 * Returns 0, SE_EINVAL when the text is not a certificate, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_x509_parse(const char *pem, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                         char **ret_pem);

/* Same as se_crypto_x509_parse() for a bare standard-base64 DER body as found in SAML metadata
 * <ds:X509Certificate>; whitespace anywhere in it is ignored and '=' padding is optional. */
int se_crypto_x509_parse_base64(const char *b64, char **ret_issuer, time_t *ret_not_before, time_t *ret_not_after,
                                char **ret_pem);

/* Re-encodes one PEM certificate (as accepted by se_crypto_x509_parse()) as canonical PEM into *ret_pem, malloc'd,
 * caller frees. Returns 0, SE_EINVAL, SE_ENOMEM or SE_ECRYPTO. */
int se_crypto_x509_normalize(const char *pem, char **ret_pem);

/* Returns 0 when pem is an unencrypted RSA private key in PKCS#1 form ("-----BEGIN RSA PRIVATE KEY-----") that
 * parses, SE_EINVAL otherwise (PKCS#8, other key types, garbage, NULL). */
int se_crypto_rsa_private_key_check(const char *pem);

/* Generates an RSA 2048 key in the reproducible library context (deterministic once seeded). On success *ret is a
 * new key the caller frees with EVP_PKEY_free(). Returns 0 or SE_ECRYPTO. */
int se_crypto_rsa_generate(EVP_PKEY **ret);

#endif
