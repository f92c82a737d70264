/* SAML 2.0 metadata with libxml2: the IdP's entityID, SingleSignOnService Location and signing X509Certificate.
 * The parser never reads anything but the given bytes: no network, no DTD, no entity expansion. */
#include "outbound/metadata.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/errors_code.h"
#include "util/text.h"
#include "util/util.h"

#define NS_MD "urn:oasis:names:tc:SAML:2.0:metadata"
#define NS_DS "http://www.w3.org/2000/09/xmldsig#"
#define BINDING_REDIRECT "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
#define BINDING_POST "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

/* libxml2 sets up its global tables on first use; doing that from two threads at once is not safe. */
static void init_parser(void)
{
	xmlInitParser();
}

static bool is_elem(const xmlNode *n, const char *ns, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, ns) == 0 && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of parent in namespace ns named name, or NULL. */
static xmlNode *child(const xmlNode *parent, const char *ns, const char *name)
{
	for (xmlNode *n = parent ? parent->children : NULL; n; n = n->next)
		if (is_elem(n, ns, name))
			return n;
	return NULL;
}

/* A copy of s with leading and trailing XML whitespace removed; NULL on allocation failure. */
static char *trimmed(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	char *out = malloc(n + 1);
	if (out) {
		memcpy(out, s, n);
		out[n] = '\0';
	}
	return out;
}

/* An attribute without namespace, trimmed, into *ret (NULL when absent or blank). Returns 0 or SE_ENOMEM. */
static int attr(xmlNode *n, const char *name, char **ret)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	*ret = NULL;
	if (!v)
		return 0;
	char *t = trimmed((const char *)v);
	xmlFree(v);
	if (!t)
		return SE_ENOMEM;
	if (!*t) {
		free(t);
		return 0;
	}
	*ret = t;
	return 0;
}

/* The Location of the first SingleSignOnService with the given binding, or NULL. */
static int sso_location(xmlNode *idp, const char *binding, char **ret)
{
	*ret = NULL;
	for (xmlNode *n = idp->children; n; n = n->next) {
		if (!is_elem(n, NS_MD, "SingleSignOnService"))
			continue;
		char *b = NULL;
		if (attr(n, "Binding", &b) < 0)
			return SE_ENOMEM;
		bool match = b && strcmp(b, binding) == 0;
		free(b);
		if (!match)
			continue;
		if (attr(n, "Location", ret) < 0)
			return SE_ENOMEM;
		if (*ret)
			return 0;
	}
	return 0;
}

/* The X509Certificate text of the first KeyDescriptor usable for signing (use="signing" or no use), or NULL. */
static int signing_certificate(xmlNode *idp, char **ret)
{
	*ret = NULL;
	for (xmlNode *n = idp->children; n; n = n->next) {
		if (!is_elem(n, NS_MD, "KeyDescriptor"))
			continue;
		char *use = NULL;
		if (attr(n, "use", &use) < 0)
			return SE_ENOMEM;
		bool usable = !use || strcmp(use, "signing") == 0;
		free(use);
		if (!usable)
			continue;
		xmlNode *cert = child(child(child(n, NS_DS, "KeyInfo"), NS_DS, "X509Data"), NS_DS, "X509Certificate");
		if (!cert)
			continue;
		xmlChar *text = xmlNodeGetContent(cert);
		if (!text)
			return SE_ENOMEM;
		char *t = trimmed((const char *)text);
		xmlFree(text);
		if (!t)
			return SE_ENOMEM;
		if (*t) {
			*ret = t;
			return 0;
		}
		free(t);
	}
	return 0;
}

/* The one EntityDescriptor of the document: the root, or the only one inside a root EntitiesDescriptor. */
static xmlNode *entity_descriptor(xmlNode *root, char **ret_error)
{
	if (is_elem(root, NS_MD, "EntityDescriptor"))
		return root;
	if (!is_elem(root, NS_MD, "EntitiesDescriptor")) {
		*ret_error = strdup("The root element is not an md:EntityDescriptor or md:EntitiesDescriptor.");
		return NULL;
	}
	xmlNode *found = NULL;
	size_t count = 0;
	for (xmlNode *n = root->children; n; n = n->next) {
		if (is_elem(n, NS_MD, "EntityDescriptor")) {
			found = found ? found : n;
			count++;
		}
	}
	if (count != 1) {
		*ret_error = se_asprintf("The md:EntitiesDescriptor holds %zu md:EntityDescriptor elements; exactly one is "
					 "expected.",
					 count);
		return NULL;
	}
	return found;
}

