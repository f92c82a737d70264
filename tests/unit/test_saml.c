/* Unit tests for signin/saml.c with keys and documents made by the test: signed, tampered, foreign-key,
 * unsigned, encrypted, failed-status and wrapped Responses; AuthnRequests and the Redirect binding. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "crypto/digest.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "signin/saml.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

#define ACS "https://test.stytch.com/v1/b2b/sso/callback/saml-connection-test-x"

static char *g_key, *g_cert, *g_key2, *g_cert2, *g_enc_key, *g_enc_key2;

static char *gen_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *b = BIO_new(BIO_s_mem());
	if (!k || !b || PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL, NULL) != 1)
		abort();
	char *p = NULL;
	long n = BIO_get_mem_data(b, &p);
	char *s = malloc((size_t)n + 1);
	if (!s)
		abort();
	memcpy(s, p, (size_t)n);
	s[n] = '\0';
	BIO_free(b);
	EVP_PKEY_free(k);
	return s;
}

static char *cert_for(const char *key)
{
	char *pem = NULL;
	time_t na;
	if (se_crypto_signing_cert_new(key, time(NULL) - 3600, &pem, NULL, &na) != 0)
		abort();
	return pem;
}

static void setup_keys(void)
{
	if (se_saml_init() != 0)
		abort();
	if (g_key)
		return;
	g_key = gen_key();
	g_cert = cert_for(g_key);
	g_key2 = gen_key();
	g_cert2 = cert_for(g_key2);
	g_enc_key = gen_key();
	g_enc_key2 = gen_key();
}

/* A Response as the built-in IdP makes it, with optional changes. */
static char *response(const char *key, const char *cert, bool tamper, const char *enc_key, const char *status2)
{
	time_t now = time(NULL);
	json_t *attrs = json_pack("{s:s, s:[s,s], s:s}", "email", "grace@globex.test", "groups", "admins", "eng", "org",
	                          "AT&T <R&D>");
	se_saml_resp_params p = {.destination = ACS,
	                         .in_response_to = "_req1",
	                         .issuer = "urn:test:idp",
	                         .audience = "https://test.stytch.com/aud",
	                         .nameid = "grace@globex.test",
	                         .nameid_format = SE_SAML_NAMEID_EMAIL,
	                         .now = now,
	                         .not_before = now - 5,
	                         .not_on_or_after = now + 300,
	                         .attributes = attrs,
	                         .status_code2 = status2,
	                         .status_message = status2 ? "cancelled" : NULL,
	                         .key_pem = key,
	                         .cert_pem = cert,
	                         .tamper = tamper,
	                         .encrypt_key_pem = enc_key};
	char *xml = NULL;
	ck_assert_int_eq(se_saml_response_build(&p, &xml), 0);
	json_decref(attrs);
	return xml;
}

static se_error_id verify(const char *xml, se_saml_assertion *a)
{
	const char *certs[] = {g_cert2, g_cert};
	const char *keys[] = {g_enc_key2, g_enc_key};
	se_saml_trust t = {certs, 2, keys, 2};
	const char *detail = NULL;
	se_error_id e = se_saml_response_verify(xml, strlen(xml), &t, a, &detail);
	ck_assert_ptr_nonnull(detail);
	return e;
}

static se_error_id verify_only_cert1(const char *xml)
{
	const char *certs[] = {g_cert};
	se_saml_trust t = {certs, 1, NULL, 0};
	se_saml_assertion a;
	const char *detail;
	se_error_id e = se_saml_response_verify(xml, strlen(xml), &t, &a, &detail);
	se_saml_assertion_release(&a);
	return e;
}

START_TEST(signed_response_verifies_and_reads)
{
	setup_keys();
	char *xml = response(g_key, g_cert, false, NULL, NULL);
	se_saml_assertion a;
	ck_assert_int_eq(verify(xml, &a), SE_ERR_NONE);
	ck_assert_str_eq(a.nameid, "grace@globex.test");
	ck_assert_str_eq(a.nameid_format, SE_SAML_NAMEID_EMAIL);
	ck_assert_str_eq(a.destination, ACS);
	ck_assert_str_eq(a.sc_recipient, ACS);
	ck_assert_str_eq(a.in_response_to, "_req1");
	ck_assert_str_eq(a.sc_in_response_to, "_req1");
	ck_assert_str_eq(a.response_issuer, "urn:test:idp");
	ck_assert_str_eq(a.assertion_issuer, "urn:test:idp");
	ck_assert_str_eq(json_string_value(json_array_get(a.audiences, 0)), "https://test.stytch.com/aud");
	ck_assert_int_eq(json_array_size(json_object_get(a.attributes, "groups")), 2);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(a.attributes, "org"), 0)), "AT&T <R&D>");
	ck_assert_int_eq(strlen(a.assertion_id), 41);
	ck_assert(a.not_on_or_after > time(NULL));
	ck_assert(!a.was_encrypted);
	se_saml_assertion_release(&a);
	free(xml);
}
END_TEST

