// Validates real rt-edge responses against openapi/openapi.yaml (Ajv 2020 + ajv-formats).
// assertResponse(op, res) checks status, content type and body for an operationId or "GET /path".
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SPEC_PATH = path.resolve(here, '../../openapi/openapi.yaml');
export const spec = YAML.parse(fs.readFileSync(SPEC_PATH, 'utf8'));

const BASE = 'https://roundtable.local/openapi.yaml';
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addSchema({ ...spec, $id: BASE });

const escapePointer = (s) => s.replace(/~/g, '~0').replace(/\//g, '~1');
const cache = new Map();

function validatorAt(pointer) {
  if (!cache.has(pointer)) cache.set(pointer, ajv.compile({ $ref: `${BASE}#${pointer}` }));
  return cache.get(pointer);
}

/** Every operation as { method, path, operationId, op }. */
export function operations() {
  const out = [];
  for (const [p, item] of Object.entries(spec.paths)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      if (item[method]) out.push({ method: method.toUpperCase(), path: p, operationId: item[method].operationId, op: item[method] });
    }
  }
  return out;
}

function findOperation(key) {
  const ops = operations();
  const found = ops.find((o) => o.operationId === key) ??
    ops.find((o) => `${o.method} ${o.path}` === key.replace(/^(\w+)\s+/, (m, v) => `${v.toUpperCase()} `));
  if (!found) throw new Error(`no operation ${key} in openapi.yaml`);
  return found;
}

function resolveRef(obj) {
  let pointer = null;
  while (obj && obj.$ref) {
    pointer = obj.$ref.slice(1);
    obj = pointer.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], spec);
  }
  return { obj, pointer };
}

function fail(msg, body) {
  const shown = typeof body === 'string' ? body : JSON.stringify(body);
  throw new Error(`${msg}\n  body: ${String(shown).slice(0, 600)}`);
}

/** Validates data against components.schemas[name]; throws with Ajv's errors. */
export function assertSchema(name, data) {
  const v = validatorAt(`/components/schemas/${escapePointer(name)}`);
  if (!v(data)) fail(`does not match schema ${name}: ${ajv.errorsText(v.errors)}`, data);
}

/**
 * Asserts that a response (from tests/lib/http.mjs: { status, headers, json, text }) is one the
 * spec documents for this operation: the status is listed, the content type is listed for it,
 * and the body matches that schema (problem+json included).
 */
export function assertResponse(key, res) {
  const { op, path: p, method } = findOperation(key);
  const status = String(res.status);
  let responseRef = op.responses[status];
  if (!responseRef) {
    // 401/403/413 come from the transport layer on every route; they use Problem.
    if (['401', '403', '404', '413', '500'].includes(status) && isProblem(res)) {
      assertSchema('Problem', res.json);
      if (res.json.status !== res.status) fail(`problem.status ${res.json.status} != HTTP ${res.status}`, res.json);
      return;
    }
    fail(`${method} ${p}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`, res.text);
  }
  const { obj: response, pointer } = resolveRef(responseRef);
  const basePointer = pointer ?? `/paths/${escapePointer(p)}/${method.toLowerCase()}/responses/${status}`;
  if (!response.content) {
    if (res.text && res.text.length) fail(`${method} ${p} ${status}: expected no body`, res.text);
    return;
  }
  const type = (res.headers['content-type'] || '').split(';')[0].trim();
  if (!response.content[type]) fail(`${method} ${p} ${status}: content type "${type}" not in ${Object.keys(response.content).join(', ')}`, res.text);
  if (res.json === undefined) fail(`${method} ${p} ${status}: body is not JSON`, res.text);
  const v = validatorAt(`${basePointer}/content/${escapePointer(type)}/schema`);
  if (!v(res.json)) fail(`${method} ${p} ${status}: body does not match the spec: ${ajv.errorsText(v.errors)}`, res.json);
  if (type === 'application/problem+json' && res.json.status !== res.status) {
    fail(`problem.status ${res.json.status} != HTTP ${res.status}`, res.json);
  }
}

/** A response is a well-formed problem+json with the HTTP status in it. */
export function assertProblem(res, status) {
  if (res.status !== status) fail(`expected HTTP ${status}, got ${res.status}`, res.text);
  if (!isProblem(res)) fail(`expected application/problem+json, got "${res.headers['content-type']}"`, res.text);
  assertSchema('Problem', res.json);
  if (res.json.status !== status) fail(`problem.status ${res.json.status} != ${status}`, res.json);
}

function isProblem(res) {
  return (res.headers['content-type'] || '').split(';')[0].trim() === 'application/problem+json';
}
