// Issue 3 presets through REST: CRUD with optimistic versions, export/import (bad files rejected
// whole), bindings with expiry, explain; role checks (viewer/moderator refused), audit rows
// with actor admin:<id>, and a psql change reaching the browser as entity.changed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { openWs } from '../lib/http.mjs';
import { assertResponse, assertProblem, assertSchema } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'presets' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

const presetBody = (over = {}) => ({
  name: `it-preset-${uniq()}`, description: 'integration', temperature: 0.4, max_tokens: 300,
  tone: 'friendly', verbosity: 'short', emotional_intensity: 20, persona: 'A calm helper.', ...over,
});

async function createPreset(over) {
  const res = await as.admin.send('POST', '/api/presets', presetBody(over));
  assertResponse('createPreset', res);
  assert.equal(res.status, 201, res.text);
  return res.json;
}

test('preset CRUD: create 201, get, list with q, update bumps version, delete 204 then 404', async () => {
  const p = await createPreset({ tone: null }); // null = not set here, inherited
  assert.equal(p.tone, null);
  assert.equal(p.temperature, 0.4);

  const got = await as.viewer.get(`/api/presets/${p.id}`);
  assertResponse('getPreset', got);
  assert.deepEqual(got.json, p);

  const list = await as.viewer.get(`/api/presets?q=${encodeURIComponent(p.name)}&limit=5`);
  assertResponse('listPresets', list);
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((x) => x.id), [p.id]);

  const upd = await as.admin.send('PUT', `/api/presets/${p.id}`, { version: p.version, temperature: 1.5, tone: 'formal' });
  assertResponse('updatePreset', upd);
  assert.equal(upd.status, 200, upd.text);
  assert.equal(upd.json.version, p.version + 1);
  assert.equal(upd.json.temperature, 1.5);
  assert.equal(upd.json.tone, 'formal');

  const del = await as.admin.send('DELETE', `/api/presets/${p.id}`);
  assertResponse('deletePreset', del);
  assert.equal(del.status, 204);
  assert.equal(del.text, '');
  const gone = await as.admin.get(`/api/presets/${p.id}`);
  assertResponse('getPreset', gone);
  assertProblem(gone, 404);
});

test('a stale version is 409 (SQLSTATE 40001), a name clash is 409, bad values are 400 naming the field', async () => {
  const p = await createPreset();
  const first = await as.admin.send('PUT', `/api/presets/${p.id}`, { version: p.version, description: 'first' });
  assert.equal(first.status, 200, first.text);
  const stale = await as.admin.send('PUT', `/api/presets/${p.id}`, { version: p.version, description: 'second' });
  assertResponse('updatePreset', stale);
  assertProblem(stale, 409);

  const clash = await as.admin.send('POST', '/api/presets', presetBody({ name: p.name.toUpperCase() }));
  assertResponse('createPreset', clash);
  assertProblem(clash, 409);

  for (const [field, value] of [['temperature', 2.5], ['max_tokens', 0], ['tone', 'sarcastic'], ['verbosity', 'long'], ['emotional_intensity', 101], ['persona', 'x'.repeat(4001)], ['name', '']]) {
    const bad = await as.admin.send('POST', '/api/presets', presetBody({ [field]: value }));
    assertResponse('createPreset', bad);
    assertProblem(bad, 400);
    assert.equal(bad.json.field, field, `${field}: ${bad.text}`);
  }
  const unknownField = await as.admin.send('POST', '/api/presets', presetBody({ colour: 'red' }));
  assertProblem(unknownField, 400);
  assert.equal(unknownField.json.field, 'colour');
});

