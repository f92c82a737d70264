'use strict';
// The files under tests/conformance/data/ and what the tests expect the server to read from them.
//
// - idp-cert-1..6.pem: self-signed RSA certificates, subject/issuer CN "Conformance IdP <n>",
//   valid ten years (x509_certificate of SAML update: verification certificates).
// - signing-key.pem, encryption-key-1.pem, encryption-key-2.pem: PKCS#1 RSA private keys
//   (signing_private_key, saml_encryption_private_key).
// - idp-metadata.xml: IdP metadata (entityID, signing certificate metadata-cert.pem, an HTTP-POST
//   and an HTTP-Redirect SSO binding) for SAML update by metadata URL, read through file://.
// - fixtures-scim-groups.json: the default fixtures plus a Globex SCIM connection with five
//   groups (SCIM groups and group role assignments).

const fs = require('node:fs');
const path = require('node:path');
const { X509Certificate, createPublicKey } = require('node:crypto');
const { pathToFileURL } = require('node:url');

const DATA_DIR = path.join(__dirname, '..', 'data');
const file = (name) => path.join(DATA_DIR, name);
const read = (name) => fs.readFileSync(file(name), 'utf8');

/** RFC 3339, second precision, UTC: how API.md §3 writes timestamps. */
const rfc3339 = (d) => new Date(d).toISOString().replace(/\.\d{3}Z$/, 'Z');

function certInfo(pem) {
  const x = new X509Certificate(pem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.issuer);
  return {
    pem,
    issuerCN: cn ? cn[1] : '',
    notBefore: rfc3339(x.validFrom),
    notAfter: rfc3339(x.validTo),
    fingerprint: x.fingerprint256,
  };
}

const certs = [1, 2, 3, 4, 5, 6].map((n) => certInfo(read(`idp-cert-${n}.pem`)));

const metadata = {
  path: file('idp-metadata.xml'),
  url: pathToFileURL(file('idp-metadata.xml')).href,
  entityId: 'http://idp.conformance.test/metadata',
  // The HTTP-Redirect binding wins over HTTP-POST (API.md §2, SAML update by URL).
  ssoUrl: 'https://idp.conformance.test/sso/redirect',
  cert: certInfo(read('metadata-cert.pem')),
};

/** SPKI DER (base64) of a PEM private key or certificate: compares keys across encodings. */
function spki(pemKeyOrCert) {
  const key = pemKeyOrCert.includes('CERTIFICATE')
    ? new X509Certificate(pemKeyOrCert).publicKey
    : createPublicKey(pemKeyOrCert);
  return key.export({ type: 'spki', format: 'der' }).toString('base64');
}

/** Fingerprint of a PEM certificate (throws unless it parses). */
const fingerprint = (pem) => new X509Certificate(pem).fingerprint256;

module.exports = {
  DATA_DIR,
  file,
  read,
  rfc3339,
  certs,
  certInfo,
  metadata,
  spki,
  fingerprint,
  signingKey: read('signing-key.pem'),
  encryptionKeys: [read('encryption-key-1.pem'), read('encryption-key-2.pem')],
  scimFixtures: {
    path: file('fixtures-scim-groups.json'),
    connectionId: 'scim-connection-test-bbbbbbbb-0000-4000-8000-00000000c003',
    bearerToken: 'GlobexScimToken00000000000000000000000000000Tk01',
    groups: [
      ['scim-group-test-bbbbbbbb-0000-4000-8000-00000000e001', 'Engineering'],
      ['scim-group-test-bbbbbbbb-0000-4000-8000-00000000e002', 'Finance'],
      ['scim-group-test-bbbbbbbb-0000-4000-8000-00000000e003', 'IT Admins'],
      ['scim-group-test-bbbbbbbb-0000-4000-8000-00000000e004', 'Marketing'],
      ['scim-group-test-bbbbbbbb-0000-4000-8000-00000000e005', 'Sales'],
    ].map(([group_id, group_name]) => ({ group_id, group_name })),
  },
};
