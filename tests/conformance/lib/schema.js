'use strict';
/*
 * Validates /sdk/v1 answers against Stytch's own published schema of that surface,
 * <repo>/../shared/spec/stytch/sdk-openapi.yml (OpenAPI 3.1, read in place, never copied), with
 * ajv's JSON Schema 2020-12 validator and ajv-formats (so a "date-time" must be one: "" fails).
 *
 * - A success body is unwrapped from "data" and checked against the 200 schema of its operation
 *   (path template and method from the document; the few calls the document lacks are mapped by
 *   name in EXTRA_OPERATIONS).
 * - An error body is checked against the shape of the document's own error examples: exactly
 *   status_code (integer), request_id, error_type, error_message, error_url (strings).
 * - Where the schema and the SDK's TypeScript types (@stytch/vanilla-js 6.3.0) disagree, the types
 *   win: TYPE_OVERRIDES lists each such field, and README "Stytch's Admin Portal" lists them too.
 */

const fs = require('node:fs');
const path = require('node:path');
const YAML = require('yaml');
const Ajv2020 = require('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default;
const { REPO_ROOT } = require('./server');

const SCHEMA_PATH = path.join(REPO_ROOT, '..', 'shared', 'spec', 'stytch', 'sdk-openapi.yml');

/* [schema, property, why]: the property may also be null, as the SDK's types say. */
const TYPE_OVERRIDES = [
  ['api_organization_v1_Organization', 'sso_default_connection_id', 'Organization.sso_default_connection_id: string | null'],
  ['api_organization_v1_Organization', 'scim_active_connection', 'Organization.scim_active_connection: {...} | null'],
  ['BootstrapResponse', 'password_config', 'the SDK reads password_config: null for a B2B project'],
  ['api_b2b_scim_v1_SCIMConnection', 'next_bearer_token_expires_at', 'an unset time is null, never "" (ORG.md 5)'],
  ['api_b2b_scim_v1_SCIMConnectionWithNextToken', 'next_bearer_token_expires_at', 'as above'],
  ['B2BGetSCIMConnectionGroupsResponse', 'next_cursor', 'B2BSCIMGetConnectionGroupsResponse.next_cursor: string | null'],
];

/* Calls the SDK makes that the document does not list: [method, path template, schema]. */
const EXTRA_OPERATIONS = [
  ['GET', '/sdk/v1/projects/bootstrap/{public_token}', 'BootstrapResponse'],
  ['GET', '/sdk/v1/b2b/admin_portal_config', 'B2BAdminPortalConfigResponse'],
  // vanilla-js sends the singular form; the document has the plural one.
  ['DELETE', '/sdk/v1/b2b/sso/saml/{connection_id}/encryption_private_key/{private_key_id}',
    'B2BDeleteSAMLEncryptionPrivateKeyResponse'],
];

let cached;

function load() {
  if (cached) return cached;
  const doc = YAML.parse(fs.readFileSync(SCHEMA_PATH, 'utf8'));
  const schemas = doc.components.schemas;
  const applied = [];
  for (const [name, prop] of TYPE_OVERRIDES) {
    const s = schemas[name];
    if (!s || !s.properties || !s.properties[prop]) continue;
    s.properties[prop] = { anyOf: [s.properties[prop], { type: 'null' }] };
    applied.push(`${name}.${prop}`);
  }
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: 'stytch-sdk', components: doc.components }, 'stytch-sdk');
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const ref = op?.responses?.['200']?.content?.['application/json']?.schema?.$ref;
      if (ref) ops.push({ method: method.toUpperCase(), template: p, schema: ref.split('/').pop() });
    }
  }
  for (const [method, template, schema] of EXTRA_OPERATIONS) ops.push({ method, template, schema });
  for (const o of ops) {
    o.re = new RegExp(`^${o.template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  }
  // The error examples of the document all have the same five keys.
  const errorSchema = {
    type: 'object', additionalProperties: false,
    required: ['status_code', 'request_id', 'error_type', 'error_message', 'error_url'],
    properties: {
      status_code: { type: 'integer' }, request_id: { type: 'string', pattern: '^request-id-test-' },
      error_type: { type: 'string', minLength: 1 }, error_message: { type: 'string', minLength: 1 },
      error_url: { type: 'string', format: 'uri' },
    },
  };
  const example = doc.paths['/sdk/v1/b2b/sso'].get.responses['401'].content['application/json'].example;
  cached = { ajv, ops, errorSchema: ajv.compile(errorSchema), example, applied, validators: new Map() };
  return cached;
}

/** The schema name for a response to method + pathname (no query), or undefined. */
function operationSchema(method, pathname) {
  const { ops } = load();
  // Literal segments beat parameters ("/b2b/sso/saml" before "/b2b/sso/{connection_id}").
  const hits = ops.filter((o) => o.method === method && o.re.test(pathname));
  hits.sort((a, b) => (a.template.match(/\{/g) || []).length - (b.template.match(/\{/g) || []).length);
  return hits[0]?.schema;
}

function validator(name) {
  const c = load();
  if (!c.validators.has(name)) c.validators.set(name, c.ajv.getSchema(`stytch-sdk#/components/schemas/${name}`));
  return c.validators.get(name);
}

function describe(errors) {
  return (errors || []).map((e) => `${e.instancePath || '(root)'} ${e.message}`).join('; ');
}

/**
 * Checks one /sdk/v1 answer. Returns null when it conforms, else a sentence saying what is wrong.
 * body: the parsed JSON body as the server sent it (wrapped in "data" on success).
 */
function checkSdkAnswer(method, pathname, status, body) {
  const c = load();
  if (status >= 400) {
    if (!c.errorSchema(body)) return `error body: ${describe(c.errorSchema.errors)}`;
    if (Object.keys(body).join() !== Object.keys(c.example).join()) return 'error body keys differ from the documented example';
    return body.status_code === status ? null : `status_code ${body.status_code} but HTTP ${status}`;
  }
  if (!body || typeof body !== 'object' || !('data' in body)) return 'success body not wrapped in data';
  const name = operationSchema(method, pathname);
  if (!name) return `no schema for ${method} ${pathname}`;
  const v = validator(name);
  if (!v) return `schema ${name} missing from the document`;
  return v(body.data) ? null : `${name}: ${describe(v.errors)}`;
}

module.exports = { checkSdkAnswer, operationSchema, TYPE_OVERRIDES, SCHEMA_PATH, load };
