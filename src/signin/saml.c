/* SAML 2.0 on libxml2 and libxmlsec1 (OpenSSL backend): AuthnRequests and the HTTP-Redirect binding,
 * Responses built, signed and encrypted for the built-in IdP, and Responses verified, decrypted and
 * read for the assertion consumer service. No other module sees XML of SAML. */
#include "signin/saml.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <xmlsec/base64.h>
#include <xmlsec/crypto.h>
#include <xmlsec/errors.h>
#include <xmlsec/templates.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>
#include <xmlsec/xmlsec.h>
#include <xmlsec/xmltree.h>
#include <zlib.h>

#include "crypto/digest.h"
#include "crypto/rand.h"
#include "crypto/x509.h"
#include "util/errors_code.h"
#include "util/time.h"
#include "util/util.h"

#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define NS_XENC "http://www.w3.org/2001/04/xmlenc#"
#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define STATUS_SUCCESS "urn:oasis:names:tc:SAML:2.0:status:Success"
#define BEARER "urn:oasis:names:tc:SAML:2.0:cm:bearer"

static int g_init_rc = -1;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

/* xmlsec's error callback would print to stderr: modules do not log (STYLE.md). */
static void quiet_errors(const char *file, int line, const char *func, const char *obj, const char *subj, int reason,
                         const char *msg)
{
	(void)file, (void)line, (void)func, (void)obj, (void)subj, (void)reason, (void)msg;
}

static void quiet_xml(void *ctx, const char *msg, ...)
{
	(void)ctx, (void)msg;
}

static void init_once(void)
{
	xmlInitParser();
	xmlSetGenericErrorFunc(NULL, quiet_xml);
	xmlSecErrorsSetCallback(quiet_errors);
	if (xmlSecInit() < 0 || xmlSecCheckVersion() != 1 || xmlSecCryptoAppInit(NULL) < 0 || xmlSecCryptoInit() < 0)
		return;
	g_init_rc = 0;
}

int se_saml_init(void)
{
	pthread_once(&g_once, init_once);
	return g_init_rc == 0 ? 0 : SE_ECRYPTO;
}

/* --- small helpers ----------------------------------------------------------------------------- */

static bool is_el(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href && strcmp((const char *)n->ns->href, ns) == 0 &&
	       strcmp((const char *)n->name, name) == 0;
}

static xmlNode *child(const xmlNode *n, const char *ns, const char *name)
{
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		if (is_el(c, ns, name))
			return c;
	return NULL;
}

static size_t count_children(const xmlNode *n, const char *ns, const char *name)
{
	size_t k = 0;
	for (xmlNode *c = n ? n->children : NULL; c; c = c->next)
		k += is_el(c, ns, name);
	return k;
}

/* Counts name elements anywhere below (and including) n. */
static size_t count_desc(const xmlNode *n, const char *ns, const char *name)
{
	size_t k = 0;
	for (const xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		k += is_el(c, ns, name);
		k += count_desc(c->children, ns, name);
	}
	return k;
}

/* An attribute (no namespace) as a new string, "" when absent; NULL on allocation failure. */
static char *attr(const xmlNode *n, const char *name)
{
	xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
	char *s = strdup(v ? (const char *)v : "");
	xmlFree(v);
	return s;
}

/* Element text, trimmed, as a new string ("" for none). */
static char *text(const xmlNode *n)
{
	xmlChar *v = n ? xmlNodeGetContent(n) : NULL;
	const char *s = v ? (const char *)v : "";
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	char *out = strndup(s, len);
	xmlFree(v);
	return out;
}

static time_t attr_time(const xmlNode *n, const char *name, bool *bad)
{
	xmlChar *v = n ? xmlGetNoNsProp(n, (const xmlChar *)name) : NULL;
	time_t t = 0;
	if (v && se_time_parse((const char *)v, &t) < 0)
		*bad = true;
	xmlFree(v);
	return t;
}

static void fmt_time(time_t t, char out[21])
{
	se_time_format(t, out);
}