START_TEST(tampered_response_is_refused)
{
	setup_keys();
	char *xml = response(g_key, g_cert, true, NULL, NULL);
	ck_assert_int_eq(verify_only_cert1(xml), SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE);
	free(xml);
}
END_TEST

START_TEST(foreign_key_is_a_certificate_mismatch)
{
	setup_keys();
	char *xml = response(g_key2, g_cert2, false, NULL, NULL);
	ck_assert_int_eq(verify_only_cert1(xml), SE_ERR_SI_SAML_CERTIFICATE_MISMATCH);
	free(xml);
}
END_TEST

START_TEST(unsigned_response_is_refused)
{
	setup_keys();
	char *xml = response(NULL, NULL, false, NULL, NULL);
	ck_assert_int_eq(verify_only_cert1(xml), SE_ERR_SI_MISSING_SIGNATURE_SAML_RESPONSE);
	free(xml);
}
END_TEST

START_TEST(failed_status_is_reported_before_the_signature)
{
	setup_keys();
	char *xml = response(NULL, NULL, false, NULL, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed");
	se_saml_assertion a;
	ck_assert_int_eq(verify(xml, &a), SE_ERR_SI_FAILED_SAML_RESPONSE);
	ck_assert_str_eq(a.status_code2, "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed");
	ck_assert_str_eq(a.status_message, "cancelled");
	se_saml_assertion_release(&a);
	free(xml);
}
END_TEST

START_TEST(encrypted_assertion_is_decrypted)
{
	setup_keys();
	char *xml = response(g_key, g_cert, false, g_enc_key, NULL);
	ck_assert_ptr_nonnull(strstr(xml, "EncryptedAssertion"));
	ck_assert_ptr_null(strstr(xml, "grace@globex.test"));
	se_saml_assertion a;
	ck_assert_int_eq(verify(xml, &a), SE_ERR_NONE);
	ck_assert(a.was_encrypted);
	ck_assert_ptr_nonnull(a.decrypted);
	ck_assert_str_eq(a.nameid, "grace@globex.test");
	se_saml_assertion_release(&a);
	/* Without the right key: invalid_saml_response. */
	ck_assert_int_eq(verify_only_cert1(xml), SE_ERR_SI_INVALID_SAML_RESPONSE);
	free(xml);
}
END_TEST

START_TEST(doctype_and_garbage_are_invalid_xml)
{
	setup_keys();
	se_saml_assertion a;
	const char *docs[] = {"not xml",
	                      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e \"y\">]><samlp:Response "
	                      "xmlns:samlp=\"" SE_SAML_NS_PROTOCOL "\" Version=\"2.0\"/>",
	                      "<samlp:Response xmlns:samlp=\"" SE_SAML_NS_PROTOCOL "\" Version=\"1.1\"/>",
	                      "<Response Version=\"2.0\"/>"};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_int_eq(verify(docs[i], &a), SE_ERR_SI_INVALID_XML_SAML_RESPONSE);
		se_saml_assertion_release(&a);
	}
}
END_TEST

/* Signature wrapping: an attacker's assertion where the processed one is, the signed original moved
 * elsewhere (a second assertion anywhere, or a duplicate ID), must never verify. */
