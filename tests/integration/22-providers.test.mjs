// Providers over REST (contract-delivery.md, openapi 0.3.0): CRUD validated against the spec;
// the API never returns a key (only has_key and a hint); PostgreSQL holds a Fernet token made
// with SECRETS_KEY (decrypting to the key), never the key, in the table and in the audit log;
// bad input is problem+json 400 naming the field; viewers and moderators cannot write; unknown
// ids are 404; the seeded demo/openai/deepseek providers exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, stackEnv } from '../lib/stack.mjs';
import { request } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';
import { fernetDecrypt } from '../lib/fernet.mjs';

let edge; let as; let db;
const created = [];
before(async () => {
  edge = await startEdge({ name: 'providers' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  for (const id of created) await db.query('DELETE FROM rt.providers WHERE id = $1', [id]).catch(() => {});
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

const plainKey = () => `sk-test-${uniq()}${uniq()}-k3y`;
const body = (over = {}) => ({ name: `it-provider-${uniq()}`, type: 'openai_compatible', base_url: 'http://127.0.0.1:9/v1',
  model_id: 'my-model-1', params: { top_p: 0.9 }, enabled: false, position: 950,
  prices: { input_per_m: 0.5, cached_input_per_m: 0.25, output_per_m: 1.5 }, ...over });

async function create(over) {
  const res = await as.admin.send('POST', '/api/providers', body(over));
  assertResponse('createProvider', res);
  assert.equal(res.status, 201, res.text);
  created.push(res.json.id);
  return res;
}

const row = async (id) => (await db.query('SELECT api_key_enc, api_key_hint, row_to_json(p)::text AS j FROM rt.providers p WHERE id = $1', [id])).rows[0];

test('CRUD: create 201, get, list (q, enabled), update with versions, key replaced/kept/cleared, delete 204 then 404', { timeout: 60000 }, async () => {
  const key = plainKey();
  const c = await create({ api_key: key });
  const p = c.json;
  assert.ok(!c.text.includes(key), 'the key is not echoed');
  assert.ok(!('api_key' in p) && !('api_key_enc' in p));
  assert.equal(p.has_key, true);
  assert.equal(typeof p.api_key_hint, 'string');
  assert.ok(p.api_key_hint.endsWith(key.slice(-4)) && p.api_key_hint.length < key.length - 4, `hint ${p.api_key_hint}`);
  assert.equal(p.type, 'openai_compatible');
  assert.equal(p.base_url, 'http://127.0.0.1:9/v1');
  assert.equal(p.model_id, 'my-model-1');
  assert.deepEqual(p.params, { top_p: 0.9 });
  assert.equal(p.enabled, false);
  assert.equal(p.position, 950);
  assert.equal(p.demo, false);
  assert.deepEqual({ i: p.prices.input_per_m, c: p.prices.cached_input_per_m, o: p.prices.output_per_m }, { i: 0.5, c: 0.25, o: 1.5 });

  // PostgreSQL holds a Fernet token of the key, made with SECRETS_KEY; never the key itself.
  const r = await row(p.id);
  assert.match(r.api_key_enc, /^gAAAAA/);
  assert.equal(fernetDecrypt(r.api_key_enc, stackEnv().SECRETS_KEY).text, key);
  assert.equal(r.api_key_hint, p.api_key_hint);
  assert.ok(!r.j.includes(key), 'no plain key in the row');

  const got = await as.viewer.get(`/api/providers/${p.id}`);
  assertResponse('getProvider', got);
  assert.deepEqual(got.json, p);
  const list = await as.viewer.get(`/api/providers?q=${encodeURIComponent(p.name)}`);
  assertResponse('listProviders', list);
  assert.deepEqual(list.json.items.map((x) => x.id), [p.id]);
  const disabled = await as.viewer.get(`/api/providers?enabled=false&q=${encodeURIComponent(p.name)}`);
  assertResponse('listProviders', disabled);
  assert.equal(disabled.json.items.length, 1);
  const enabled = await as.viewer.get(`/api/providers?enabled=true&q=${encodeURIComponent(p.name)}`);
  assert.equal(enabled.json.items.length, 0);

  // Absent api_key keeps the key; the version moves; a stale version is 409.
  const u1 = await as.admin.send('PUT', `/api/providers/${p.id}`, { version: p.version, model_id: 'my-model-2', enabled: true });
  assertResponse('updateProvider', u1);
  assert.equal(u1.status, 200, u1.text);
  assert.equal(u1.json.version, p.version + 1);
  assert.equal(u1.json.model_id, 'my-model-2');
  assert.equal(u1.json.enabled, true);
  assert.equal(u1.json.has_key, true);
  assert.equal((await row(p.id)).api_key_enc, r.api_key_enc, 'the stored token is untouched');
  const stale = await as.admin.send('PUT', `/api/providers/${p.id}`, { version: p.version, model_id: 'x' });
  assertResponse('updateProvider', stale);
  assertProblem(stale, 409);

  // A new key: a new token and hint. New prices: a new price row.
  const key2 = plainKey();
  const pricesBefore = Number((await db.query('SELECT count(*) n FROM rt.provider_prices WHERE provider_id = $1', [p.id])).rows[0].n);
  const u2 = await as.admin.send('PUT', `/api/providers/${p.id}`, { api_key: key2, prices: { input_per_m: 1, cached_input_per_m: 0.5, output_per_m: 3 } });
  assertResponse('updateProvider', u2);
  assert.equal(u2.status, 200, u2.text);
  assert.ok(!u2.text.includes(key2));
  assert.ok(u2.json.api_key_hint.endsWith(key2.slice(-4)));
  assert.equal(u2.json.prices.output_per_m, 3);
  const r2 = await row(p.id);
  assert.notEqual(r2.api_key_enc, r.api_key_enc);
  assert.equal(fernetDecrypt(r2.api_key_enc, stackEnv().SECRETS_KEY).text, key2);
  const pricesAfter = Number((await db.query('SELECT count(*) n FROM rt.provider_prices WHERE provider_id = $1', [p.id])).rows[0].n);
  assert.equal(pricesAfter, pricesBefore + 1, 'a price change adds a row effective now');

  // The audit trail says the key changed, and holds neither the key nor its token.
  const audit = (await db.query('SELECT coalesce(before::text, \'\') || coalesce(after::text, \'\') AS t FROM rt.audit_log WHERE target = $1', [`provider:${p.id}`])).rows;
  assert.ok(audit.length >= 3, `audited (${audit.length} rows)`);
  for (const a of audit) {
    for (const secret of [key, key2, r.api_key_enc, r2.api_key_enc]) assert.ok(!a.t.includes(secret), 'no key or token in the audit log');
  }
  assert.ok(audit.some((a) => a.t.includes('"api_key_changed": true') || a.t.includes('"api_key_changed":true')), 'api_key_changed recorded');
  const auditApi = await as.viewer.get(`/api/audit?target=${encodeURIComponent(`provider:${p.id}`)}`);
  assert.equal(auditApi.status, 200, auditApi.text);
  for (const secret of [key, key2, r2.api_key_enc]) assert.ok(!auditApi.text.includes(secret));

  // api_key: null clears it.
  const u3 = await as.admin.send('PUT', `/api/providers/${p.id}`, { api_key: null });
  assertResponse('updateProvider', u3);
  assert.equal(u3.status, 200, u3.text);
  assert.equal(u3.json.has_key, false);
  assert.equal(u3.json.api_key_hint, null);
  assert.equal((await row(p.id)).api_key_enc, null);

  const del = await as.admin.send('DELETE', `/api/providers/${p.id}`);
  assertResponse('deleteProvider', del);
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  const gone = await as.viewer.get(`/api/providers/${p.id}`);
  assertResponse('getProvider', gone);
  assertProblem(gone, 404);
  assertProblem(await as.admin.send('DELETE', `/api/providers/${p.id}`), 404);
});

test('types get their default base URL; demo has none; the seeded providers exist', { timeout: 30000 }, async () => {
  const openai = (await create({ type: 'openai', base_url: undefined, model_id: 'gpt-4o-mini' })).json;
  assert.equal(openai.base_url, 'https://api.openai.com/v1');
  const deepseek = (await create({ type: 'deepseek', base_url: undefined, model_id: 'deepseek-chat' })).json;
  assert.equal(deepseek.base_url, 'https://api.deepseek.com');
  const anthropic = (await create({ type: 'anthropic', base_url: undefined, model_id: 'claude-3-5-haiku-latest' })).json;
  assert.match(anthropic.base_url, /^https:\/\//);
  const demo = (await create({ type: 'demo', base_url: undefined, model_id: 'demo-1' })).json;
  assert.equal(demo.base_url, null);
  assert.equal(demo.demo, true);

  const seeded = {};
  for (const name of ['demo', 'openai', 'deepseek']) {
    const res = await as.viewer.get(`/api/providers?q=${name}&limit=200`);
    assertResponse('listProviders', res);
    seeded[name] = res.json.items.find((x) => x.name === name);
    assert.ok(seeded[name], `seeded provider "${name}"`);
  }
  assert.equal(seeded.demo.type, 'demo');
  assert.equal(seeded.demo.enabled, true);
  assert.equal(seeded.demo.demo, true);
  assert.equal(seeded.openai.model_id, 'gpt-4o-mini');
  assert.equal(seeded.openai.base_url, 'https://api.openai.com/v1');
  assert.equal(seeded.deepseek.model_id, 'deepseek-chat');
  assert.equal(seeded.deepseek.base_url, 'https://api.deepseek.com');
  // Without OPENAI_API_KEY / DEEPSEEK_API_KEY in the test stack they have no key and stay off.
  for (const name of ['openai', 'deepseek']) {
    if (!seeded[name].has_key) assert.equal(seeded[name].enabled, false, `${name} without a key is disabled`);
  }
});

test('bad input is problem+json 400 naming the field', { timeout: 30000 }, async () => {
  const cases = [
    [{ type: 'gemini' }, 'type'],
    [{ type: 7 }, 'type'],
    [{ base_url: undefined }, 'base_url'],
    [{ base_url: null }, 'base_url'],
    [{ base_url: 'ftp://example.com/v1' }, 'base_url'],
    [{ base_url: 'not a url' }, 'base_url'],
    [{ base_url: `https://example.com/${'x'.repeat(500)}` }, 'base_url'],
    [{ prices: { input_per_m: -1, cached_input_per_m: 0, output_per_m: 0 } }, 'prices.input_per_m'],
    [{ prices: { input_per_m: 1, cached_input_per_m: 0, output_per_m: 'cheap' } }, 'prices.output_per_m'],
    [{ name: '' }, 'name'],
    [{ name: 123 }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ model_id: '' }, 'model_id'],
    [{ enabled: 'yes' }, 'enabled'],
    [{ position: 5000 }, 'position'],
    [{ position: 'first' }, 'position'],
    [{ params: [] }, 'params'],
    [{ colour: 'red' }, 'colour'],
    [{ api_key: 12345 }, 'api_key'],
    [{ api_key: '' }, 'api_key'],
    [{ api_key_enc: 'gAAAAABhZ2V0LXRoaXMtb3V0LW9mLWhlcmU=' }, 'api_key_enc'],
  ];
  for (const [over, field] of cases) {
    const b = body(over);
    for (const k of Object.keys(over)) if (over[k] === undefined) delete b[k];
    const res = await as.admin.send('POST', '/api/providers', b);
    if (res.status === 201) created.push(res.json.id);
    assert.equal(res.status, 400, `${JSON.stringify(over).slice(0, 80)} must be refused: ${res.text.slice(0, 300)}`);
    assertResponse('createProvider', res);
    assertProblem(res, 400);
    assert.equal(res.json.field, field, `${JSON.stringify(over).slice(0, 80)} → ${res.text}`);
  }
  const first = await create();
  const upd = await as.admin.send('PUT', `/api/providers/${first.json.id}`, { position: -1 });
  assertResponse('updateProvider', upd);
  assertProblem(upd, 400);
  assert.equal(upd.json.field, 'position');

  const malformed = await request(edge.url, 'POST', '/api/providers', { cookie: as.admin.session.cookie, csrf: as.admin.session.csrf,
    body: '{"name": "broken", ', headers: { 'content-type': 'application/json' } });
  assertResponse('createProvider', malformed);
  assertProblem(malformed, 400);
  const notJson = await request(edge.url, 'POST', '/api/providers', { cookie: as.admin.session.cookie, csrf: as.admin.session.csrf,
    body: 'name=x', headers: { 'content-type': 'text/plain' } });
  assertResponse('createProvider', notJson);
  assertProblem(notJson, 415); // the body's media type is the problem, not its content

  const clash = await as.admin.send('POST', '/api/providers', body({ name: first.json.name.toUpperCase() }));
  assertResponse('createProvider', clash);
  assertProblem(clash, 409);
});

test('roles: viewers read, only admins write; no session 401, no CSRF 403; unknown ids 404, bad ids 400', { timeout: 30000 }, async () => {
  const p = (await create()).json;
  for (const who of ['viewer', 'moderator']) {
    const c = await as[who].send('POST', '/api/providers', body());
    assertResponse('createProvider', c);
    assertProblem(c, 403);
    assertProblem(await as[who].send('PUT', `/api/providers/${p.id}`, { enabled: true }), 403);
    assertProblem(await as[who].send('DELETE', `/api/providers/${p.id}`), 403);
    assert.equal((await as[who].get(`/api/providers/${p.id}`)).status, 200);
  }
  assert.equal((await as.viewer.get(`/api/providers/${p.id}`)).json.enabled, false, 'refused writes changed nothing');
  const anon = await request(edge.url, 'GET', '/api/providers');
  assertResponse('listProviders', anon);
  assertProblem(anon, 401);
  const noCsrf = await request(edge.url, 'POST', '/api/providers', { cookie: as.admin.session.cookie, json: body() });
  assertProblem(noCsrf, 403);

  const missing = 999999999999;
  assertProblem(await as.viewer.get(`/api/providers/${missing}`), 404);
  const put = await as.admin.send('PUT', `/api/providers/${missing}`, { enabled: true });
  assertResponse('updateProvider', put);
  assertProblem(put, 404);
  assertProblem(await as.admin.send('DELETE', `/api/providers/${missing}`), 404);
  const notId = await as.viewer.get('/api/providers/abc');
  assertProblem(notId, 400);
  assert.equal(notId.json.field, 'id');

  // Nothing the API answers ever carries a Fernet token.
  const all = await as.viewer.get('/api/providers?limit=200');
  assertResponse('listProviders', all);
  assert.ok(!all.text.includes('gAAAAA'), 'no token in the list');
});
