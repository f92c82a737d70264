/* Unit tests for metadata.c: binding preference, KeyDescriptor choice, EntitiesDescriptor, missing pieces, garbage,
 * DOCTYPE refusal, size and nesting limits. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "outbound/metadata.h"

#define MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define DS "http://www.w3.org/2000/09/xmldsig#"
#define REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

/* An EntityDescriptor opening with the md and ds namespaces declared; close with ED_CLOSE. */
#define ED_OPEN(entity_id) "<md:EntityDescriptor xmlns:md=\"" MD "\" xmlns:ds=\"" DS "\" entityID=\"" entity_id "\">"
#define ED_CLOSE "</md:EntityDescriptor>"
#define IDP_OPEN "<md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
#define IDP_CLOSE "</md:IDPSSODescriptor>"
#define SSO(binding, location) "<md:SingleSignOnService Binding=\"" binding "\" Location=\"" location "\"/>"
#define KEY(use_attr, text)                                                                                            \
	"<md:KeyDescriptor" use_attr "><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" text                              \
	"</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"

static int parse(const char *xml, se_metadata *m, char **err)
{
	memset(m, 0, sizeof *m);
	*err = NULL;
	return se_metadata_parse(xml, strlen(xml), m, err);
}

/* Parses xml expecting SE_EINVAL with an error message containing needle. */
static void expect_invalid(const char *xml, const char *needle)
{
	se_metadata m;
	char *err;
	int rc = parse(xml, &m, &err);
	ck_assert_int_eq(rc, SE_EINVAL);
	ck_assert_ptr_nonnull(err);
	ck_assert_msg(strstr(err, needle) != NULL, "error \"%s\" does not mention \"%s\"", err, needle);
	ck_assert_ptr_null(m.entity_id);
	free(err);
}

START_TEST(test_redirect_preferred_over_post)
{
	static const char *docs[] = {
		ED_OPEN("https://idp.test/e") IDP_OPEN KEY(" use=\"signing\"", "CERTTEXT") SSO(POST, "https://idp.test/post")
			SSO(REDIRECT, "https://idp.test/redirect") IDP_CLOSE ED_CLOSE,
		ED_OPEN("https://idp.test/e") IDP_OPEN KEY(" use=\"signing\"", "CERTTEXT") SSO(REDIRECT, "https://idp.test/redirect")
			SSO(POST, "https://idp.test/post") IDP_CLOSE ED_CLOSE,
	};
	for (size_t i = 0; i < 2; i++) {
		se_metadata m;
		char *err;
		ck_assert_int_eq(parse(docs[i], &m, &err), 0);
		ck_assert_ptr_null(err);
		ck_assert_str_eq(m.entity_id, "https://idp.test/e");
		ck_assert_str_eq(m.sso_url, "https://idp.test/redirect");
		ck_assert_str_eq(m.certificate, "CERTTEXT");
		se_metadata_release(&m);
		ck_assert_ptr_null(m.entity_id);
	}
}
END_TEST

START_TEST(test_post_only)
{
	se_metadata m;
	char *err;
	const char *xml = ED_OPEN("urn:idp") IDP_OPEN KEY("", "C") SSO("urn:oasis:names:tc:SAML:2.0:bindings:SOAP",
									"https://idp.test/soap")
		SSO(POST, "https://idp.test/post") IDP_CLOSE ED_CLOSE;
	ck_assert_int_eq(parse(xml, &m, &err), 0);
	ck_assert_str_eq(m.sso_url, "https://idp.test/post");
	ck_assert_str_eq(m.entity_id, "urn:idp");
	se_metadata_release(&m);
}
END_TEST

START_TEST(test_redirect_without_location_falls_back)
{
	se_metadata m;
	char *err;
	const char *xml = ED_OPEN("urn:idp") IDP_OPEN KEY("", "C") "<md:SingleSignOnService Binding=\"" REDIRECT
		"\" Location=\"  \"/>" SSO(POST, "https://idp.test/post") IDP_CLOSE ED_CLOSE;
	ck_assert_int_eq(parse(xml, &m, &err), 0);
	ck_assert_str_eq(m.sso_url, "https://idp.test/post");
	se_metadata_release(&m);
}
END_TEST

START_TEST(test_no_usable_binding)
{
	expect_invalid(ED_OPEN("urn:idp") IDP_OPEN KEY("", "C")
			       SSO("urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact", "https://idp.test/a") IDP_CLOSE
				       ED_CLOSE,
		       "SingleSignOnService");
	expect_invalid(ED_OPEN("urn:idp") IDP_OPEN KEY("", "C") IDP_CLOSE ED_CLOSE, "SingleSignOnService");
}
END_TEST