/* Parses XML text refusing DTDs, network access and entity expansion. */
static xmlDoc *parse(const char *xml, size_t len)
{
	if (len > SE_SAML_MAX_XML || len > (size_t)INT32_MAX)
		return NULL;
	xmlDoc *doc =
	    xmlReadMemory(xml, (int)len, "saml.xml", NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (doc && (doc->intSubset || doc->extSubset)) {
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

static char *dump(xmlDoc *doc)
{
	xmlChar *buf = NULL;
	int n = 0;
	xmlDocDumpMemoryEnc(doc, &buf, &n, "UTF-8");
	char *s = buf ? strndup((const char *)buf, (size_t)n) : NULL;
	xmlFree(buf);
	return s;
}

static int random_id(char out[42])
{
	unsigned char b[20];
	if (se_crypto_random(b, sizeof b) < 0)
		return SE_ECRYPTO;
	out[0] = '_';
	for (size_t i = 0; i < sizeof b; i++)
		snprintf(out + 1 + 2 * i, 3, "%02x", b[i]);
	return 0;
}

/* Appends an element with text content (taken literally: xmlNewTextChild escapes '&' and '<'). */
static xmlNode *add(xmlNode *parent, xmlNs *ns, const char *name, const char *content)
{
	return xmlNewTextChild(parent, ns, (const xmlChar *)name, (const xmlChar *)content);
}

/* Strips a PEM to its base64 body for ds:X509Certificate. */
static char *pem_body(const char *pem)
{
	const char *b = strstr(pem, "-----BEGIN CERTIFICATE-----");
	const char *e = b ? strstr(b, "-----END CERTIFICATE-----") : NULL;
	if (!b || !e)
		return NULL;
	b += strlen("-----BEGIN CERTIFICATE-----");
	char *out = malloc((size_t)(e - b) + 1), *w = out;
	if (!out)
		return NULL;
	for (const char *p = b; p < e; p++)
		if (*p != '\n' && *p != '\r' && *p != ' ')
			*w++ = *p;
	*w = '\0';
	return out;
}

/* --- AuthnRequest ------------------------------------------------------------------------------ */

int se_saml_authn_request(const se_saml_authn_params *p, char **ret_id, char **ret_xml)
{
	char id[42], now[21];
	if (se_saml_init() < 0 || random_id(id) < 0)
		return SE_ECRYPTO;
	fmt_time(p->now, now);
	int r = SE_ENOMEM;
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = doc ? xmlNewNode(NULL, (const xmlChar *)"AuthnRequest") : NULL;
	if (!root)
		goto done;
	xmlDocSetRootElement(doc, root);
	xmlNs *samlp = xmlNewNs(root, (const xmlChar *)SE_SAML_NS_PROTOCOL, (const xmlChar *)"samlp");
	xmlNs *saml = xmlNewNs(root, (const xmlChar *)SE_SAML_NS_ASSERTION, (const xmlChar *)"saml");
	xmlSetNs(root, samlp);
	xmlNewProp(root, (const xmlChar *)"ID", (const xmlChar *)id);
	xmlNewProp(root, (const xmlChar *)"Version", (const xmlChar *)"2.0");
	xmlNewProp(root, (const xmlChar *)"IssueInstant", (const xmlChar *)now);
	xmlNewProp(root, (const xmlChar *)"Destination", (const xmlChar *)p->destination);
	xmlNewProp(root, (const xmlChar *)"AssertionConsumerServiceURL", (const xmlChar *)p->acs_url);
	xmlNewProp(root, (const xmlChar *)"ProtocolBinding",
	           (const xmlChar *)"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
	add(root, saml, "Issuer", p->issuer);
	xmlNode *pol = add(root, samlp, "NameIDPolicy", NULL);
	if (!pol)
		goto done;
	xmlNewProp(pol, (const xmlChar *)"Format",
	           (const xmlChar *)(p->nameid_format && *p->nameid_format ? p->nameid_format : SE_SAML_NAMEID_EMAIL));
	xmlNewProp(pol, (const xmlChar *)"AllowCreate", (const xmlChar *)"true");
	char *xml = dump(doc), *cid = strdup(id);
	if (!xml || !cid) {
		free(xml);
		free(cid);
		goto done;
	}
	*ret_xml = xml;
	*ret_id = cid;
	r = 0;
done:
	xmlFreeDoc(doc);
	return r;
}

/* Raw DEFLATE (RFC 1951) of data, then base64. */
static int deflate_b64(const char *data, size_t len, char **ret)
{
	z_stream z = {0};
	unsigned char *buf = NULL;
	int r = SE_ENOMEM;
	if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return SE_ENOMEM;
	uLong cap = deflateBound(&z, (uLong)len);
	buf = malloc(cap);
	if (!buf)
		goto done;
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END) {
		r = SE_EINVAL;
		goto done;
	}
	xmlChar *b64 = xmlSecBase64Encode(buf, (xmlSecSize)z.total_out, 0);
	if (!b64)
		goto done;
	*ret = strdup((const char *)b64);
	xmlFree(b64);
	r = *ret ? 0 : SE_ENOMEM;
done:
	deflateEnd(&z);
	free(buf);
	return r;
}

static char *url_escape(const char *s)
{
	char *e = curl_escape(s, 0);
	char *out = e ? strdup(e) : NULL;
	curl_free(e);
	return out;
}

static int load_pkey(const char *pem, EVP_PKEY **ret)
{
	BIO *bio = BIO_new_mem_buf(pem, -1);
	EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) : NULL;
	BIO_free(bio);
	if (!k || EVP_PKEY_base_id(k) != EVP_PKEY_RSA) {
		EVP_PKEY_free(k);
		return SE_EINVAL;
	}
	*ret = k;
	return 0;
}

int se_saml_redirect_query(const char *param, const char *xml, const char *relay_state, const char *key_pem, char **ret)
{
	char *b64 = NULL, *q = NULL, *sig64 = NULL;
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	int r = deflate_b64(xml, strlen(xml), &b64);
	if (r < 0)
		return r;
	char *e_msg = url_escape(b64), *e_rs = relay_state ? url_escape(relay_state) : NULL;
	r = SE_ENOMEM;
	if (!e_msg || (relay_state && !e_rs))
		goto done;
	q = relay_state ? se_asprintf("%s=%s&RelayState=%s", param, e_msg, e_rs) : se_asprintf("%s=%s", param, e_msg);
	if (!q)
		goto done;
	if (key_pem) {
		static const char alg[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
		char *e_alg = url_escape(alg);
		char *signed_part = e_alg ? se_asprintf("%s&SigAlg=%s", q, e_alg) : NULL;
		free(e_alg);
		if (!signed_part)
			goto done;
		free(q);
		q = signed_part;
		r = load_pkey(key_pem, &key);
		if (r < 0)
			goto done;
		size_t n = 0;
		r = SE_ECRYPTO;
		md = EVP_MD_CTX_new();
		if (!md || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
		    EVP_DigestSign(md, NULL, &n, (const unsigned char *)q, strlen(q)) != 1 || !(sig = malloc(n)) ||
		    EVP_DigestSign(md, sig, &n, (const unsigned char *)q, strlen(q)) != 1)
			goto done;
		xmlChar *s64 = xmlSecBase64Encode(sig, (xmlSecSize)n, 0);
		char *e_sig = s64 ? url_escape((const char *)s64) : NULL;
		xmlFree(s64);
		char *full = e_sig ? se_asprintf("%s&Signature=%s", q, e_sig) : NULL;
		free(e_sig);
		r = SE_ENOMEM;
		if (!full)
			goto done;
		free(q);
		q = full;
	}
	*ret = q;
	q = NULL;
	r = 0;
done:
	free(b64);
	free(e_msg);
	free(e_rs);
	free(q);
	free(sig64);
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	return r;
}

char *se_saml_encode_post(const char *xml)
{
	xmlChar *b = xmlSecBase64Encode((const xmlSecByte *)xml, (xmlSecSize)strlen(xml), 0);
	char *s = b ? strdup((const char *)b) : NULL;
	xmlFree(b);
	return s;
}

int se_saml_decode(const char *b64, bool deflated, char **ret)
{
	size_t in_len = strlen(b64);
	if (in_len > SE_SAML_MAX_XML * 2)
		return SE_ELIMIT;
	/* Whitespace is ignored (SIGNIN.md section 2); xmlsec's decoder skips it. */
	xmlSecByte *raw = malloc(in_len / 4 * 3 + 4);
	if (!raw)
		return SE_ENOMEM;
	xmlSecSize written = 0;
	int n = xmlSecBase64Decode_ex((const xmlChar *)b64, raw, (xmlSecSize)(in_len / 4 * 3 + 4), &written) < 0
	            ? -1
	            : (int)written;
	if (n < 0) {
		free(raw);
		return SE_EINVAL;
	}
	if (!deflated) {
		if ((size_t)n > SE_SAML_MAX_XML || memchr(raw, 0, (size_t)n)) {
			free(raw);
			return (size_t)n > SE_SAML_MAX_XML ? SE_ELIMIT : SE_EINVAL;
		}
		char *s = strndup((const char *)raw, (size_t)n);
		free(raw);
		if (!s)
			return SE_ENOMEM;
		*ret = s;
		return 0;
	}
	z_stream z = {0};
	int r = SE_ENOMEM;
	unsigned char *out = malloc(SE_SAML_MAX_XML + 1);
	if (!out || inflateInit2(&z, -15) != Z_OK) {
		free(out);
		free(raw);
		return SE_ENOMEM;
	}
	z.next_in = raw;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = SE_SAML_MAX_XML + 1;
	int zr = inflate(&z, Z_FINISH);
	if (zr != Z_STREAM_END) {
		r = z.avail_out == 0 ? SE_ELIMIT : SE_EINVAL;
		goto done;
	}
	if (memchr(out, 0, z.total_out)) {
		r = SE_EINVAL;
		goto done;
	}
	*ret = strndup((const char *)out, z.total_out);
	r = *ret ? 0 : SE_ENOMEM;
done:
	inflateEnd(&z);
	free(out);
	free(raw);
	return r;
}

int se_saml_authn_req_parse(const char *xml, se_saml_authn_req *ret)
{
	memset(ret, 0, sizeof *ret);
	xmlDoc *doc = parse(xml, strlen(xml));
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	int r = SE_EINVAL;
	if (!is_el(root, SE_SAML_NS_PROTOCOL, "AuthnRequest"))
		goto done;
	char *version = attr(root, "Version");
	bool v2 = version && strcmp(version, "2.0") == 0;
	free(version);
	if (!v2)
		goto done;
	ret->id = attr(root, "ID");
	ret->issuer = text(child(root, SE_SAML_NS_ASSERTION, "Issuer"));
	ret->acs_url = attr(root, "AssertionConsumerServiceURL");
	ret->nameid_format = attr(child(root, SE_SAML_NS_PROTOCOL, "NameIDPolicy"), "Format");
	if (!ret->id || !ret->issuer || !ret->acs_url || !ret->nameid_format) {
		r = SE_ENOMEM;
		goto done;
	}
	if (!*ret->id || !*ret->issuer || strlen(ret->id) > 256)
		goto done;
	r = 0;
done:
	if (r < 0)
		se_saml_authn_req_release(ret);
	xmlFreeDoc(doc);
	return r;
}

void se_saml_authn_req_release(se_saml_authn_req *a)
{
	free(a->id);
	free(a->issuer);
	free(a->acs_url);
	free(a->nameid_format);
	memset(a, 0, sizeof *a);
}

/* --- keys -------------------------------------------------------------------------------------- */

static xmlSecKeyPtr key_from_private(const char *pem, const char *cert_pem)
{
	xmlSecKeyPtr k = xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)pem, (xmlSecSize)strlen(pem),
	                                              xmlSecKeyDataFormatPem, NULL, NULL, NULL);
	if (k && cert_pem &&
	    xmlSecCryptoAppKeyCertLoadMemory(k, (const xmlSecByte *)cert_pem, (xmlSecSize)strlen(cert_pem),
	                                     xmlSecKeyDataFormatPem) < 0) {
		xmlSecKeyDestroy(k);
		return NULL;
	}
	return k;
}

static xmlSecKeyPtr key_from_cert(const char *pem)
{
	return xmlSecCryptoAppKeyLoadMemory((const xmlSecByte *)pem, (xmlSecSize)strlen(pem),
	                                    xmlSecKeyDataFormatCertPem, NULL, NULL, NULL);
}

static xmlSecKeyPtr key_from_cert_der(const xmlSecByte *der, size_t len)
{
	return xmlSecCryptoAppKeyLoadMemory(der, (xmlSecSize)len, xmlSecKeyDataFormatCertDer, NULL, NULL, NULL);
}

/* --- Response building (built-in IdP) ---------------------------------------------------------- */

static void set_prop(xmlNode *n, const char *name, const char *v)
{
	xmlNewProp(n, (const xmlChar *)name, (const xmlChar *)v);
}

static int add_attributes(xmlNode *assertion, xmlNs *saml, const json_t *attrs)
{
	if (!json_is_object(attrs) || json_object_size(attrs) == 0)
		return 0;
	xmlNode *st = add(assertion, saml, "AttributeStatement", NULL);
	if (!st)
		return SE_ENOMEM;
	const char *name;
	json_t *v;
	json_object_foreach ((json_t *)attrs, name, v) {
		xmlNode *a = add(st, saml, "Attribute", NULL);
		if (!a)
			return SE_ENOMEM;
		set_prop(a, "Name", name);
		set_prop(a, "NameFormat", "urn:oasis:names:tc:SAML:2.0:attrname-format:basic");
		if (json_is_string(v)) {
			if (!add(a, saml, "AttributeValue", json_string_value(v)))
				return SE_ENOMEM;
			continue;
		}
		size_t i;
		json_t *it;
		json_array_foreach (v, i, it) {
			if (json_is_string(it) && !add(a, saml, "AttributeValue", json_string_value(it)))
				return SE_ENOMEM;
		}
	}
	return 0;
}

/* Signs element el (which has an ID attribute id) with an enveloped signature placed after its
 * Issuer child: exclusive C14N, RSA-SHA256, the certificate in KeyInfo. */
static int sign_element(xmlDoc *doc, xmlNode *el, const char *id, const char *key_pem, const char *cert_pem)
{
	int r = SE_ECRYPTO;
	xmlSecDSigCtxPtr ctx = NULL;
	xmlNode *sig = xmlSecTmplSignatureCreate(doc, xmlSecTransformExclC14NId, xmlSecTransformRsaSha256Id, NULL);
	if (!sig)
		return SE_ENOMEM;
	xmlNode *issuer = child(el, SE_SAML_NS_ASSERTION, "Issuer");
	if (issuer ? !xmlAddNextSibling(issuer, sig) : !xmlAddChild(el, sig)) {
		xmlFreeNode(sig);
		return SE_ENOMEM;
	}
	char *uri = se_asprintf("#%s", id);
	xmlNode *ref =
	    uri ? xmlSecTmplSignatureAddReference(sig, xmlSecTransformSha256Id, NULL, (const xmlChar *)uri, NULL)
	        : NULL;
	free(uri);
	if (!ref || !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformEnvelopedId) ||
	    !xmlSecTmplReferenceAddTransform(ref, xmlSecTransformExclC14NId))
		goto done;
	xmlNode *ki = xmlSecTmplSignatureEnsureKeyInfo(sig, NULL);
	xmlNode *x509 = ki ? xmlSecTmplKeyInfoAddX509Data(ki) : NULL;
	if (!x509 || !xmlSecTmplX509DataAddCertificate(x509))
		goto done;
	ctx = xmlSecDSigCtxCreate(NULL);
	if (!ctx)
		goto done;
	ctx->signKey = key_from_private(key_pem, cert_pem);
	if (!ctx->signKey) {
		r = SE_EINVAL;
		goto done;
	}
	if (xmlSecDSigCtxSign(ctx, sig) < 0)
		goto done;
	r = 0;
done:
	xmlSecDSigCtxDestroy(ctx);
	return r;
}

