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

// The WebSocket event catalogue (AsyncAPI 3, beside openapi.yaml; its payloads $ref openapi.yaml's
// schemas as ./openapi.yaml#/..., which resolves against BASE). Validated by
// tests/lib/asyncapi-lint.mjs (@asyncapi/parser) in the lint-openapi stage.
export const ASYNCAPI_PATH = path.resolve(here, '../../openapi/asyncapi.yaml');
export const asyncapi = YAML.parse(fs.readFileSync(ASYNCAPI_PATH, 'utf8'));
const ASYNC_BASE = 'https://roundtable.local/asyncapi.yaml';
ajv.addSchema({ ...asyncapi, $id: ASYNC_BASE });

const deref = (doc, ref) => ref.slice(2).split('/').reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
/**
 * The catalogue: every frame type rt-edge sends on /ws (the messages of the AsyncAPI operation
 * whose action is "send"), as Map type -> { message, schemaName, source }.
 */
let eventsCache = null;
export function wsEvents() {
  if (eventsCache) return eventsCache;
  const out = new Map();
  for (const op of Object.values(asyncapi.operations)) {
    if (op.action !== 'send') continue;
    for (const ref of op.messages) {
      let msg = deref(asyncapi, ref.$ref);
      if (msg.$ref) msg = deref(asyncapi, msg.$ref);
      out.set(msg.name, { message: msg, schemaName: msg.payload.$ref.split('/').pop(), source: msg['x-source'] });
    }
  }
  eventsCache = out;
  return out;
}

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

/** Validates data against components.schemas[name] of openapi.yaml, or of asyncapi.yaml for the
 * WebSocket schemas (Ws*); throws with Ajv's errors. */
export function assertSchema(name, data) {
  const v = Object.hasOwn(spec.components.schemas, name) ? validatorAt(`/components/schemas/${escapePointer(name)}`) : asyncValidator(name);
  if (!v(data)) fail(`does not match schema ${name}: ${ajv.errorsText(v.errors)}`, data);
}

/**
 * Asserts that a response (from tests/lib/http.mjs: { status, headers, json, text }) is one the
 * spec documents for this operation: the status is listed, the content type is listed for it,
 * and the body matches that schema (problem+json included). A status the operation does not
 * list fails, whatever its body: a 500 never "matches the spec".
 */
export function assertResponse(key, res, { noBody = false } = {}) {
  const { op, path: p, method } = findOperation(key);
  const status = String(res.status);
  const responseRef = op.responses[status];
  if (!responseRef) {
    fail(`${method} ${p}: status ${status} is not documented (documented: ${Object.keys(op.responses).join(', ')})`, res.text);
  }
  const { obj: response, pointer } = resolveRef(responseRef);
  const basePointer = pointer ?? `/paths/${escapePointer(p)}/${method.toLowerCase()}/responses/${status}`;
  // HEAD, or a body the server cut short by closing (allowReset): the status is all there is.
  if (noBody) return;
  if (!response.content) {
    if (res.text && res.text.length) fail(`${method} ${p} ${status}: expected no body`, res.text);
    return;
  }
  const type = (res.headers['content-type'] || '').split(';')[0].trim();
  if (!response.content[type]) fail(`${method} ${p} ${status}: content type "${type}" not in ${Object.keys(response.content).join(', ')}`, res.text);
  // JSON types are validated as parsed JSON; any other type (text/plain of /metrics) as its text
  const isJson = type === 'application/json' || type.endsWith('+json');
  if (isJson && res.json === undefined) fail(`${method} ${p} ${status}: body is not JSON`, res.text);
  const body = isJson ? res.json : res.text;
  const v = validatorAt(`${basePointer}/content/${escapePointer(type)}/schema`);
  if (!v(body)) fail(`${method} ${p} ${status}: body does not match the spec: ${ajv.errorsText(v.errors)}`, body);
  if (type === 'application/problem+json' && res.json.status !== res.status) {
    fail(`problem.status ${res.json.status} != HTTP ${res.status}`, res.json);
  }
}