/* Where the parser stopped. libxml2's own message is not repeated: it quotes names and text of the document. */
static char *parse_error(xmlParserCtxt *ctxt)
{
	const xmlError *e = xmlCtxtGetLastError(ctxt);
	if (!e || e->line <= 0)
		return strdup("The metadata is not well-formed XML.");
	return se_asprintf("The metadata is not well-formed XML (line %d).", e->line);
}

/* Finds needle in [p, end); returns the position after it, or NULL. */
static const char *skip_past(const char *p, const char *end, const char *needle)
{
	size_t n = strlen(needle);
	for (; p + n <= end; p++)
		if (*p == needle[0] && memcmp(p, needle, n) == 0)
			return p + n;
	return NULL;
}

/* The bounding pass, before libxml2 sees a byte: counts elements, attributes (per element and in all) and depth
   on the raw text, which is cheap and linear, because libxml2 itself is not (its duplicate-attribute check is
   quadratic in the attributes of one element). Comments, CDATA sections and processing instructions are skipped;
   anything this pass misreads, the parser then refuses as not well-formed. Returns NULL or why the document is
   refused (malloc'd). */
static char *check_bounds(const char *xml, size_t len)
{
	const char *p = xml, *end = xml + len;
	size_t elements = 0, attributes = 0;
	long depth = 0;
	/* The parser is told the same (below), so that this pass and the parser read the same characters. */
	if (!se_utf8_valid(xml, len))
		return strdup("The metadata is not UTF-8 text.");
	while ((p = memchr(p, '<', (size_t)(end - p)))) {
		p++;
		if (p < end && *p == '!') {
			const char *q = NULL;
			if (end - p >= 3 && memcmp(p, "!--", 3) == 0)
				q = skip_past(p + 3, end, "-->");
			else if (end - p >= 8 && memcmp(p, "![CDATA[", 8) == 0)
				q = skip_past(p + 8, end, "]]>");
			if (!q)
				return NULL; /* not well-formed, or a DOCTYPE: the checks that follow say so */
			p = q;
			continue;
		}
		if (p < end && *p == '?') {
			const char *q = skip_past(p + 1, end, "?>");
			if (!q)
				return NULL;
			p = q;
			continue;
		}
		bool closing = p < end && *p == '/';
		size_t attrs = 0;
		char quote = 0;
		const char *q = p;
		for (; q < end; q++) {
			if (quote) {
				if (*q == quote)
					quote = 0;
			} else if (*q == '"' || *q == '\'') {
				quote = *q;
			} else if (*q == '=') {
				attrs++;
			} else if (*q == '>' || *q == '<') {
				break;
			}
		}
		if (q >= end || *q == '<')
			return NULL;
		bool empty = q > p && q[-1] == '/';
		p = q + 1;
		if (closing) {
			depth--;
			continue;
		}
		if (++elements > SE_METADATA_MAX_ELEMENTS)
			return se_asprintf("The metadata has more than %d elements.", SE_METADATA_MAX_ELEMENTS);
		if (attrs > SE_METADATA_MAX_ATTRS_PER_ELEMENT)
			return se_asprintf("An element of the metadata has more than %d attributes.",
					   SE_METADATA_MAX_ATTRS_PER_ELEMENT);
		attributes += attrs;
		if (attributes > SE_METADATA_MAX_ATTRS)
			return se_asprintf("The metadata has more than %d attributes.", SE_METADATA_MAX_ATTRS);
		if (!empty && ++depth > SE_METADATA_MAX_DEPTH)
			return se_asprintf("The metadata nests elements deeper than %d levels.", SE_METADATA_MAX_DEPTH);
	}
	return NULL;
}