/* Replaces the assertion with saml:EncryptedAssertion: AES-256-GCM content, RSA-OAEP (MGF1P) key
 * transport to the public half of key_pem. */
static int encrypt_assertion(xmlDoc *doc, xmlNode *assertion, xmlNs *saml, const char *key_pem)
{
	int r = SE_ECRYPTO;
	xmlSecKeysMngrPtr mngr = NULL;
	xmlSecEncCtxPtr ctx = NULL;
	xmlNode *enc = xmlSecTmplEncDataCreate(doc, xmlSecTransformAes256GcmId, NULL, xmlSecTypeEncElement, NULL, NULL);
	if (!enc || !xmlSecTmplEncDataEnsureCipherValue(enc))
		goto fail_tmpl;
	xmlNode *ki = xmlSecTmplEncDataEnsureKeyInfo(enc, NULL);
	xmlNode *ek = ki ? xmlSecTmplKeyInfoAddEncryptedKey(ki, xmlSecTransformRsaOaepId, NULL, NULL, NULL) : NULL;
	if (!ek || !xmlSecTmplEncDataEnsureCipherValue(ek))
		goto fail_tmpl;
	mngr = xmlSecKeysMngrCreate();
	if (!mngr || xmlSecCryptoAppDefaultKeysMngrInit(mngr) < 0)
		goto fail_tmpl;
	xmlSecKeyPtr rsa = key_from_private(key_pem, NULL);
	if (!rsa) {
		r = SE_EINVAL;
		goto fail_tmpl;
	}
	if (xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, rsa) < 0) {
		xmlSecKeyDestroy(rsa);
		goto fail_tmpl;
	}
	ctx = xmlSecEncCtxCreate(mngr);
	if (!ctx)
		goto fail_tmpl;
	ctx->encKey = xmlSecKeyGenerate(xmlSecKeyDataAesId, 256, xmlSecKeyDataTypeSession);
	if (!ctx->encKey)
		goto fail_tmpl;
	xmlNode *wrapper = xmlNewNode(saml, (const xmlChar *)"EncryptedAssertion");
	if (!wrapper || !xmlAddPrevSibling(assertion, wrapper)) {
		xmlFreeNode(wrapper);
		goto fail_tmpl;
	}
	/* The template lives inside the wrapper; encryption replaces the assertion by the template. */
	xmlUnlinkNode(assertion);
	xmlAddChild(wrapper, assertion);
	if (xmlSecEncCtxXmlEncrypt(ctx, enc, assertion) < 0)
		goto fail_tmpl;
	r = 0;
	goto done;