/** The spec path template a concrete path matches (literal segments win over {params}), or null. */
export function matchPath(pathname) {
  const segs = pathname.split('/');
  let best = null; let bestScore = -1;
  for (const tpl of Object.keys(spec.paths)) {
    const t = tpl.split('/');
    if (t.length !== segs.length) continue;
    let score = 0; let ok = true;
    for (let i = 0; i < t.length && ok; i++) {
      if (/^\{\w+\}$/.test(t[i])) ok = segs[i].length > 0;
      else if (t[i] === segs[i]) score += 1;
      else ok = false;
    }
    if (ok && score > bestScore) { best = tpl; bestScore = score; }
  }
  return best;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

/** How many responses validateExchange checked in this process (reported by the count file). */
export const validated = { count: 0, wsFrames: 0, byOperation: new Map() };

/**
 * Validates any response from rt-edge against the spec by method and URL, not by a name the
 * test chose: the route's operation must document the status, the content type and the body.
 * A path under /api that the spec does not have must be a 404 problem; a documented path asked
 * with an undocumented method must be a 405 problem whose Allow lists exactly the spec's methods.
 * Paths outside /api that the spec does not name (the SPA's static files, /ws) are not the
 * spec's business and pass unchecked. Throws on any mismatch.
 */
export function validateExchange(method, url, res) {
  const pathname = new URL(url, 'http://x').pathname;
  const tpl = matchPath(pathname);
  if (!tpl && !pathname.startsWith('/api/') && pathname !== '/api') return false;
  const noBody = method === 'HEAD' || Boolean(res.reset);
  const m = method === 'HEAD' ? 'get' : method.toLowerCase();
  const where = `${method} ${pathname}`;
  if (!tpl || !spec.paths[tpl][m]) {
    const want = tpl ? 405 : 404;
    if (res.status !== want) fail(`${where}: ${tpl ? 'a method' : 'a path'} the spec does not have answered ${res.status}, not ${want}`, res.text);
    if (!noBody) {
      if (!isProblem(res)) fail(`${where} ${want}: expected application/problem+json, got "${res.headers['content-type']}"`, res.text);
      assertSchema('Problem', res.json);
      if (res.json.status !== want) fail(`problem.status ${res.json.status} != ${want}`, res.json);
    }
    if (tpl) {
      const allow = String(res.headers.allow ?? '').split(',').map((s) => s.trim()).filter(Boolean).sort();
      const documented = METHODS.filter((x) => spec.paths[tpl][x]).map((x) => x.toUpperCase()).sort();
      if (allow.join(',') !== documented.join(',')) fail(`${where} 405: Allow "${res.headers.allow}" is not the spec's ${documented.join(', ')}`, res.text);
    }
  } else {
    const { operationId } = spec.paths[tpl][m];
    assertResponse(operationId ?? `${m.toUpperCase()} ${tpl}`, res, { noBody });
  }
  validated.count += 1;
  const k = `${method === 'HEAD' ? 'GET' : method} ${tpl ?? '(unknown path)'} ${res.status}`;
  validated.byOperation.set(k, (validated.byOperation.get(k) ?? 0) + 1);
  return true;
}

function asyncValidator(name) {
  const key = `async:${name}`;
  if (!Object.hasOwn(asyncapi.components.schemas, name)) throw new Error(`no schema ${name} in openapi.yaml or asyncapi.yaml`);
  if (!cache.has(key)) cache.set(key, ajv.compile({ $ref: `${ASYNC_BASE}#/components/schemas/${escapePointer(name)}` }));
  return cache.get(key);
}

/**
 * Validates one WebSocket frame (parsed JSON) against the event catalogue of asyncapi.yaml: its
 * `type` must be one of the catalogue's messages and the frame must match that message's
 * payload. Returns null when it does, else the reason. Counted with the HTTP answers.
 */
export function wsFrameError(frame) {
  validated.wsFrames += 1;
  const shown = `\n  frame: ${JSON.stringify(frame).slice(0, 600)}`;
  const events = wsEvents();
  const event = events.get(frame?.type);
  if (!event) return `WebSocket frame type ${JSON.stringify(frame?.type)} is not one of ${[...events.keys()].join(', ')}${shown}`;
  const name = event.schemaName;
  const v = asyncValidator(name);
  if (v(frame)) return null;
  return `WebSocket frame does not match ${name}: ${ajv.errorsText(v.errors)}${shown}`;
}

// RT_OPENAPI_COUNT_FILE=path: each test process appends one JSON line with what it validated.
if (process.env.RT_OPENAPI_COUNT_FILE) {
  process.on('exit', () => {
    if (!validated.count && !validated.wsFrames) return;
    fs.appendFileSync(process.env.RT_OPENAPI_COUNT_FILE, `${JSON.stringify({ file: process.argv[1], count: validated.count, wsFrames: validated.wsFrames, byOperation: Object.fromEntries(validated.byOperation) })}\n`);
  });
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