test('export is an attachment with the documented schema; import round-trips, renames or rejects a bad file whole', async () => {
  const a = await createPreset();
  const b = await createPreset({ persona: null, tone: 'aggressive' });
  const exp = await as.admin.get(`/api/presets/export?ids=${a.id},${b.id}`);
  assertResponse('exportPresets', exp);
  assert.equal(exp.status, 200, exp.text);
  assert.equal(exp.headers['content-disposition'], 'attachment; filename="presets.json"');
  assert.equal(exp.json.schema, 'roundtable.presets');
  assert.equal(exp.json.schema_version, 1);
  assert.deepEqual(exp.json.presets.map((x) => x.name), [a.name, b.name]);

  // default on_conflict=error: both names exist -> 409, nothing written
  const clash = await as.admin.send('POST', '/api/presets/import', exp.json);
  assertResponse('importPresets', clash);
  assertProblem(clash, 409);

  const renamed = await as.admin.send('POST', '/api/presets/import?on_conflict=rename', exp.json);
  assertResponse('importPresets', renamed);
  assert.equal(renamed.status, 200, renamed.text);
  assert.deepEqual(renamed.json.renamed.map((r) => r.from), [a.name, b.name]);
  for (const r of renamed.json.renamed) {
    const l = await as.admin.get(`/api/presets?q=${encodeURIComponent(r.to)}`);
    assert.equal(l.json.items.length, 1, `renamed copy ${r.to} exists`);
    assert.equal(l.json.items[0].tone, r.from === b.name ? 'aggressive' : 'friendly');
  }

  const skipped = await as.admin.send('POST', '/api/presets/import?on_conflict=skip', exp.json);
  assert.equal(skipped.status, 200, skipped.text);
  assert.deepEqual(skipped.json.skipped.sort(), [a.name, b.name].sort());

  const fresh = `it-import-${uniq()}`;
  const bad = { ...exp.json, presets: [{ name: fresh, temperature: 0.1 }, { name: `${fresh}-2`, temperature: 9 }] };
  const rejected = await as.admin.send('POST', '/api/presets/import', bad);
  assertResponse('importPresets', rejected);
  assertProblem(rejected, 400);
  assert.equal(rejected.json.field, 'presets[1].temperature');
  const none = await as.admin.get(`/api/presets?q=${fresh}`);
  assert.equal(none.json.items.length, 0, 'nothing of a rejected file is imported');

  const badQuery = await as.admin.send('POST', '/api/presets/import?on_conflict=merge', exp.json);
  assertResponse('importPresets', badQuery);
  assertProblem(badQuery, 400);
  assert.equal(badQuery.json.field, 'on_conflict');
  const badIds = await as.admin.get('/api/presets/export?ids=1,x');
  assertProblem(badIds, 400);
  assert.equal(badIds.json.field, 'ids');
});

test('bindings: a temporary chat binding wins over global in explain, lists filter by typed query, delete 204', async () => {
  const chatId = -uniqueId();
  const userId = uniqueId();
  const p = await createPreset({ temperature: 1.25, max_tokens: null });
  const bind = await as.admin.send('POST', '/api/bindings', { scope: 'chat', chat_id: chatId, preset_id: p.id, hours: 2 });
  assertResponse('createBinding', bind);
  assert.equal(bind.status, 201, bind.text);
  assert.equal(bind.json.active, true);
  assert.equal(bind.json.preset_name, p.name);
  assert.equal(bind.json.created_by, `admin:${as.admin.admin.id}`);
  const hours = (Date.parse(bind.json.expires_at) - Date.now()) / 3600e3;
  assert.ok(hours > 1.9 && hours <= 2.01, `expires in ~2h, got ${hours}`);

  const list = await as.viewer.get(`/api/bindings?scope=chat&chat_id=${chatId}&active=true&limit=10`);
  assertResponse('listBindings', list);
  assert.deepEqual(list.json.items.map((x) => x.id), [bind.json.id]);
  const expired = await as.viewer.get(`/api/bindings?chat_id=${chatId}&active=false`);
  assert.equal(expired.json.items.length, 0);

  const ex = await as.viewer.send('POST', '/api/params/explain', { chat_id: chatId, user_id: userId, provider: 'anthropic' });
  assertResponse('explainParams', ex);
  assert.equal(ex.status, 200, ex.text);
  assert.equal(ex.json.params.temperature, 1.25);
  assert.equal(ex.json.sources.temperature.layer, 'chat');
  assert.equal(ex.json.sources.temperature.binding_id, bind.json.id);
  assert.notEqual(ex.json.sources.max_tokens.layer, 'chat', 'max_tokens is not set by the preset: inherited');
  // one-message override on top
  const ov = await as.viewer.send('POST', '/api/params/explain', { chat_id: chatId, user_id: userId, override: { temperature: 0.2 } });
  assert.equal(ov.status, 200, ov.text);
  assert.equal(ov.json.sources.temperature.layer, 'override');

  for (const [q, field] of [['active=yes', 'active'], ['chat_id=abc', 'chat_id'], ['scope=planet', 'scope'], ['limit=0', 'limit'], ['nope=1', 'nope']]) {
    const bad = await as.viewer.get(`/api/bindings?${q}`);
    assertResponse('listBindings', bad);
    assertProblem(bad, 400);
    assert.equal(bad.json.field, field, q);
  }

  const del = await as.admin.send('DELETE', `/api/bindings/${bind.json.id}`);
  assertResponse('deleteBinding', del);
  assert.equal(del.status, 204);
  const again = await as.admin.send('DELETE', `/api/bindings/${bind.json.id}`);
  assertProblem(again, 404);
});