fail_tmpl:
	xmlFreeNode(enc);
done:
	xmlSecEncCtxDestroy(ctx);
	xmlSecKeysMngrDestroy(mngr);
	return r;
}

int se_saml_response_build(const se_saml_resp_params *p, char **ret_xml)
{
	char rid[42], aid[42], now[21], nb[21], noa[21];
	if (se_saml_init() < 0 || random_id(rid) < 0 || random_id(aid) < 0)
		return SE_ECRYPTO;
	fmt_time(p->now, now);
	fmt_time(p->not_before, nb);
	fmt_time(p->not_on_or_after, noa);
	int r = SE_ENOMEM;
	xmlDoc *doc = xmlNewDoc((const xmlChar *)"1.0");
	xmlNode *root = doc ? xmlNewNode(NULL, (const xmlChar *)"Response") : NULL;
	if (!root)
		goto done;
	xmlDocSetRootElement(doc, root);
	xmlNs *samlp = xmlNewNs(root, (const xmlChar *)SE_SAML_NS_PROTOCOL, (const xmlChar *)"samlp");
	xmlNs *saml = xmlNewNs(root, (const xmlChar *)SE_SAML_NS_ASSERTION, (const xmlChar *)"saml");
	xmlSetNs(root, samlp);
	set_prop(root, "ID", rid);
	set_prop(root, "Version", "2.0");
	set_prop(root, "IssueInstant", now);
	set_prop(root, "Destination", p->destination);
	if (p->in_response_to)
		set_prop(root, "InResponseTo", p->in_response_to);
	add(root, saml, "Issuer", p->issuer);
	xmlNode *status = add(root, samlp, "Status", NULL);
	xmlNode *code = status ? add(status, samlp, "StatusCode", NULL) : NULL;
	if (!code)
		goto done;
	if (p->status_code2) {
		set_prop(code, "Value", "urn:oasis:names:tc:SAML:2.0:status:Responder");
		xmlNode *c2 = add(code, samlp, "StatusCode", NULL);
		if (!c2)
			goto done;
		set_prop(c2, "Value", p->status_code2);
		if (p->status_message && !add(status, samlp, "StatusMessage", p->status_message))
			goto done;
		goto out;
	}
	set_prop(code, "Value", STATUS_SUCCESS);

	xmlNode *a = add(root, saml, "Assertion", NULL);
	if (!a)
		goto done;
	set_prop(a, "ID", aid);
	set_prop(a, "Version", "2.0");
	set_prop(a, "IssueInstant", now);
	add(a, saml, "Issuer", p->issuer);
	xmlNode *subj = add(a, saml, "Subject", NULL);
	xmlNode *nameid = subj ? add(subj, saml, "NameID", p->nameid) : NULL;
	xmlNode *sc = subj ? add(subj, saml, "SubjectConfirmation", NULL) : NULL;
	xmlNode *scd = sc ? add(sc, saml, "SubjectConfirmationData", NULL) : NULL;
	xmlNode *cond = add(a, saml, "Conditions", NULL);
	xmlNode *ar = cond ? add(cond, saml, "AudienceRestriction", NULL) : NULL;
	xmlNode *as = add(a, saml, "AuthnStatement", NULL);
	xmlNode *actx = as ? add(as, saml, "AuthnContext", NULL) : NULL;
	if (!nameid || !scd || !ar || !actx || !add(ar, saml, "Audience", p->audience) ||
	    !add(actx, saml, "AuthnContextClassRef",
	         "urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"))
		goto done;
	set_prop(nameid, "Format", p->nameid_format);
	set_prop(sc, "Method", BEARER);
	if (p->in_response_to)
		set_prop(scd, "InResponseTo", p->in_response_to);
	set_prop(scd, "NotOnOrAfter", noa);
	set_prop(scd, "Recipient", p->destination);
	set_prop(cond, "NotBefore", nb);
	set_prop(cond, "NotOnOrAfter", noa);
	set_prop(as, "AuthnInstant", now);
	set_prop(as, "SessionIndex", aid);
	if (add_attributes(a, saml, p->attributes) < 0)
		goto done;
	/* AttributeStatement must follow AuthnStatement in schema order: both were appended in order. */
	xmlAttr *idattr = xmlHasProp(a, (const xmlChar *)"ID");
	if (idattr)
		xmlAddID(NULL, doc, (const xmlChar *)aid, idattr);
	if (p->key_pem) {
		r = sign_element(doc, a, aid, p->key_pem, p->cert_pem);
		if (r < 0)
			goto done;
		r = SE_ENOMEM;
	}
	if (p->tamper) {
		/* Changes a signed value: the digest no longer matches. */
		xmlNodeSetContent(nameid, (const xmlChar *)"tampered@attacker.test");
	}
	if (p->encrypt_key_pem) {
		r = encrypt_assertion(doc, a, saml, p->encrypt_key_pem);
		if (r < 0)
			goto done;
		r = SE_ENOMEM;
	}
out:
	*ret_xml = dump(doc);
	r = *ret_xml ? 0 : SE_ENOMEM;
done:
	xmlFreeDoc(doc);
	return r;
}

