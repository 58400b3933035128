// Issue 3 notifications (list, live notification.created, ack one/all), audit listing with
// typed filters, admins (owner only) and settings (per-key validation) through REST.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper } from '../lib/stack.mjs';
import { openWs, login, request } from '../lib/http.mjs';
import { assertResponse, assertProblem, assertSchema } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'notif-audit' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

test('a notification created in the database arrives live, lists as unacked, and a moderator acks it', async () => {
  const ws = await openWs(edge.url, as.viewer.session.cookie);
  let id;
  try {
    await ws.next((m) => m.type === 'hello');
    const marker = `it-${uniq()}`;
    const { rows } = await db.query(`SELECT rt._notify_admins('error', NULL, NULL, jsonb_build_object('detail', $1::text)) AS id`, [marker]);
    id = Number(rows[0].id);
    const ev = await ws.next((m) => m.type === 'notification.created' && m.data?.id === id, 10000);
    assertSchema('WsEnvelope', ev);
    assertSchema('Notification', ev.data);
    assert.equal(ev.data.payload.detail, marker);
  } finally {
    await ws.close();
  }
  const list = await as.viewer.get('/api/notifications?unacked=true&kind=error&limit=50');
  assertResponse('listNotifications', list);
  assert.equal(list.status, 200, list.text);
  assert.ok(list.json.items.some((n) => n.id === id));
  assert.ok(list.json.items.every((n) => n.acked_at === null && n.kind === 'error'));

  const v = await as.viewer.send('POST', `/api/notifications/${id}/ack`);
  assertResponse('ackNotification', v);
  assertProblem(v, 403);
  const ack = await as.moderator.send('POST', `/api/notifications/${id}/ack`);
  assertResponse('ackNotification', ack);
  assert.equal(ack.status, 200, ack.text);
  assert.equal(ack.json.acked_by, `admin:${as.moderator.admin.id}`);
  assert.ok(ack.json.acked_at);
  assertProblem(await as.moderator.send('POST', '/api/notifications/999999999999/ack'), 404);

  for (const [q, field] of [['unacked=1', 'unacked'], ['kind=spam', 'kind'], ['limit=abc', 'limit']]) {
    const bad = await as.viewer.get(`/api/notifications?${q}`);
    assertResponse('listNotifications', bad);
    assertProblem(bad, 400);
    assert.equal(bad.json.field, field, q);
  }
});

test('ack all: moderator acknowledges every unread notification', async () => {
  await db.query(`SELECT rt._notify_admins('mention', NULL, NULL, '{}'::jsonb)`);
  const res = await as.moderator.send('POST', '/api/notifications/ack');
  assertResponse('ackAllNotifications', res);
  assert.equal(res.status, 200, res.text);
  assert.ok(res.json.acked >= 1);
  const left = await as.viewer.get('/api/notifications?unacked=true');
  assert.equal(left.json.items.length, 0);
  assertProblem(await as.viewer.send('POST', '/api/notifications/ack'), 403);
});

test('audit list: typed from/to, filters by actor, pages with next_cursor', async () => {
  const key = 'context.messages';
  const before = await as.viewer.get('/api/settings');
  const cur = before.json.items.find((s) => s.key === key).value;
  for (let i = 0; i < 3; i++) {
    const r = await as.admin.send('PUT', `/api/settings/${key}`, { value: i % 2 ? cur : cur + 1 });
    assert.equal(r.status, 200, r.text);
  }
  await as.admin.send('PUT', `/api/settings/${key}`, { value: cur });
  const from = new Date(Date.now() - 60e3).toISOString();
  const page1 = await as.viewer.get(`/api/audit?actor=${encodeURIComponent(`admin:${as.admin.admin.id}`)}&from=${from}&limit=2`);
  assertResponse('listAudit', page1);
  assert.equal(page1.status, 200, page1.text);
  assert.equal(page1.json.items.length, 2);
  assert.ok(page1.json.next_cursor, 'more entries than the limit');
  assert.ok(page1.json.items.every((e) => e.actor === `admin:${as.admin.admin.id}`));
  const page2 = await as.viewer.get(`/api/audit?actor=${encodeURIComponent(`admin:${as.admin.admin.id}`)}&from=${from}&limit=2&cursor=${encodeURIComponent(page1.json.next_cursor)}`);
  assertResponse('listAudit', page2);
  assert.ok(page2.json.items.length >= 1);
  assert.ok(page2.json.items.every((e) => !page1.json.items.some((x) => x.id === e.id)));
  for (const [q, field] of [['from=yesterday', 'from'], ['to=2026-13-45', 'to'], ['limit=0', 'limit'], ['who=me', 'who']]) {
    const bad = await as.viewer.get(`/api/audit?${q}`);
    assertResponse('listAudit', bad);
    assertProblem(bad, 400);
    assert.equal(bad.json.field, field, q);
  }
});