START_TEST(test_signing_key_chosen)
{
	se_metadata m;
	char *err;
	const char *xml = ED_OPEN("urn:idp") IDP_OPEN KEY(" use=\"encryption\"", "ENC")
		KEY(" use=\"signing\"", "\n    SIGN\n    LINE2  \n") SSO(REDIRECT, "https://idp.test/r") IDP_CLOSE ED_CLOSE;
	ck_assert_int_eq(parse(xml, &m, &err), 0);
	/* Inner whitespace is kept for the base64 decoder, the surrounding one is trimmed. */
	ck_assert_str_eq(m.certificate, "SIGN\n    LINE2");
	se_metadata_release(&m);

	xml = ED_OPEN("urn:idp") IDP_OPEN KEY(" use=\"encryption\"", "ENC") KEY("", "ANY")
		SSO(REDIRECT, "https://idp.test/r") IDP_CLOSE ED_CLOSE;
	ck_assert_int_eq(parse(xml, &m, &err), 0);
	ck_assert_str_eq(m.certificate, "ANY");
	se_metadata_release(&m);
}
END_TEST

START_TEST(test_no_signing_key)
{
	expect_invalid(ED_OPEN("urn:idp") IDP_OPEN KEY(" use=\"encryption\"", "ENC") SSO(REDIRECT, "https://idp.test/r")
			       IDP_CLOSE ED_CLOSE,
		       "KeyDescriptor");
	expect_invalid(ED_OPEN("urn:idp") IDP_OPEN KEY("", "   ") SSO(REDIRECT, "https://idp.test/r") IDP_CLOSE ED_CLOSE,
		       "X509Certificate");
	/* A certificate outside ds:KeyInfo/ds:X509Data does not count. */
	expect_invalid(ED_OPEN("urn:idp") IDP_OPEN
		       "<md:KeyDescriptor><ds:X509Certificate>C</ds:X509Certificate></md:KeyDescriptor>" SSO(
			       REDIRECT, "https://idp.test/r") IDP_CLOSE ED_CLOSE,
		       "X509Certificate");
}
END_TEST

START_TEST(test_entities_descriptor)
{
	se_metadata m;
	char *err;
	const char *one = "<EntitiesDescriptor xmlns=\"" MD "\" xmlns:ds=\"" DS "\"><EntityDescriptor entityID=\"urn:inner\">"
			  "<IDPSSODescriptor><KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>C"
			  "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></KeyDescriptor><SingleSignOnService Binding=\"" POST
			  "\" Location=\"https://inner.test/sso\"/></IDPSSODescriptor></EntityDescriptor></EntitiesDescriptor>";
	ck_assert_int_eq(parse(one, &m, &err), 0);
	ck_assert_str_eq(m.entity_id, "urn:inner");
	ck_assert_str_eq(m.sso_url, "https://inner.test/sso");
	se_metadata_release(&m);

	expect_invalid("<md:EntitiesDescriptor xmlns:md=\"" MD "\"></md:EntitiesDescriptor>", "0 md:EntityDescriptor");
	expect_invalid("<md:EntitiesDescriptor xmlns:md=\"" MD "\"><md:EntityDescriptor entityID=\"a\"/>"
		       "<md:EntityDescriptor entityID=\"b\"/></md:EntitiesDescriptor>",
		       "2 md:EntityDescriptor");
}
END_TEST

START_TEST(test_missing_pieces)
{
	expect_invalid("<md:EntityDescriptor xmlns:md=\"" MD "\">" IDP_OPEN IDP_CLOSE ED_CLOSE, "entityID");
	expect_invalid("<md:EntityDescriptor xmlns:md=\"" MD "\" entityID=\"\">" IDP_OPEN IDP_CLOSE ED_CLOSE, "entityID");
	expect_invalid(ED_OPEN("urn:sp") "<md:SPSSODescriptor/>" ED_CLOSE, "IDPSSODescriptor");
	/* The right names in no namespace, or in another one, are not SAML metadata. */
	expect_invalid("<EntityDescriptor entityID=\"urn:idp\"/>", "root element");
	expect_invalid("<md:EntityDescriptor xmlns:md=\"urn:other\" entityID=\"urn:idp\"/>", "root element");
}
END_TEST