int se_saml_idp_metadata(const char *entity_id, const char *sso_url, const char *cert_pem, char **ret_xml)
{
	char *body = pem_body(cert_pem);
	int r = SE_ENOMEM;
	xmlDoc *doc = body ? xmlNewDoc((const xmlChar *)"1.0") : NULL;
	xmlNode *root = doc ? xmlNewNode(NULL, (const xmlChar *)"EntityDescriptor") : NULL;
	if (!root)
		goto done;
	xmlDocSetRootElement(doc, root);
	xmlNs *md = xmlNewNs(root, (const xmlChar *)NS_MD, (const xmlChar *)"md");
	xmlNs *ds = xmlNewNs(root, (const xmlChar *)NS_DS, (const xmlChar *)"ds");
	xmlSetNs(root, md);
	set_prop(root, "entityID", entity_id);
	xmlNode *idp = add(root, md, "IDPSSODescriptor", NULL);
	xmlNode *kd = idp ? add(idp, md, "KeyDescriptor", NULL) : NULL;
	xmlNode *ki = kd ? add(kd, ds, "KeyInfo", NULL) : NULL;
	xmlNode *xd = ki ? add(ki, ds, "X509Data", NULL) : NULL;
	if (!xd || !add(xd, ds, "X509Certificate", body))
		goto done;
	set_prop(idp, "WantAuthnRequestsSigned", "false");
	set_prop(idp, "protocolSupportEnumeration", SE_SAML_NS_PROTOCOL);
	set_prop(kd, "use", "signing");
	static const char *const formats[] = {SE_SAML_NAMEID_EMAIL,
	                                      "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
	                                      SE_SAML_NAMEID_PERSISTENT, SE_SAML_NAMEID_TRANSIENT};
	for (size_t i = 0; i < 4; i++)
		if (!add(idp, md, "NameIDFormat", formats[i]))
			goto done;
	static const char *const bindings[] = {"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
	                                       "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"};
	for (size_t i = 0; i < 2; i++) {
		xmlNode *s = add(idp, md, "SingleSignOnService", NULL);
		if (!s)
			goto done;
		set_prop(s, "Binding", bindings[i]);
		set_prop(s, "Location", sso_url);
	}
	*ret_xml = dump(doc);
	r = *ret_xml ? 0 : SE_ENOMEM;
done:
	free(body);
	xmlFreeDoc(doc);
	return r;
}

/* --- Response verification (assertion consumer service) ---------------------------------------- */

void se_saml_assertion_release(se_saml_assertion *a)
{
	char **strs[] = {&a->status_code, &a->status_code2,   &a->status_message, &a->response_issuer,
	                 &a->destination, &a->in_response_to, &a->assertion_id,   &a->assertion_issuer,
	                 &a->nameid,      &a->nameid_format,  &a->sc_recipient,   &a->sc_in_response_to,
	                 &a->decrypted};
	for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		free(*strs[i]);
	json_decref(a->audiences);
	json_decref(a->attributes);
	json_decref(a->element_valued);
	memset(a, 0, sizeof *a);
}

static bool href_in(const xmlNode *n, const char *const *allowed)
{
	xmlChar *alg = xmlGetNoNsProp(n, (const xmlChar *)"Algorithm");
	bool ok = alg && se_str_in((const char *)alg, allowed);
	xmlFree(alg);
	return ok;
}

/* Every EncryptionMethod below n uses an algorithm of the chosen set (SIGNIN.md section 2, check 4). */
static bool enc_algorithms_ok(const xmlNode *n)
{
	static const char *const allowed[] = {
	    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p", "http://www.w3.org/2009/xmlenc11#rsa-oaep",
	    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",     "http://www.w3.org/2001/04/xmlenc#aes192-cbc",
	    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",     "http://www.w3.org/2009/xmlenc11#aes128-gcm",
	    "http://www.w3.org/2009/xmlenc11#aes256-gcm",      NULL};
	for (const xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (is_el(c, NS_XENC, "EncryptionMethod") && !href_in(c, allowed))
			return false;
		if (!enc_algorithms_ok(c->children))
			return false;
	}
	return true;
}

