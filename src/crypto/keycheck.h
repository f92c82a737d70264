/* Whether an RSA private key is fit to sign or decrypt with: size, public exponent and OpenSSL's key checks; and
 * whether a private key is the one behind a certificate. */
#ifndef SE_KEYCHECK_H
#define SE_KEYCHECK_H

/* Bounds on the modulus of keys accepted from requests. The upper one bounds the time the checks take (they test
 * the primes), so that a request never makes a server thread wait long. */
#define SE_RSA_MIN_BITS 2048
#define SE_RSA_MAX_BITS 4096

/* Checks that pem (a PEM private key; never prompts for a passphrase, an encrypted key is refused) holds an RSA
   key of SE_RSA_MIN_BITS to SE_RSA_MAX_BITS bits whose public exponent is odd and at least 3, that passes
   EVP_PKEY_private_check(), and whose parts are consistent as EVP_PKEY_pairwise_check() would test them (n = p q,
   the exponents, the CRT values, a signature that verifies) but without its primality tests, which take about a
   second for a 4096-bit key. A few milliseconds at most. Returns 0, SE_EINVAL when it does not, or SE_ENOMEM.
   Borrows pem. */
int se_crypto_rsa_key_validate(const char *pem);

/* Returns 0 when key_pem (an unencrypted PEM private key) is the private key behind the public key of cert_pem (a
   PEM certificate), SE_EINVAL when it is not or either does not parse, SE_ENOMEM. Borrows both. */
int se_crypto_key_matches_cert(const char *key_pem, const char *cert_pem);

#endif