test('settings: list, admin updates with per-key validation, unknown key 404, moderator refused', async () => {
  const list = await as.viewer.get('/api/settings');
  assertResponse('listSettings', list);
  assert.equal(list.status, 200, list.text);
  const keys = list.json.items.map((s) => s.key);
  for (const k of ['preset.defaults', 'takeover.minutes']) assert.ok(keys.includes(k), keys.join());
  const cur = list.json.items.find((s) => s.key === 'takeover.minutes').value;

  const ok = await as.admin.send('PUT', '/api/settings/takeover.minutes', { value: 45 });
  assertResponse('updateSetting', ok);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.value, 45);
  const back = await as.admin.send('PUT', '/api/settings/takeover.minutes', { value: cur });
  assert.equal(back.status, 200, back.text);

  const bad = await as.admin.send('PUT', '/api/settings/takeover.minutes', { value: 'soon' });
  assertResponse('updateSetting', bad);
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'value');
  const unknown = await as.admin.send('PUT', '/api/settings/no.such.key', { value: 1 });
  assertResponse('updateSetting', unknown);
  assertProblem(unknown, 404);
  const badKey = await as.admin.send('PUT', '/api/settings/Bad%20Key', { value: 1 });
  assertProblem(badKey, 400);
  const mod = await as.moderator.send('PUT', '/api/settings/takeover.minutes', { value: 10 });
  assertResponse('updateSetting', mod);
  assertProblem(mod, 403);
});

test('admins: owner creates, changes role, disables (login then fails); admin role refused; duplicate 409', async () => {
  const name = `it-new-${uniq()}`;
  const password = `pw-${uniq()}-${uniq()}`;
  const c = await as.owner.send('POST', '/api/admins', { login: name, password, role: 'moderator' });
  assertResponse('createAdmin', c);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.role, 'moderator');
  assert.equal(c.json.disabled_at, null);
  assert.equal(JSON.stringify(c.json).includes('password'), false, 'never a password or hash');

  const list = await as.owner.get('/api/admins');
  assertResponse('listAdmins', list);
  assert.ok(list.json.items.some((a) => a.id === c.json.id));

  const dup = await as.owner.send('POST', '/api/admins', { login: name, password, role: 'viewer' });
  assertResponse('createAdmin', dup);
  assertProblem(dup, 409);

  const p = await as.owner.send('PATCH', `/api/admins/${c.json.id}`, { role: 'viewer' });
  assertResponse('updateAdmin', p);
  assert.equal(p.json.role, 'viewer');
  const s = await login(edge.url, name, password);
  assert.equal(s.admin.role, 'viewer');
  const d = await as.owner.send('PATCH', `/api/admins/${c.json.id}`, { disabled: true });
  assertResponse('updateAdmin', d);
  assert.ok(d.json.disabled_at);
  const refused = await request(edge.url, 'POST', '/api/auth/login', { json: { login: name, password } });
  assertProblem(refused, 401);

  for (const [method, path, body, op] of [
    ['GET', '/api/admins', undefined, 'listAdmins'],
    ['POST', '/api/admins', { login: `x-${uniq()}`, password: 'longenough1', role: 'viewer' }, 'createAdmin'],
    ['PATCH', `/api/admins/${c.json.id}`, { disabled: false }, 'updateAdmin'],
  ]) {
    const res = method === 'GET' ? await as.admin.get(path) : await as.admin.send(method, path, body);
    assertResponse(op, res);
    assertProblem(res, 403);
  }

  // The REST door audits with the owner's actor.
  const audit = await as.viewer.get(`/api/audit?target=${encodeURIComponent(`admin:${c.json.id}`)}`);
  assertResponse('listAudit', audit);
  assert.ok(audit.json.items.some((e) => e.actor === `admin:${as.owner.admin.id}`), JSON.stringify(audit.json.items));
});
