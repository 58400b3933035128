// (a) every REST route and /ws refuses a request without a session (401, problem+json per spec);
// (b) login wrong/right, me, logout, CSRF; probes /healthz and /readyz.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, adminCreds } from '../lib/stack.mjs';
import { request, login, wsUpgradeStatus, openWs } from '../lib/http.mjs';
import { operations, assertResponse, assertProblem, assertSchema } from '../lib/openapi.mjs';

let edge;
before(async () => { edge = await startEdge({ name: 'auth' }); });
after(async () => {
  if (!edge) return;
  const exit = await edge.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

test('GET /healthz and /readyz answer without a session and match the spec', async () => {
  const h = await request(edge.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
  assertResponse('getHealthz', h);
  const r = await request(edge.url, 'GET', '/readyz');
  assert.equal(r.status, 200);
  assertResponse('getReadyz', r);
  assert.deepEqual(r.json, { status: 'ready', postgres: 'ok', redis: 'ok' });
});

const protectedOps = operations().filter((o) => o.op.security === undefined || o.op.security.length > 0);

test('the spec lists protected routes', () => {
  assert.ok(protectedOps.length >= 5, `protected operations: ${protectedOps.map((o) => o.operationId)}`);
});

for (const o of protectedOps) {
  test(`${o.method} ${o.path} without a session → 401 problem+json`, async () => {
    const body = o.method === 'GET' ? undefined : { json: o.path.includes('simulator') ? { chat_id: 1, text: 'x' } : {} };
    const res = await request(edge.url, o.method, o.path, { ...body, headers: { 'x-csrf-token': 'abc' } });
    assertProblem(res, 401);
    assertResponse(o.operationId, res);
  });
  test(`${o.method} ${o.path} with an unknown session cookie → 401`, async () => {
    const res = await request(edge.url, o.method, o.path, { cookie: `rt_session=${'0'.repeat(64)}`, ...(o.method === 'GET' ? {} : { json: {} }) });
    assertProblem(res, 401);
    assertResponse(o.operationId, res);
  });
}

test('/ws upgrade without a session is refused with HTTP 401', async () => {
  assert.equal(await wsUpgradeStatus(edge.url), 401);
  assert.equal(await wsUpgradeStatus(edge.url, { cookie: `rt_session=${'f'.repeat(64)}` }), 401);
  assert.equal(await wsUpgradeStatus(edge.url, { cookie: 'rt_session=not-hex' }), 401);
});

test('login with a wrong password or unknown login → 401, same message', async () => {
  const { login: name } = adminCreds();
  const a = await request(edge.url, 'POST', '/api/auth/login', { json: { login: name, password: 'definitely-wrong' } });
  assertResponse('login', a);
  assertProblem(a, 401);
  const b = await request(edge.url, 'POST', '/api/auth/login', { json: { login: 'nobody-here', password: 'definitely-wrong' } });
  assertProblem(b, 401);
  assert.equal(a.json.detail, b.json.detail, 'wrong login and wrong password must be indistinguishable');
  assert.equal(a.headers['set-cookie'], undefined);
});

test('login with missing fields, wrong types or unknown fields → 400 naming the field', async () => {
  const cases = [
    [{ login: 'admin' }, 'password'],
    [{ login: 5, password: 'x' }, 'login'],
    [{ login: 'admin', password: 'x', extra: true }, 'extra'],
  ];
  for (const [json, field] of cases) {
    const res = await request(edge.url, 'POST', '/api/auth/login', { json });
    assertResponse('login', res);
    assertProblem(res, 400);
    assert.equal(res.json.field, field, `field for ${JSON.stringify(json)}: ${res.text}`);
  }
});

test('login, me, logout with CSRF; the session ends', async () => {
  const { login: name, password } = adminCreds();
  const s = await login(edge.url, name, password);
  assertResponse('login', s.res);
  assert.equal(s.admin.login, name);
  assert.equal(s.admin.role, 'owner');
  const cookie = s.setCookie.find((c) => c.startsWith('rt_session='));
  assert.match(cookie, /^rt_session=[0-9a-f]{64};/);
  assert.match(cookie, /HttpOnly/i);
  assert.match(cookie, /SameSite=Strict/i);
  assert.match(cookie, /Path=\//);
  assert.ok(s.csrf && s.csrf.length >= 16, 'csrf_token present');

  const me = await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie });
  assert.equal(me.status, 200);
  assertResponse('getMe', me);
  assert.equal(me.json.csrf_token, s.csrf);
  assert.equal(me.json.admin.login, name);

  const ws = await openWs(edge.url, s.cookie);
  const hello = await ws.next((m) => m.type === 'hello');
  assertSchema('WsEnvelope', hello);
  assert.equal(hello.data.admin.login, name);
  ws.ws.send(JSON.stringify({ type: 'ping' }));
  const pong = await ws.next((m) => m.type === 'pong');
  assertSchema('WsEnvelope', pong);
  await ws.close();

  const noCsrf = await request(edge.url, 'POST', '/api/auth/logout', { cookie: s.cookie });
  assertProblem(noCsrf, 403);
  assertResponse('logout', noCsrf);
  const badCsrf = await request(edge.url, 'POST', '/api/auth/logout', { cookie: s.cookie, csrf: 'x'.repeat(s.csrf.length) });
  assertProblem(badCsrf, 403);

  const out = await request(edge.url, 'POST', '/api/auth/logout', { cookie: s.cookie, csrf: s.csrf });
  assert.equal(out.status, 204);
  assertResponse('logout', out);
  const after = await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie });
  assertProblem(after, 401);
  assert.equal(await wsUpgradeStatus(edge.url, { cookie: s.cookie }), 401);
});
