// Every operation of openapi.yaml, swept programmatically so no route is forgotten: the edge's
// route table is the spec's path list; every route for every role (anonymous 401, below the
// route's role 403, else the one expected status); with a session but no CSRF token on a
// state-changing route → 403, a non-integer {id} → 400 naming "id"; plus 404/405 (Allow), 413,
// 415 and malformed JSON on the SQL routes. Every answer is validated against the spec by
// tests/lib/http.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEdge } from '../lib/stack.mjs';
import { request, login } from '../lib/http.mjs';
import { operations, assertResponse, assertProblem, validateExchange, wsFrameError } from '../lib/openapi.mjs';
import { roleClients, dummyBody, client, uniq } from '../lib/api.mjs';

const ROLES = ['viewer', 'moderator', 'admin', 'owner'];
let edge; let as;
before(async () => {
  edge = await startEdge({ name: 'sweep', env: { RT_MAX_BODY_BYTES: '65536' } });
  as = await roleClients(edge.url, ['admin', 'moderator', 'viewer']);
});
after(async () => {
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

const ops = operations().filter((o) => o.path.startsWith('/api/') && o.op.security?.length !== 0);
const concrete = (p) => p.replace('{id}', '1').replace('{key}', 'takeover.minutes');
const writes = ops.filter((o) => o.method !== 'GET');

test('the spec has the issue-3 routes', () => {
  assert.ok(ops.length >= 45, `only ${ops.length} protected operations`);
  for (const id of ['createPreset', 'importPresets', 'explainParams', 'sendMessage', 'flagMessage', 'ackAllNotifications', 'listAudit', 'updateSetting']) {
    assert.ok(ops.some((o) => o.operationId === id), id);
  }
});

for (const o of ops) {
  test(`${o.method} ${o.path}: no session → 401`, async () => {
    const res = await request(edge.url, o.method, concrete(o.path), o.method === 'GET' ? {} : { json: dummyBody(o.path) });
    assertProblem(res, 401);
    assertResponse(o.operationId, res);
  });
}

for (const o of writes) {
  test(`${o.method} ${o.path}: session without X-CSRF-Token → 403, wrong token → 403`, async () => {
    const none = await request(edge.url, o.method, concrete(o.path), { cookie: as.owner.session.cookie, json: dummyBody(o.path) });
    assertProblem(none, 403);
    assertResponse(o.operationId, none);
    const wrong = await request(edge.url, o.method, concrete(o.path), { cookie: as.owner.session.cookie, csrf: 'f'.repeat(64), json: dummyBody(o.path) });
    assertProblem(wrong, 403);
  });
  assert.ok(o.op.parameters?.some((p) => p.$ref === '#/components/parameters/CsrfToken'), `${o.method} ${o.path} documents X-CSRF-Token`);
  assert.ok(o.op.security?.some((r) => 'session' in r && 'csrf' in r), `${o.method} ${o.path}: security needs session AND csrf`);
}

for (const o of ops.filter((x) => x.path.includes('{id}'))) {
  test(`${o.method} ${o.path}: a non-integer id → 400 naming "id"`, async () => {
    const res = await as.owner.send(o.method, o.path.replace('{id}', 'abc'), o.method === 'GET' || o.method === 'DELETE' ? undefined : dummyBody(o.path));
    assertProblem(res, 400);
    assert.equal(res.json.field, 'id', res.text);
    assertResponse(o.operationId, res);
  });
}

// The validator itself: what the spec does not document fails, whatever its shape. (Before,
// any 401/403/404/413/500 problem+json passed on every route, and unnamed fields passed.)
test('the validator refuses undocumented statuses, unnamed fields, other content types and a wrong Allow', () => {
  const problem = (status, extra = {}) => ({ status, headers: { 'content-type': 'application/problem+json' }, json: { type: 'about:blank', title: 't', status, ...extra }, text: '{}' });
  const refuses = (method, url, res, why) => assert.throws(() => validateExchange(method, url, res), why);
  refuses('POST', '/api/presets', problem(500), /status 500 is not documented/);
  refuses('GET', '/api/auth/me', problem(404), /status 404 is not documented/);
  refuses('GET', '/api/presets/7', problem(404, { stack: 'x' }), /must NOT have additional properties/);
  const me = { admin: { id: 1, login: 'a', role: 'owner' }, csrf_token: 'c' };
  assert.equal(validateExchange('GET', '/api/auth/me', { status: 200, headers: { 'content-type': 'application/json' }, json: me, text: '{}' }), true);
  refuses('GET', '/api/auth/me', { status: 200, headers: { 'content-type': 'application/json' }, json: { ...me, token: 'x' }, text: '{}' }, /additional properties/);
  refuses('GET', '/api/auth/me', { status: 200, headers: { 'content-type': 'text/html' }, json: me, text: '{}' }, /content type "text\/html"/);
  refuses('GET', '/api/nothing', { status: 200, headers: { 'content-type': 'application/json' }, json: {}, text: '{}' }, /answered 200, not 404/);
  refuses('PATCH', '/api/presets/1', { ...problem(405), headers: { 'content-type': 'application/problem+json', allow: 'GET' } }, /Allow "GET" is not the spec's DELETE, GET, PUT/);
  assert.equal(validateExchange('GET', '/assets/app.js', { status: 200, headers: {}, text: '' }), false, 'static files are not the spec\'s');
  // WebSocket frames (tests/lib/http.mjs openWs validates each one): keyed on type.
  const ts = new Date().toISOString();
  assert.equal(wsFrameError({ type: 'pong', data: null, ts }), null);
  assert.match(wsFrameError({ type: 'pong', data: null, ts, extra: 1 }), /does not match WsPongEnvelope: data must NOT have additional properties/);
  assert.match(wsFrameError({ type: 'messages', new: [[1, 1000000000]] }), /type "messages" is not one of/);
});

// The route table of rt-edge (edge/src/edge_routes.c, plus the HTTP layer's own paths of
// edge_router.c) and the spec's paths are the same list: a route the spec does not describe, or a
// documented route the edge does not serve, fails here.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
function edgeRoutes() {
  const api = fs.readFileSync(path.join(ROOT, 'edge/src/edge_routes.c'), 'utf8');
  const rows = [...api.matchAll(/\{"(GET|POST|PUT|PATCH|DELETE)",\s*"(\/api\/[^"]*)",\s*"(\w+)"/g)]
    .map(([, method, p, id]) => `${method} ${p} ${id}`);
  const router = fs.readFileSync(path.join(ROOT, 'edge/src/edge_router.c'), 'utf8');
  const own = [...router.matchAll(/\{"(\/\w+)",\s*EDGE_ROUTE_\w+,\s*"(\w+)"/g)].map(([, p]) => p);
  return { rows, own };
}

test('the routes of edge_routes.c and edge_router.c are exactly the paths of openapi.yaml', () => {
  const { rows, own } = edgeRoutes();
  assert.ok(rows.length >= 55, `only ${rows.length} rows parsed from edge_routes.c`);
  const documented = operations().filter((o) => o.path.startsWith('/api/')).map((o) => `${o.method} ${o.path} ${o.operationId}`);
  assert.deepEqual([...rows].sort(), [...documented].sort());
  // /ws is the WebSocket upgrade, described in info.description, not a REST path.
  const ownDocumented = operations().filter((o) => !o.path.startsWith('/api/')).map((o) => o.path);
  assert.deepEqual(own.filter((p) => p !== '/ws').sort(), [...new Set(ownDocumented)].sort());
  assert.ok(own.includes('/ws'));
});

// Every route, every role. Roles are the database's; the spec states each operation's minimum
// role ("Needs the `x` role"); the few routes without the note need only a session. Anonymous
// gets 401 on every session route; each role below the minimum gets 403; every role at or above
// it gets the one status listed below for the request made (the same for all of them), never
// 401/403. request() validates every answer against the spec (status, content type, body).
const WHO = ['anonymous', 'viewer', 'moderator', 'admin', 'owner'];
const SESSION_ONLY = ['getMe', 'logout', 'listChats', 'listMessages', 'getOpenApiSpec', 'getApiDocs'];
const NO_SESSION = ['login', 'telegramWebhook'];
const ABSENT = 999999999; // no row has this id
// operationId → [method-specific request, status for a permitted role]. An {id} is ABSENT unless
// given; body undefined sends none.
const SWEEP = {
  login: { status: 200 }, // each role logs in again with its own password; anonymous sends a wrong one (401)
  logout: { status: 204 }, // on a second session of that role, so the sweep's own stays valid
  getMe: { status: 200 },
  getOpenApiSpec: { status: 200 }, // the spec itself, application/yaml (51-api-docs checks the bytes)
  getApiDocs: { status: 200 }, // the docs page, text/html (no Accept: text/html, so anonymous gets 401)
  listChats: { status: 200 },
  listMessages: { status: 200 },
  sendMessage: { body: { chat_id: ABSENT, text: 'sweep' }, status: 404 },
  simulateMessage: { body: { chat_id: 1, text: 'sweep' }, status: 202 },
  telegramWebhook: { body: { update_id: 1 }, status: 404 }, // webhook mode is off on this edge
  listPresets: { status: 200 },
  createPreset: { body: {}, status: 400 },
  exportPresets: { status: 200 },
  importPresets: { body: {}, status: 400 },
  getPreset: { status: 404 },
  updatePreset: { body: { version: 1 }, status: 404 },
  deletePreset: { status: 404 },
  listBindings: { status: 200 },
  createBinding: { body: {}, status: 400 },
  deleteBinding: { status: 404 },
  explainParams: { body: {}, status: 200 }, // the defaults, resolved
  updateChat: { body: {}, status: 404 },
  takeoverChat: { status: 404 },
  resumeChat: { status: 404 },
  markChatRead: { status: 404 },
  listUsers: { status: 200 },
  updateUser: { body: {}, status: 404 },
  flagMessage: { status: 404 },
  unflagMessage: { status: 404 },
  deleteMessage: { status: 404 },
  testRules: { body: { text: 'sweep', rule_set: 'moderation' }, status: 200 },
  listPlaybooks: { status: 200 },
  createPlaybook: { body: {}, status: 400 },
  getPlaybook: { status: 404 },
  updatePlaybook: { body: { version: 1 }, status: 404 },
  deletePlaybook: { status: 404 },
  listModerationRules: { status: 200 },
  createModerationRule: { body: {}, status: 400 },
  getModerationRule: { status: 404 },
  updateModerationRule: { body: { version: 1 }, status: 404 },
  deleteModerationRule: { status: 404 },
  listNotifications: { status: 200 },
  ackAllNotifications: { status: 200 },
  ackNotification: { status: 404 },
  listAudit: { status: 200 },
  listAdmins: { status: 200 },
  createAdmin: { body: {}, status: 400 },
  updateAdmin: { body: {}, status: 404 },
  listSettings: { status: 200 },
  updateSetting: { key: 'no.such.setting', body: { value: 1 }, status: 404 },
  listProviders: { status: 200 },
  createProvider: { body: {}, status: 400 },
  getProvider: { status: 404 },
  updateProvider: { body: { version: 1 }, status: 404 },
  deleteProvider: { status: 404 },
  reorderProviders: { body: { ids: 'all' }, status: 400 }, // a valid body would reorder every provider
  testProvider: { status: 404 },
  getUsage: { status: 400 }, // group_by is required
  listJobs: { status: 200 },
  retryJob: { status: 404 },
  discardJob: { status: 404 },
  createDraft: { body: {}, status: 404 },
  getDraft: { status: 404 },
  listSessions: { status: 200 },
  createSession: { body: { sweep: 1 }, status: 400 }, // an unknown field (a valid body would create a session)
  getSession: { status: 404 },
  startSession: { body: { topic: 'sweep' }, status: 404 },
  stopSession: { status: 404 },
  listPersonalities: { status: 200 },
  createPersonality: { body: {}, status: 400 }, // no title
  getPersonality: { status: 404 },
  updatePersonality: { body: { version: 1 }, status: 404 },
  deletePersonality: { status: 404 },
};

const minRole = (o) => /Needs the `(\w+)` role/.exec(o.op.description ?? '')?.[1];
const apiOps = operations().filter((o) => o.path.startsWith('/api/'));

test('every route states its minimum role, and the sweep has a request for every route', () => {
  for (const o of apiOps) {
    if (NO_SESSION.includes(o.operationId)) assert.deepEqual(o.op.security, [], `${o.operationId} needs no session`);
    else if (!SESSION_ONLY.includes(o.operationId)) assert.ok(ROLES.includes(minRole(o)), `${o.method} ${o.path} has no "Needs the \`role\` role" note`);
  }
  assert.deepEqual(Object.keys(SWEEP).sort(), apiOps.map((o) => o.operationId).sort());
});

for (const o of apiOps) {
  const want = SWEEP[o.operationId];
  const need = NO_SESSION.includes(o.operationId) ? null : (minRole(o) ?? 'viewer');
  const url = o.path.replace('{id}', String(want?.id ?? ABSENT)).replace('{key}', want?.key ?? '');
  const expected = (who) => {
    if (need === null) return o.operationId === 'login' && who === 'anonymous' ? 401 : want.status;
    if (who === 'anonymous') return 401;
    return ROLES.indexOf(who) < ROLES.indexOf(need) ? 403 : want.status;
  };
  test(`${o.method} ${o.path} (${need ?? 'no session'}): ${WHO.map((w) => `${w} ${expected(w)}`).join(', ')}`, async () => {
    assert.ok(want, `no sweep entry for ${o.operationId}`);
    for (const who of WHO) {
      let res;
      if (o.operationId === 'login') {
        const creds = who === 'anonymous' ? { login: `sweep-${uniq()}`, password: 'wrong' } : as[who].creds;
        res = await request(edge.url, 'POST', url, { json: creds, ...(who === 'anonymous' ? {} : { cookie: as[who].session.cookie }) });
      } else if (o.operationId === 'logout' && who !== 'anonymous') {
        const second = await login(edge.url, as[who].creds.login, as[who].creds.password);
        res = await client(edge.url, second).send('POST', url);
        const after = await request(edge.url, 'GET', '/api/auth/me', { cookie: second.cookie });
        assert.equal(after.status, 401, `${who}: the session logged out is gone`);
      } else if (who === 'anonymous') {
        res = await request(edge.url, o.method, url, want.body === undefined ? {} : { json: want.body });
      } else {
        res = await as[who].send(o.method, url, want.body);
      }
      assert.equal(res.status, expected(who), `${who}: ${o.method} ${url} → ${res.status} ${res.text}`);
      if (res.status === 401 || res.status === 403) assertProblem(res, res.status);
    }
  });
}

// GET /metrics, the HTTP layer's own route that takes a session (or a bearer RT_METRICS_TOKEN,
// which this edge does not set; tests/integration/50-metrics covers the token): anonymous 401,
// every role 200 (any role may read the metrics), the Prometheus text answer per the spec.
test('GET /metrics (session of any role): anonymous 401, viewer, moderator, admin, owner 200', async () => {
  assertProblem(await request(edge.url, 'GET', '/metrics'), 401);
  for (const who of ROLES) {
    const res = await as[who].get('/metrics');
    assert.equal(res.status, 200, `${who}: ${res.text}`);
    assert.equal(res.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assertResponse('getMetrics', res);
  }
});

// Every route that takes a body documents the three ways a body goes wrong before any SQL runs,
// and answers each with a problem naming it: not JSON by Content-Type (415), malformed JSON (400),
// larger than RT_MAX_BODY_BYTES (413). (The webhook is off on this edge: 404, checked above.)
for (const o of apiOps.filter((x) => x.op.requestBody && x.operationId !== 'telegramWebhook')) {
  test(`${o.method} ${o.path}: a text/plain body → 415, malformed JSON → 400, 70 kB → 413`, async () => {
    const url = o.path.replace('{id}', String(ABSENT)).replace('{key}', 'takeover.minutes');
    const auth = o.operationId === 'login' ? {} : { cookie: as.owner.session.cookie, csrf: as.owner.session.csrf };
    const ct = await request(edge.url, o.method, url, { ...auth, body: '{}', headers: { 'content-type': 'text/plain' } });
    assertProblem(ct, 415);
    const bad = await request(edge.url, o.method, url, { ...auth, body: '{"a":', headers: { 'content-type': 'application/json' } });
    assertProblem(bad, 400);
    const big = await request(edge.url, o.method, url, { ...auth, body: JSON.stringify({ a: 'y'.repeat(70000) }), headers: { 'content-type': 'application/json' }, allowReset: true });
    assert.equal(big.status, 413, big.text);
  });
}

// A route that takes no body ignores a small one, and one over RT_MAX_BODY_BYTES is 413 there
// too (the transport's limit, before routing): documented on every operation.
test('every route without a body: 70 kB → 413 (documented), a small body is ignored', async () => {
  for (const o of apiOps.filter((x) => !x.op.requestBody)) {
    const url = o.path.replace('{id}', String(ABSENT));
    const auth = { cookie: as.owner.session.cookie, csrf: as.owner.session.csrf };
    const big = await request(edge.url, o.method, url, { ...auth, body: JSON.stringify({ a: 'y'.repeat(70000) }), headers: { 'content-type': 'application/json' }, allowReset: true });
    assert.equal(big.status, 413, `${o.method} ${url}: ${big.text}`);
    if (o.operationId === 'logout') continue; // would end the sweep's session
    const small = await request(edge.url, o.method, url, { ...auth, body: '{"a":1}', headers: { 'content-type': 'application/json' } });
    assert.equal(small.status, SWEEP[o.operationId].status, `${o.method} ${url}: ${small.text}`);
  }
});

test('unknown routes are 404, known paths with a wrong method 405 with Allow', async () => {
  for (const p of ['/api/presets/1/nope', '/api/nothing', '/api/presets/']) {
    const res = await as.owner.get(p);
    assertProblem(res, 404);
  }
  const r = await as.owner.send('PATCH', '/api/presets/1', {});
  assertProblem(r, 405);
  assert.equal(r.headers.allow, 'GET, PUT, DELETE');
  const m = await as.owner.send('DELETE', '/api/messages');
  assertProblem(m, 405);
  assert.equal(m.headers.allow, 'GET, POST');
});

test('bodies: wrong Content-Type 415 (documented), malformed JSON / invalid UTF-8 / non-object 400, too large 413', async () => {
  const base = { cookie: as.owner.session.cookie, csrf: as.owner.session.csrf };
  const ct = await request(edge.url, 'POST', '/api/presets', { ...base, body: '{"name":"x"}', headers: { 'content-type': 'text/plain' } });
  assertProblem(ct, 415);
  assertResponse('createPreset', ct);
  for (const body of ['{"name":', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]), '[1,2]', '{"a":1,"a":2}']) {
    const res = await request(edge.url, 'POST', '/api/presets', { ...base, body, headers: { 'content-type': 'application/json' } });
    assertProblem(res, 400);
    assertResponse('createPreset', res);
  }
  const big = JSON.stringify({ schema: 'roundtable.presets', schema_version: 1, presets: [{ name: 'x', persona: 'y'.repeat(70000) }] });
  const tooLarge = await request(edge.url, 'POST', '/api/presets/import', { ...base, body: big, headers: { 'content-type': 'application/json' }, allowReset: true });
  assert.equal(tooLarge.status, 413);
});