/* Whether the document declares a DOCTYPE. Checked on the raw bytes so that no declaration is ever parsed, and on
 * the tree for encodings where the bytes differ. */
static bool has_doctype(const char *xml, size_t len)
{
	static const char needle[] = "<!DOCTYPE";
	size_t n = sizeof needle - 1;
	for (size_t i = 0; i + n <= len; i++)
		if (xml[i] == '<' && memcmp(xml + i, needle, n) == 0)
			return true;
	return false;
}

int se_metadata_parse(const char *xml, size_t len, se_metadata *ret, char **ret_error)
{
	se_metadata m = {0};
	xmlParserCtxt *ctxt = NULL;
	xmlDoc *doc = NULL;
	char *error = NULL;
	int rc = SE_EINVAL;
	if (!xml || len == 0) {
		error = strdup("The metadata is empty.");
		goto done;
	}
	if (len > SE_METADATA_MAX_BYTES) {
		error = se_asprintf("The metadata is larger than %d bytes.", SE_METADATA_MAX_BYTES);
		goto done;
	}
	if (has_doctype(xml, len)) {
		error = strdup("The metadata declares a DOCTYPE, which SAML metadata never needs.");
		goto done;
	}
	if ((error = check_bounds(xml, len)))
		goto done;
	pthread_once(&init_once, init_parser);
	if (!(ctxt = xmlNewParserCtxt())) {
		rc = SE_ENOMEM;
		goto done;
	}
	/* Not XML_PARSE_NOENT (no entity substitution), DTDLOAD or HUGE; NONET in case anything still asks. */
	doc = xmlCtxtReadMemory(ctxt, xml, (int)len, "metadata.xml", "UTF-8",
				XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc || !ctxt->wellFormed) {
		error = parse_error(ctxt);
		goto done;
	}
	if (doc->intSubset || doc->extSubset) {
		error = strdup("The metadata declares a DOCTYPE, which SAML metadata never needs.");
		goto done;
	}
	xmlNode *ed = entity_descriptor(xmlDocGetRootElement(doc), &error);
	if (!ed)
		goto done;
	if (attr(ed, "entityID", &m.entity_id) < 0) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (!m.entity_id) {
		error = strdup("The md:EntityDescriptor has no entityID.");
		goto done;
	}
	xmlNode *idp = child(ed, NS_MD, "IDPSSODescriptor");
	if (!idp) {
		error = strdup("The md:EntityDescriptor has no md:IDPSSODescriptor.");
		goto done;
	}
	if (sso_location(idp, BINDING_REDIRECT, &m.sso_url) < 0 ||
	    (!m.sso_url && sso_location(idp, BINDING_POST, &m.sso_url) < 0) || signing_certificate(idp, &m.certificate) < 0) {
		rc = SE_ENOMEM;
		goto done;
	}
	if (!m.sso_url) {
		error = strdup("The md:IDPSSODescriptor has no md:SingleSignOnService with an HTTP-Redirect or HTTP-POST "
			       "binding and a Location.");
		goto done;
	}
	if (!m.certificate) {
		error = strdup("The md:IDPSSODescriptor has no signing md:KeyDescriptor with a ds:X509Certificate.");
		goto done;
	}
	if (strlen(m.entity_id) > SE_METADATA_STR_MAX || strlen(m.sso_url) > SE_METADATA_STR_MAX) {
		error = se_asprintf("The entityID or SingleSignOnService Location is longer than %d characters.",
				    SE_METADATA_STR_MAX);
		goto done;
	}
	*ret = m;
	memset(&m, 0, sizeof m);
	rc = 0;
done:
	xmlFreeDoc(doc);
	xmlFreeParserCtxt(ctxt);
	se_metadata_release(&m);
	if (rc == SE_EINVAL)
		*ret_error = error ? error : strdup("The metadata is not valid.");
	else
		free(error);
	return rc;
}

void se_metadata_release(se_metadata *m)
{
	if (!m)
		return;
	free(m->entity_id);
	free(m->sso_url);
	free(m->certificate);
	memset(m, 0, sizeof *m);
}