test('roles through REST: viewer reads but cannot write, moderator cannot change presets', async () => {
  const p = await createPreset();
  const vr = await as.viewer.get(`/api/presets/${p.id}`);
  assert.equal(vr.status, 200);
  for (const [who, method, path, body, op] of [
    ['viewer', 'POST', '/api/presets', presetBody(), 'createPreset'],
    ['viewer', 'PUT', `/api/presets/${p.id}`, { description: 'x' }, 'updatePreset'],
    ['viewer', 'DELETE', `/api/presets/${p.id}`, undefined, 'deletePreset'],
    ['moderator', 'POST', '/api/presets', presetBody(), 'createPreset'],
    ['moderator', 'PUT', `/api/presets/${p.id}`, { description: 'x' }, 'updatePreset'],
    ['moderator', 'POST', '/api/bindings', { scope: 'global', preset_id: p.id }, 'createBinding'],
    ['moderator', 'POST', '/api/presets/import?on_conflict=skip', { schema: 'roundtable.presets', schema_version: 1, presets: [] }, 'importPresets'],
  ]) {
    const res = await as[who].send(method, path, body);
    assertResponse(op, res);
    assertProblem(res, 403);
  }
  const still = await as.viewer.get(`/api/presets/${p.id}`);
  assert.equal(still.json.version, p.version, 'refused writes changed nothing');
});

test('audit: REST changes carry actor admin:<id>, psql changes db:<role>', async () => {
  const p = await createPreset();
  const upd = await as.admin.send('PUT', `/api/presets/${p.id}`, { temperature: 0.9 });
  assert.equal(upd.status, 200, upd.text);
  await db.query(`SELECT rt.update_preset($1, '{"description":"from psql"}'::jsonb)`, [p.id]);

  const res = await as.viewer.get(`/api/audit?target=${encodeURIComponent(`preset:${p.id}`)}`);
  assertResponse('listAudit', res);
  assert.equal(res.status, 200, res.text);
  const byAction = res.json.items.map((e) => [e.action, e.actor]);
  assert.deepEqual(byAction.find(([a]) => a === 'preset.insert'), ['preset.insert', `admin:${as.admin.admin.id}`]);
  const updates = res.json.items.filter((e) => e.action === 'preset.update');
  assert.ok(updates.some((e) => e.actor === `admin:${as.admin.admin.id}` && e.after?.temperature === 0.9), JSON.stringify(updates));
  assert.ok(updates.some((e) => e.actor === 'db:postgres' && e.after?.description === 'from psql'), JSON.stringify(updates));
});

test('a change made from psql reaches a logged-in WebSocket client as entity.changed', async () => {
  const p = await createPreset();
  const ws = await openWs(edge.url, as.viewer.session.cookie);
  try {
    await ws.next((m) => m.type === 'hello');
    await db.query(`SELECT rt.update_preset($1, '{"persona":"changed in psql"}'::jsonb)`, [p.id]);
    const ev = await ws.next((m) => m.type === 'entity.changed' && m.data?.entity === 'preset' && m.data.ids.map(Number).includes(p.id), 10000);
    assertSchema('WsEnvelope', ev);
    assertSchema('WsEntityChanged', ev.data);
    const after = await as.viewer.get(`/api/presets/${p.id}`);
    assert.equal(after.json.persona, 'changed in psql');
  } finally {
    await ws.close();
  }
});
