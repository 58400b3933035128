// The providers screen's tools and the usage report over REST (contract-console.md [admin]):
// POST /api/providers/{id}/test makes one real HTTP call from rt-edge to the (fake) provider's
// base_url with its key and reports {ok, status, latency_ms, model, detail} without ever
// returning or logging the key (a right key, a wrong key the fake answers 401 to, a host that
// refuses connections, the demo provider answered without a call, viewers refused);
// PUT /api/providers/order reorders every provider at once (missing/repeated ids 400, unknown
// 404, viewers 403); GET /api/usage answers per the spec and refuses a bad group_by.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper } from '../lib/stack.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';
import { start as startLlm, DEFAULT_KEY } from '../fakes/llm.mjs';

let edge; let as; let db; let llm;
const created = [];
let before_order = [];
before(async () => {
  llm = await startLlm({ port: 0 });
  edge = await startEdge({ name: 'provider-tools' });
  as = await roleClients(edge.url);
  db = await pgSuper();
  before_order = (await db.query('SELECT id, position FROM rt.providers ORDER BY id')).rows;
});
after(async () => {
  for (const id of created) await db.query('DELETE FROM rt.providers WHERE id = $1', [id]).catch(() => {});
  for (const r of before_order) await db.query('UPDATE rt.providers SET position = $2 WHERE id = $1', [r.id, r.position]).catch(() => {});
  await db?.end();
  await llm?.close();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

async function create(over) {
  const res = await as.admin.send('POST', '/api/providers', {
    name: `it-pt-${uniq()}`, type: 'openai_compatible', base_url: `${llm.url}/v1`, model_id: 'gpt-4o-mini',
    enabled: false, position: 999, ...over });
  assertResponse('createProvider', res);
  assert.equal(res.status, 201, res.text);
  created.push(res.json.id);
  return res.json;
}

async function testProvider(client, id) {
  const res = await client.send('POST', `/api/providers/${id}/test`);
  assertResponse('testProvider', res);
  return res;
}

test('test connection: the right key is ok (one GET /v1/models with it), the answer names the model, no key anywhere', { timeout: 30000 }, async () => {
  const p = await create({ api_key: DEFAULT_KEY });
  const n0 = llm.calls.length;
  const res = await testProvider(as.admin, p.id);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.ok, true, res.text);
  assert.equal(res.json.status, 200);
  assert.equal(res.json.model, 'gpt-4o-mini');
  assert.match(res.json.detail, /gpt-4o-mini is available/);
  assert.ok(Number.isInteger(res.json.latency_ms) && res.json.latency_ms >= 0);
  const calls = llm.calls.slice(n0);
  assert.equal(calls.length, 1, 'exactly one call to the provider');
  assert.deepEqual({ method: calls[0].method, path: calls[0].path, auth: calls[0].auth }, { method: 'GET', path: '/v1/models', auth: 'ok' });
  assert.ok(!res.text.includes(DEFAULT_KEY), 'the key is not returned');
  assert.ok(!edge.log().includes(DEFAULT_KEY), 'the key is not logged');
});

test('test connection: a wrong key is ok:false with the provider\'s 401 message, the key masked out', { timeout: 30000 }, async () => {
  const wrong = `sk-wrong-${uniq()}${uniq()}`;
  const p = await create({ api_key: wrong });
  const res = await testProvider(as.admin, p.id);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.ok, false);
  assert.equal(res.json.status, 401);
  assert.match(res.json.detail, /^HTTP 401: Incorrect API key provided/);
  assert.equal(llm.calls.at(-1).auth, 'bad', 'the fake saw the wrong key');
  assert.ok(!res.text.includes(wrong), 'the key is not returned');
  assert.ok(!edge.log().includes(wrong), 'the key is not logged');

  // Anthropic style: x-api-key and anthropic-version, its own error body
  const a = await create({ type: 'anthropic', base_url: `${llm.url}/v1`, model_id: 'claude-3-5-haiku-latest', api_key: wrong });
  const ra = await testProvider(as.admin, a.id);
  assert.deepEqual([ra.json.ok, ra.json.status, ra.json.detail], [false, 401, 'HTTP 401: invalid x-api-key']);
  assert.equal(llm.calls.at(-1).flavour, 'anthropic');
  const ok = await create({ type: 'anthropic', base_url: `${llm.url}/v1`, model_id: 'claude-3-5-haiku-latest', api_key: DEFAULT_KEY });
  const rok = await testProvider(as.admin, ok.id);
  assert.deepEqual([rok.json.ok, rok.json.status], [true, 200], rok.text);
});