/* Decrypts the EncryptedAssertion ea in place, trying each key; on success ea is replaced by the
 * Assertion it held. */
static int decrypt_assertion(xmlDoc *doc, xmlNode *ea, const se_saml_trust *t, char **ret_xml)
{
	xmlNode *ed = child(ea, NS_XENC, "EncryptedData");
	if (!ed || !enc_algorithms_ok(ea))
		return SE_EINVAL;
	bool ok = false;
	for (size_t i = 0; i < t->n_dec_keys && !ok; i++) {
		/* Each key works on a copy, so a failed try leaves the original untouched. */
		xmlNode *trial = xmlDocCopyNode(ed, doc, 1);
		if (!trial || !xmlAddChild(ea, trial)) {
			xmlFreeNode(trial);
			return SE_ENOMEM;
		}
		xmlSecKeysMngrPtr mngr = xmlSecKeysMngrCreate();
		xmlSecEncCtxPtr ctx = NULL;
		xmlSecKeyPtr k = key_from_private(t->dec_keys[i], NULL);
		if (mngr && xmlSecCryptoAppDefaultKeysMngrInit(mngr) >= 0 && k &&
		    xmlSecCryptoAppDefaultKeysMngrAdoptKey(mngr, k) >= 0) {
			k = NULL;
			ctx = xmlSecEncCtxCreate(mngr);
			ok = ctx && xmlSecEncCtxDecrypt(ctx, trial) >= 0 && ctx->resultReplaced;
		}
		if (!ok && !(ctx && ctx->resultReplaced)) {
			xmlUnlinkNode(trial);
			xmlFreeNode(trial);
		}
		xmlSecKeyDestroy(k);
		xmlSecEncCtxDestroy(ctx);
		xmlSecKeysMngrDestroy(mngr);
	}
	if (ok) {
		xmlUnlinkNode(ed);
		xmlFreeNode(ed);
		xmlNode *as = child(ea, SE_SAML_NS_ASSERTION, "Assertion");
		if (!as || count_children(ea, SE_SAML_NS_ASSERTION, "Assertion") != 1)
			return SE_EINVAL;
		xmlBufferPtr buf = xmlBufferCreate();
		if (buf && xmlNodeDump(buf, doc, as, 0, 0) >= 0)
			*ret_xml = strdup((const char *)xmlBufferContent(buf));
		xmlBufferFree(buf);
		xmlUnlinkNode(as);
		xmlReplaceNode(ea, as);
		xmlFreeNode(ea);
		return 0;
	}
	return SE_EINVAL;
}

/* Collects every ID attribute of the document: refuses duplicates, registers them with libxml2 for
 * the same-document references of xmlsec. */
static int register_ids(xmlDoc *doc, xmlNode *n, json_t *seen)
{
	for (xmlNode *c = n; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		xmlAttr *a = xmlHasProp(c, (const xmlChar *)"ID");
		if (a && a->ns == NULL) {
			xmlChar *v = xmlNodeListGetString(doc, a->children, 1);
			if (!v)
				return SE_EINVAL;
			int dup = json_object_get(seen, (const char *)v) != NULL;
			if (!dup)
				json_object_set_new(seen, (const char *)v, json_true());
			if (!dup && !xmlGetID(doc, v))
				xmlAddID(NULL, doc, v, a);
			xmlFree(v);
			if (dup)
				return SE_EINVAL;
		}
		if (register_ids(doc, c->children, seen) < 0)
			return SE_EINVAL;
	}
	return 0;
}

typedef enum sig_result { SIG_NONE, SIG_OK, SIG_BAD, SIG_MISMATCH } sig_result;

/* The structural rules of check 6 for the Signature sig of element el: one Reference whose URI is
 * "#" + el's ID, transforms of the chosen set, and the chosen signature and digest algorithms. */
static bool signature_shape_ok(const xmlNode *el, const xmlNode *sig)
{
	static const char *const c14n[] = {"http://www.w3.org/2001/10/xml-exc-c14n#",
	                                   "http://www.w3.org/2001/10/xml-exc-c14n#WithComments",
	                                   "http://www.w3.org/TR/2001/REC-xml-c14n-20010315",
	                                   "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", NULL};
	static const char *const sigalg[] = {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
	                                     "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
	                                     "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", NULL};
	static const char *const digest[] = {"http://www.w3.org/2001/04/xmlenc#sha256",
	                                     "http://www.w3.org/2000/09/xmldsig#sha1",
	                                     "http://www.w3.org/2001/04/xmlenc#sha512", NULL};
	static const char *const enveloped[] = {"http://www.w3.org/2000/09/xmldsig#enveloped-signature", NULL};
	xmlNode *si = child(sig, NS_DS, "SignedInfo");
	if (!si || count_children(sig, NS_DS, "SignedInfo") != 1 || count_children(si, NS_DS, "Reference") != 1)
		return false;
	if (!href_in(child(si, NS_DS, "CanonicalizationMethod"), c14n) ||
	    !href_in(child(si, NS_DS, "SignatureMethod"), sigalg))
		return false;
	xmlNode *ref = child(si, NS_DS, "Reference");
	if (!href_in(child(ref, NS_DS, "DigestMethod"), digest))
		return false;
	xmlChar *uri = xmlGetNoNsProp(ref, (const xmlChar *)"URI");
	xmlChar *id = xmlGetNoNsProp(el, (const xmlChar *)"ID");
	bool ok = uri && id && uri[0] == '#' && strcmp((const char *)uri + 1, (const char *)id) == 0;
	xmlFree(uri);
	xmlFree(id);
	if (!ok)
		return false;
	xmlNode *tr = child(ref, NS_DS, "Transforms");
	for (xmlNode *c = tr ? tr->children : NULL; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_el(c, NS_DS, "Transform") || (!href_in(c, c14n) && !href_in(c, enveloped)))
			return false;
	}
	return true;
}

