// Every operation of openapi.yaml, swept programmatically so no route is forgotten: without a
// session → 401, with a session but no CSRF token on a state-changing route → 403, a non-integer
// {id} → 400 naming "id"; plus 404/405 (Allow), 413, 415 and malformed JSON on the SQL routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge } from '../lib/stack.mjs';
import { request } from '../lib/http.mjs';
import { operations, assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, dummyBody } from '../lib/api.mjs';

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
}

for (const o of ops.filter((x) => x.path.includes('{id}'))) {
  test(`${o.method} ${o.path}: a non-integer id → 400 naming "id"`, async () => {
    const res = await as.owner.send(o.method, o.path.replace('{id}', 'abc'), o.method === 'GET' || o.method === 'DELETE' ? undefined : dummyBody(o.path));
    assertProblem(res, 400);
    assert.equal(res.json.field, 'id', res.text);
    assertResponse(o.operationId, res);
  });
}

// Roles are the database's; the spec states each operation's minimum role. Every role below it
// is refused with 403 on every state-changing route (require_role runs before anything else).
const ROLES = ['viewer', 'moderator', 'admin', 'owner'];
const minRole = (o) => /Needs the `(\w+)` role/.exec(o.op.description ?? '')?.[1];
const roleOps = writes.filter((o) => minRole(o) && !o.path.startsWith('/api/simulator') && !o.path.startsWith('/api/auth'));

test('every issue-3 write documents its minimum role', () => {
  for (const o of writes.filter((x) => !x.path.startsWith('/api/auth') && !x.path.startsWith('/api/simulator'))) {
    assert.ok(ROLES.includes(minRole(o)), `${o.method} ${o.path} has no "Needs the \`role\` role" note`);
  }
});

for (const o of roleOps) {
  const below = ROLES.slice(0, ROLES.indexOf(minRole(o)));
  if (!below.length) continue;
  test(`${o.method} ${o.path} needs ${minRole(o)}: ${below.join(', ')} → 403`, async () => {
    for (const who of below) {
      const res = await as[who].send(o.method, concrete(o.path), dummyBody(o.path));
      assertResponse(o.operationId, res);
      assertProblem(res, 403);
    }
  });
}

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

test('a viewer session reads every list route (200, per spec)', async () => {
  for (const o of ops.filter((x) => x.method === 'GET' && !x.path.includes('{') && !['/api/admins', '/api/presets/export'].includes(x.path))) {
    const res = await as.viewer.get(o.path);
    assertResponse(o.operationId, res);
    assert.equal(res.status, 200, `${o.path}: ${res.text}`);
  }
});