START_TEST(signature_wrapping_is_refused)
{
	setup_keys();
	char *xml = response(g_key, g_cert, false, NULL, NULL);
	const char *as = strstr(xml, "<saml:Assertion");
	const char *end = strstr(xml, "</saml:Assertion>") + strlen("</saml:Assertion>");
	ck_assert(as && end);
	char *orig = strndup(as, (size_t)(end - as));
	/* XSW1: evil unsigned assertion first, the signed one wrapped in Extensions. */
	char *evil = strdup(orig);
	char *p = strstr(evil, "grace@globex.test");
	memcpy(p, "evilx@globex.test", 17);
	char *w1 =
	    se_asprintf("%.*s<samlp:Extensions>%s</samlp:Extensions>%s%s", (int)(as - xml), xml, orig, evil, end);
	ck_assert_int_eq(verify_only_cert1(w1), SE_ERR_SI_INVALID_SAML_RESPONSE);
	/* XSW2: two sibling assertions with the same ID. */
	char *w2 = se_asprintf("%.*s%s%s%s", (int)(as - xml), xml, evil, orig, end);
	ck_assert_int_ne(verify_only_cert1(w2), SE_ERR_NONE);
	/* XSW3: the evil one alone, carrying the original's signature: its digest does not match. */
	char *w3 = se_asprintf("%.*s%s%s", (int)(as - xml), xml, evil, end);
	ck_assert_int_eq(verify_only_cert1(w3), SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE);
	/* XSW4: the evil one gets a fresh ID while the signature still names the original's: the
	 * Reference does not name the element carrying it. */
	char *idp = strstr(evil, "ID=\"_");
	idp[5] = idp[5] == 'a' ? 'b' : 'a';
	char *w4 = se_asprintf("%.*s%s%s", (int)(as - xml), xml, evil, end);
	ck_assert_int_eq(verify_only_cert1(w4), SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE);
	free(w1);
	free(w2);
	free(w3);
	free(w4);
	free(evil);
	free(orig);
	free(xml);
}
END_TEST

START_TEST(authn_request_round_trip)
{
	setup_keys();
	se_saml_authn_params p = {"https://idp.test/sso", ACS, "https://test.stytch.com/aud", NULL, time(NULL)};
	char *id = NULL, *xml = NULL, *q = NULL;
	ck_assert_int_eq(se_saml_authn_request(&p, &id, &xml), 0);
	ck_assert_int_eq(strlen(id), 41);
	ck_assert_int_eq(se_saml_redirect_query("SAMLRequest", xml, "relay-1", g_key, &q), 0);
	ck_assert(strncmp(q, "SAMLRequest=", 12) == 0);
	ck_assert_ptr_nonnull(strstr(
	    q,
	    "&RelayState=relay-1&SigAlg=http%3A%2F%2Fwww.w3.org%2F2001%2F04%2Fxmldsig-more%23rsa-sha256&Signature="));
	/* Decode the SAMLRequest back. */
	char *val = strndup(q + 12, strcspn(q + 12, "&"));
	ck_assert_int_eq(se_percent_decode(val), 0);
	char *back = NULL;
	ck_assert_int_eq(se_saml_decode(val, true, &back), 0);
	se_saml_authn_req req;
	ck_assert_int_eq(se_saml_authn_req_parse(back, &req), 0);
	ck_assert_str_eq(req.id, id);
	ck_assert_str_eq(req.issuer, "https://test.stytch.com/aud");
	ck_assert_str_eq(req.acs_url, ACS);
	ck_assert_str_eq(req.nameid_format, SE_SAML_NAMEID_EMAIL);
	se_saml_authn_req_release(&req);
	ck_assert_int_eq(se_saml_decode("!!!", true, &back) < 0, 1);
	ck_assert_int_eq(se_saml_authn_req_parse("<x/>", &req), SE_EINVAL);
	free(back);
	free(val);
	free(q);
	free(id);
	free(xml);
}
END_TEST

START_TEST(metadata_has_the_certificate)
{
	setup_keys();
	char *xml = NULL;
	ck_assert_int_eq(se_saml_idp_metadata("urn:ssoemu:idp:saml", "http://h/sso", g_cert, &xml), 0);
	ck_assert_ptr_nonnull(strstr(xml, "entityID=\"urn:ssoemu:idp:saml\""));
	ck_assert_ptr_nonnull(strstr(xml, "X509Certificate>MII"));
	free(xml);
}
END_TEST

int main(void)
{
	setup_keys(); /* once, before the forks */
	Suite *s = suite_create("saml");
	TCase *tc = tcase_create("saml");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, signed_response_verifies_and_reads);
	tcase_add_test(tc, tampered_response_is_refused);
	tcase_add_test(tc, foreign_key_is_a_certificate_mismatch);
	tcase_add_test(tc, unsigned_response_is_refused);
	tcase_add_test(tc, failed_status_is_reported_before_the_signature);
	tcase_add_test(tc, encrypted_assertion_is_decrypted);
	tcase_add_test(tc, doctype_and_garbage_are_invalid_xml);
	tcase_add_test(tc, signature_wrapping_is_refused);
	tcase_add_test(tc, authn_request_round_trip);
	tcase_add_test(tc, metadata_has_the_certificate);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