START_TEST(test_garbage)
{
	expect_invalid("not xml at all", "not well-formed");
	expect_invalid("<md:EntityDescriptor xmlns:md=\"" MD "\" entityID=\"x\">", "not well-formed");
	expect_invalid("{\"json\": true}", "not well-formed");
	expect_invalid("<a><b></a>", "not well-formed");

	se_metadata m = {0};
	char *err = NULL;
	ck_assert_int_eq(se_metadata_parse("", 0, &m, &err), SE_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "empty"));
	free(err);
	err = NULL;
	ck_assert_int_eq(se_metadata_parse(NULL, 10, &m, &err), SE_EINVAL);
	free(err);
	/* Bytes after the document's end. */
	const char binary[] = "<a/>\0\xff\xfe";
	err = NULL;
	ck_assert_int_eq(se_metadata_parse(binary, sizeof binary - 1, &m, &err), SE_EINVAL);
	free(err);
}
END_TEST

START_TEST(test_doctype_refused)
{
	/* Entity expansion (the "billion laughs") and external entities never get a chance to run. */
	expect_invalid("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
		       "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
		       "<md:EntityDescriptor xmlns:md=\"" MD "\" entityID=\"&lol2;\"/>",
		       "DOCTYPE");
	expect_invalid("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
		       "<md:EntityDescriptor xmlns:md=\"" MD "\" entityID=\"&xxe;\"/>",
		       "DOCTYPE");
}
END_TEST

START_TEST(test_huge_input)
{
	size_t len = SE_METADATA_MAX_BYTES + 1;
	char *xml = malloc(len);
	ck_assert_ptr_nonnull(xml);
	memset(xml, ' ', len);
	memcpy(xml, "<a>", 3);
	memcpy(xml + len - 4, "</a>", 4);
	se_metadata m = {0};
	char *err = NULL;
	ck_assert_int_eq(se_metadata_parse(xml, len, &m, &err), SE_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "larger than"));
	free(err);
	free(xml);
}
END_TEST

START_TEST(test_deep_nesting)
{
	/* libxml2's own depth limit answers; nothing recursive of ours runs. */
	size_t depth = 100000;
	char *xml = malloc(depth * 7 + 1);
	ck_assert_ptr_nonnull(xml);
	char *p = xml;
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "<a>");
	for (size_t i = 0; i < depth; i++)
		p += sprintf(p, "</a>");
	se_metadata m = {0};
	char *err = NULL;
	ck_assert_int_eq(se_metadata_parse(xml, (size_t)(p - xml), &m, &err), SE_EINVAL);
	ck_assert_ptr_nonnull(err);
	free(err);
	free(xml);
}
END_TEST

/* The bounding pass refuses what would make libxml2 slow (quadratic in the attributes of one element) before the
 * parser runs; the case's time-out (5 s) fails the test where the parser would have been reached (about 24 s). */
START_TEST(test_many_attributes_refused_before_parsing)
{
	size_t n = 50000;
	char *xml = malloc(n * 12 + 256);
	ck_assert_ptr_nonnull(xml);
	char *p = xml + sprintf(xml, "<md:EntityDescriptor xmlns:md=\"" MD "\" entityID=\"x\"");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, " a%05zu=\"1\"", i);
	p += sprintf(p, ">" ED_CLOSE);
	ck_assert_uint_gt((size_t)(p - xml), 500000);
	expect_invalid(xml, "more than 256 attributes");
	free(xml);
}
END_TEST