test('test connection: an unreachable host is ok:false without a status; the demo provider is ok without any call', { timeout: 30000 }, async () => {
  const p = await create({ base_url: 'http://127.0.0.1:9/v1', api_key: DEFAULT_KEY });
  const res = await testProvider(as.admin, p.id);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.ok, false);
  assert.equal(res.json.status, null);
  assert.match(res.json.detail, /^connection failed: /);

  const d = await create({ type: 'demo', base_url: null, model_id: 'demo' });
  const n0 = llm.calls.length;
  const rd = await testProvider(as.admin, d.id);
  assert.deepEqual([rd.json.ok, rd.json.status, rd.json.latency_ms], [true, null, 0]);
  assert.match(rd.json.detail, /^demo provider: .*no network call/);
  assert.equal(llm.calls.length, n0, 'no call for the demo provider');
});

test('test connection: viewers and moderators are refused (403), unknown ids 404, bad ids 400, no CSRF 403', { timeout: 30000 }, async () => {
  const p = await create({ api_key: DEFAULT_KEY });
  const n0 = llm.calls.length;
  for (const who of ['viewer', 'moderator']) {
    const res = await as[who].send('POST', `/api/providers/${p.id}/test`);
    assertProblem(res, 403);
  }
  assert.equal(llm.calls.length, n0, 'a refused test makes no call');
  assertProblem(await as.admin.send('POST', '/api/providers/987654321/test'), 404);
  assertProblem(await as.admin.send('POST', '/api/providers/abc/test'), 400);
  assertProblem(await as.admin.send('POST', `/api/providers/${p.id}/test`, undefined, { csrf: '' }), 403);
});

test('reorder: every provider in a new order at once; missing or repeated ids 400, unknown 404, viewer 403', { timeout: 30000 }, async () => {
  await create({});
  const list = await as.viewer.get('/api/providers?limit=200');
  const ids = list.json.items.map((p) => p.id);
  assert.ok(ids.length >= 2);
  const reversed = [...ids].reverse();
  const res = await as.admin.send('PUT', '/api/providers/order', { ids: reversed });
  assertResponse('reorderProviders', res);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.items.map((p) => p.id), reversed);
  assert.deepEqual(res.json.items.map((p) => p.position), reversed.map((_, i) => i));
  const again = await as.viewer.get('/api/providers?limit=200');
  assert.deepEqual(again.json.items.map((p) => p.id), reversed, 'the list follows the new order');
  const audit = await db.query("SELECT after FROM rt.audit_log WHERE action = 'provider.reorder' ORDER BY id DESC LIMIT 1");
  assert.deepEqual(audit.rows[0].after, { ids: reversed }, "one provider.reorder audit entry with the new order");

  let bad = await as.admin.send('PUT', '/api/providers/order', { ids: reversed.slice(1) });
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'ids');
  assert.match(bad.json.detail, /missing/);
  bad = await as.admin.send('PUT', '/api/providers/order', { ids: [...reversed, reversed[0]] });
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'ids');
  bad = await as.admin.send('PUT', '/api/providers/order', { ids: [...reversed, 987654321] });
  assertProblem(bad, 404);
  assert.equal(bad.json.field, 'ids');
  assertProblem(await as.admin.send('PUT', '/api/providers/order', { ids: 'all' }), 400);
  assertProblem(await as.viewer.send('PUT', '/api/providers/order', { ids }), 403);
  const after = await as.viewer.get('/api/providers?limit=200');
  assert.deepEqual(after.json.items.map((p) => p.id), reversed, 'refused reorders changed nothing');
});

test('usage: every group_by answers per the spec; a bad or missing group_by and a bad from are 400', { timeout: 30000 }, async () => {
  for (const g of ['day', 'provider', 'chat', 'user', 'session']) {
    const res = await as.viewer.get(`/api/usage?group_by=${g}&from=2030-01-01T00:00:00Z&to=2030-01-03T00:00:00Z`);
    assertResponse('getUsage', res);
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json.currency, 'USD');
    if (g === 'day') assert.deepEqual(res.json.items.map((i) => i.key), ['2030-01-01', '2030-01-02']);
  }
  assertProblem(await as.viewer.get('/api/usage?group_by=month'), 400);
  assertProblem(await as.viewer.get('/api/usage'), 400);
  assertProblem(await as.viewer.get('/api/usage?group_by=day&from=yesterday'), 400);
});