/* Verifies sig with one key (the context owns it). */
static bool verify_with(xmlNode *sig, xmlSecKeyPtr key)
{
	if (!key)
		return false;
	xmlSecDSigCtxPtr ctx = xmlSecDSigCtxCreate(NULL);
	if (!ctx) {
		xmlSecKeyDestroy(key);
		return false;
	}
	ctx->signKey = key;
	ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
	/* Only the chosen algorithms; anything else fails verification. */
	xmlSecTransformId sig_tr[] = {xmlSecTransformExclC14NId,  xmlSecTransformExclC14NWithCommentsId,
	                              xmlSecTransformInclC14NId,  xmlSecTransformInclC14NWithCommentsId,
	                              xmlSecTransformRsaSha256Id, xmlSecTransformRsaSha1Id,
	                              xmlSecTransformRsaSha512Id};
	xmlSecTransformId ref_tr[] = {xmlSecTransformExclC14NId,  xmlSecTransformExclC14NWithCommentsId,
	                              xmlSecTransformInclC14NId,  xmlSecTransformInclC14NWithCommentsId,
	                              xmlSecTransformEnvelopedId, xmlSecTransformSha256Id,
	                              xmlSecTransformSha1Id,      xmlSecTransformSha512Id};
	bool ok = true;
	for (size_t i = 0; i < sizeof sig_tr / sizeof sig_tr[0]; i++)
		ok = ok && xmlSecDSigCtxEnableSignatureTransform(ctx, sig_tr[i]) >= 0;
	for (size_t i = 0; i < sizeof ref_tr / sizeof ref_tr[0]; i++)
		ok = ok && xmlSecDSigCtxEnableReferenceTransform(ctx, ref_tr[i]) >= 0;
	ok = ok && xmlSecDSigCtxVerify(ctx, sig) >= 0 && ctx->status == xmlSecDSigStatusSucceeded;
	xmlSecDSigCtxDestroy(ctx);
	return ok;
}

/* Check 6 for one signed element: trusted certificates first, never KeyInfo; the KeyInfo
 * certificate only tells a foreign key (mismatch) from an altered document. */
static sig_result check_signature(xmlNode *el, const se_saml_trust *t)
{
	xmlNode *sig = child(el, NS_DS, "Signature");
	if (!sig)
		return SIG_NONE;
	if (count_children(el, NS_DS, "Signature") != 1 || !signature_shape_ok(el, sig))
		return SIG_BAD;
	for (size_t i = 0; i < t->n_certs; i++)
		if (verify_with(sig, key_from_cert(t->certs[i])))
			return SIG_OK;
	xmlNode *ki = child(sig, NS_DS, "KeyInfo");
	xmlNode *x = child(child(ki, NS_DS, "X509Data"), NS_DS, "X509Certificate");
	char *b64 = x ? text(x) : NULL;
	sig_result res = SIG_BAD;
	if (b64 && *b64) {
		size_t cap = strlen(b64);
		xmlSecByte *der = malloc(cap + 1);
		xmlSecSize written = 0;
		int n = der && xmlSecBase64Decode_ex((const xmlChar *)b64, der, (xmlSecSize)cap, &written) >= 0
		            ? (int)written
		            : -1;
		if (n > 0 && verify_with(sig, key_from_cert_der(der, (size_t)n)))
			res = SIG_MISMATCH;
		free(der);
	}
	free(b64);
	return res;
}