START_TEST(test_bounds)
{
	/* Depth: 64 levels are fine for the pass (the document then lacks its pieces), 65 are not. */
	char deep[65 * 8 + 256];
	char *p = deep;
	for (int i = 0; i < 65; i++)
		p += sprintf(p, "<a>");
	for (int i = 0; i < 65; i++)
		p += sprintf(p, "</a>");
	expect_invalid(deep, "deeper than 64");
	p = deep;
	for (int i = 0; i < 64; i++)
		p += sprintf(p, "<a>");
	for (int i = 0; i < 64; i++)
		p += sprintf(p, "</a>");
	expect_invalid(deep, "root element");
	/* Elements in all, and attributes in all, even when each element has few. */
	size_t n = SE_METADATA_MAX_ELEMENTS + 1;
	char *many = malloc(n * 12 + 64);
	ck_assert_ptr_nonnull(many);
	p = many + sprintf(many, "<r>");
	for (size_t i = 0; i < n; i++)
		p += sprintf(p, "<b/>");
	sprintf(p, "</r>");
	expect_invalid(many, "more than 20000 elements");
	p = many + sprintf(many, "<r>");
	for (size_t i = 0; i < 10001; i++)
		p += sprintf(p, "<b x='' y='' z='' w=''/>");
	sprintf(p, "</r>");
	expect_invalid(many, "more than 40000 attributes");
	free(many);
	/* Quotes, comments, CDATA and processing instructions are not counted. */
	char ok[16384];
	p = ok + sprintf(ok, "<?xml version=\"1.0\"?><!-- <a b=1 c=2> -->" ED_OPEN("https://idp.test/e?a=b&amp;c=d")
				 IDP_OPEN KEY("", "C") SSO(REDIRECT, "https://idp.test/r?x=1"));
	for (int i = 0; i < 300; i++)
		p += sprintf(p, "<![CDATA[<x y=1>]]>");
	sprintf(p, IDP_CLOSE ED_CLOSE);
	se_metadata m;
	char *err;
	ck_assert_int_eq(parse(ok, &m, &err), 0);
	ck_assert_str_eq(m.entity_id, "https://idp.test/e?a=b&c=d");
	se_metadata_release(&m);
	/* Not UTF-8 (UTF-16 has NUL bytes) is refused before parsing too. */
	const char utf16[] = {'<', 0, 'a', 0, '/', 0, '>', 0};
	err = NULL;
	ck_assert_int_eq(se_metadata_parse(utf16, sizeof utf16, &m, &err), SE_EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "UTF-8"));
	free(err);
}
END_TEST

/* Messages never quote the document: no element names, entity names or text of it. */
START_TEST(test_messages_do_not_echo)
{
	expect_invalid("<secretroot/>", "root element");
	se_metadata m;
	char *err;
	ck_assert_int_eq(parse("<secretroot/>", &m, &err), SE_EINVAL);
	ck_assert_ptr_null(strstr(err, "secretroot"));
	free(err);
	ck_assert_int_eq(parse("<a><secretname></a>", &m, &err), SE_EINVAL);
	ck_assert_ptr_null(strstr(err, "secretname"));
	free(err);
	ck_assert_int_eq(parse(ED_OPEN("urn:secret-entity") ED_CLOSE, &m, &err), SE_EINVAL);
	ck_assert_ptr_null(strstr(err, "secret-entity"));
	free(err);
}
END_TEST

START_TEST(test_long_values)
{
	size_t n = SE_METADATA_STR_MAX + 1;
	char *id = malloc(n + 1);
	ck_assert_ptr_nonnull(id);
	memset(id, 'x', n);
	id[n] = '\0';
	size_t size = n + 1024;
	char *xml = malloc(size);
	ck_assert_ptr_nonnull(xml);
	snprintf(xml, size,
		 "<md:EntityDescriptor xmlns:md=\"" MD "\" xmlns:ds=\"" DS "\" entityID=\"%s\">" IDP_OPEN KEY("", "C")
			 SSO(REDIRECT, "https://idp.test/r") IDP_CLOSE ED_CLOSE,
		 id);
	expect_invalid(xml, "longer than");
	free(xml);
	free(id);
}
END_TEST

START_TEST(test_release)
{
	se_metadata_release(NULL);
	se_metadata m = {0};
	se_metadata_release(&m);
	se_metadata_release(&m);
}
END_TEST

static Suite *metadata_suite(void)
{
	Suite *s = suite_create("metadata");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_redirect_preferred_over_post);
	tcase_add_test(tc, test_post_only);
	tcase_add_test(tc, test_redirect_without_location_falls_back);
	tcase_add_test(tc, test_no_usable_binding);
	tcase_add_test(tc, test_signing_key_chosen);
	tcase_add_test(tc, test_no_signing_key);
	tcase_add_test(tc, test_entities_descriptor);
	tcase_add_test(tc, test_missing_pieces);
	tcase_add_test(tc, test_garbage);
	tcase_add_test(tc, test_doctype_refused);
	tcase_add_test(tc, test_huge_input);
	tcase_add_test(tc, test_deep_nesting);
	tcase_add_test(tc, test_bounds);
	tcase_add_test(tc, test_messages_do_not_echo);
	TCase *slow = tcase_create("bounded");
	tcase_set_timeout(slow, 5);
	tcase_add_test(slow, test_many_attributes_refused_before_parsing);
	suite_add_tcase(s, slow);
	tcase_add_test(tc, test_long_values);
	tcase_add_test(tc, test_release);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(metadata_suite());
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed != 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