static int read_attributes(const xmlNode *assertion, se_saml_assertion *a)
{
	a->attributes = json_object();
	a->element_valued = json_array();
	if (!a->attributes || !a->element_valued)
		return SE_ENOMEM;
	for (xmlNode *st = assertion->children; st; st = st->next) {
		if (!is_el(st, SE_SAML_NS_ASSERTION, "AttributeStatement"))
			continue;
		for (xmlNode *at = st->children; at; at = at->next) {
			if (!is_el(at, SE_SAML_NS_ASSERTION, "Attribute"))
				continue;
			char *name = attr(at, "Name"), *friendly = attr(at, "FriendlyName");
			json_t *vals = json_array();
			bool elem = false;
			for (xmlNode *v = at->children; v && vals; v = v->next) {
				if (!is_el(v, SE_SAML_NS_ASSERTION, "AttributeValue"))
					continue;
				for (xmlNode *vc = v->children; vc; vc = vc->next)
					elem = elem || vc->type == XML_ELEMENT_NODE;
				char *s = text(v);
				if (s)
					json_array_append_new(vals, json_string(s));
				free(s);
			}
			int r = name && friendly && vals ? 0 : SE_ENOMEM;
			if (r == 0 && *name) {
				json_t *prev = json_object_get(a->attributes, name);
				if (prev)
					json_array_extend(prev, vals);
				else
					json_object_set(a->attributes, name, vals);
				if (elem)
					json_array_append_new(a->element_valued, json_string(name));
			}
			if (r == 0 && *friendly && strcmp(friendly, name) != 0 &&
			    !json_object_get(a->attributes, friendly)) {
				json_object_set(a->attributes, friendly, vals);
				if (elem)
					json_array_append_new(a->element_valued, json_string(friendly));
			}
			free(name);
			free(friendly);
			json_decref(vals);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int read_assertion(const xmlNode *as, se_saml_assertion *a, bool *bad_time)
{
	a->assertion_id = attr(as, "ID");
	a->assertion_issuer = text(child(as, SE_SAML_NS_ASSERTION, "Issuer"));
	xmlNode *subj = child(as, SE_SAML_NS_ASSERTION, "Subject");
	xmlNode *nameid = child(subj, SE_SAML_NS_ASSERTION, "NameID");
	a->nameid = text(nameid);
	a->nameid_format = attr(nameid, "Format");
	a->sc_recipient = strdup("");
	a->sc_in_response_to = strdup("");
	for (xmlNode *sc = subj ? subj->children : NULL; sc; sc = sc->next) {
		if (!is_el(sc, SE_SAML_NS_ASSERTION, "SubjectConfirmation"))
			continue;
		char *m = attr(sc, "Method");
		bool bearer = m && strcmp(m, BEARER) == 0;
		free(m);
		if (!bearer)
			continue;
		xmlNode *d = child(sc, SE_SAML_NS_ASSERTION, "SubjectConfirmationData");
		free(a->sc_recipient);
		free(a->sc_in_response_to);
		a->sc_recipient = attr(d, "Recipient");
		a->sc_in_response_to = attr(d, "InResponseTo");
		a->sc_not_on_or_after = attr_time(d, "NotOnOrAfter", bad_time);
		break;
	}
	xmlNode *cond = child(as, SE_SAML_NS_ASSERTION, "Conditions");
	a->not_before = attr_time(cond, "NotBefore", bad_time);
	a->not_on_or_after = attr_time(cond, "NotOnOrAfter", bad_time);
	a->audiences = json_array();
	for (xmlNode *ar = cond ? cond->children : NULL; ar && a->audiences; ar = ar->next) {
		if (!is_el(ar, SE_SAML_NS_ASSERTION, "AudienceRestriction"))
			continue;
		for (xmlNode *au = ar->children; au; au = au->next) {
			if (!is_el(au, SE_SAML_NS_ASSERTION, "Audience"))
				continue;
			char *s = text(au);
			if (s)
				json_array_append_new(a->audiences, json_string(s));
			free(s);
		}
	}
	if (!a->assertion_id || !a->assertion_issuer || !a->nameid || !a->nameid_format || !a->sc_recipient ||
	    !a->sc_in_response_to || !a->audiences)
		return SE_ENOMEM;
	return read_attributes(as, a);
}

se_error_id se_saml_response_verify(const char *xml, size_t len, const se_saml_trust *t, se_saml_assertion *ret,
                                    const char **ret_detail)
{
	se_saml_assertion *a = ret;
	memset(a, 0, sizeof *a);
	se_error_id e = SE_ERR_INTERNAL;
	*ret_detail = "internal error";
	if (se_saml_init() < 0)
		return SE_ERR_INTERNAL;
	json_t *ids = json_object();
	xmlDoc *doc = ids ? parse(xml, len) : NULL;
	xmlNode *root = doc ? xmlDocGetRootElement(doc) : NULL;
	if (!ids)
		goto done;
	e = SE_ERR_SI_INVALID_XML_SAML_RESPONSE;
	*ret_detail = "not a well-formed SAML 2.0 Response without DOCTYPE";
	if (!is_el(root, SE_SAML_NS_PROTOCOL, "Response"))
		goto done;
	char *version = attr(root, "Version");
	bool v2 = version && strcmp(version, "2.0") == 0;
	free(version);
	if (!v2)
		goto done;

	a->destination = attr(root, "Destination");
	a->in_response_to = attr(root, "InResponseTo");
	a->response_issuer = text(child(root, SE_SAML_NS_ASSERTION, "Issuer"));
	xmlNode *status = child(root, SE_SAML_NS_PROTOCOL, "Status");
	xmlNode *code = child(status, SE_SAML_NS_PROTOCOL, "StatusCode");
	a->status_code = attr(code, "Value");
	a->status_code2 = attr(child(code, SE_SAML_NS_PROTOCOL, "StatusCode"), "Value");
	a->status_message = text(child(status, SE_SAML_NS_PROTOCOL, "StatusMessage"));
	e = SE_ERR_INTERNAL;
	if (!a->destination || !a->in_response_to || !a->response_issuer || !a->status_code || !a->status_code2 ||
	    !a->status_message)
		goto done;
	e = SE_ERR_SI_FAILED_SAML_RESPONSE;
	*ret_detail = "top-level StatusCode is not Success";
	if (strcmp(a->status_code, STATUS_SUCCESS) != 0)
		goto done;

	/* IDs must be unique before any signature is looked at; a duplicate is a wrapping attempt. */
	e = SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE;
	*ret_detail = "duplicate ID attributes";
	bool dup_ids = register_ids(doc, root, ids) < 0;
	/* A Response signature covers what was sent, so it is checked before decryption. */
	sig_result response_sig = dup_ids ? SIG_BAD : check_signature(root, t);

	size_t n_plain = count_children(root, SE_SAML_NS_ASSERTION, "Assertion");
	size_t n_enc = count_children(root, SE_SAML_NS_ASSERTION, "EncryptedAssertion");
	if (n_enc > 0) {
		e = SE_ERR_SI_INVALID_SAML_RESPONSE;
		*ret_detail = "EncryptedAssertion could not be decrypted with the connection's encryption keys";
		if (n_enc != 1 || n_plain != 0)
			goto done;
		a->was_encrypted = true;
		if (decrypt_assertion(doc, child(root, SE_SAML_NS_ASSERTION, "EncryptedAssertion"), t, &a->decrypted) <
		    0)
			goto done;
		json_object_clear(ids);
		dup_ids = register_ids(doc, root, ids) < 0;
	}
	e = SE_ERR_SI_INVALID_SAML_RESPONSE;
	*ret_detail = "not exactly one Assertion";
	xmlNode *as = child(root, SE_SAML_NS_ASSERTION, "Assertion");
	if (!as || count_desc(root, SE_SAML_NS_ASSERTION, "Assertion") != 1 ||
	    count_desc(root, SE_SAML_NS_ASSERTION, "EncryptedAssertion") != 0)
		goto done;

	sig_result assertion_sig = dup_ids ? SIG_BAD : check_signature(as, t);
	e = SE_ERR_SI_MISSING_SIGNATURE_SAML_RESPONSE;
	*ret_detail = "neither the Response nor the Assertion carries a signature";
	if (response_sig == SIG_NONE && assertion_sig == SIG_NONE && !dup_ids)
		goto done;
	e = SE_ERR_SI_SAML_CERTIFICATE_MISMATCH;
	*ret_detail = "signed by a key that is not a verification certificate of the connection";
	if ((response_sig == SIG_MISMATCH || assertion_sig == SIG_MISMATCH) && response_sig != SIG_BAD &&
	    assertion_sig != SIG_BAD)
		goto done;
	e = SE_ERR_SI_INVALID_SIGNATURE_SAML_RESPONSE;
	*ret_detail = "the signature does not verify with any verification certificate";
	if (dup_ids || response_sig == SIG_BAD || assertion_sig == SIG_BAD || response_sig == SIG_MISMATCH ||
	    assertion_sig == SIG_MISMATCH)
		goto done;

	bool bad_time = false;
	e = SE_ERR_INTERNAL;
	*ret_detail = "internal error";
	if (read_assertion(as, a, &bad_time) < 0)
		goto done;
	e = SE_ERR_SI_INVALID_SAML_RESPONSE;
	*ret_detail = "a time attribute is not an xs:dateTime";
	if (bad_time)
		goto done;
	e = SE_ERR_NONE;
	*ret_detail = "ok";
done:
	json_decref(ids);
	xmlFreeDoc(doc);
	return e;
}
