// Issue 3 chat and user switches through REST: autoreply/reply_on_mention (admin), takeover and
// resume (moderator), user mute (admin), sending by hand (moderator: 202, queued, pauses
// auto-reply), with role refusals, 404s and typed path ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { openWs } from '../lib/http.mjs';
import { assertResponse, assertProblem, assertSchema } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'switches' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

let updateSeq = 0;
/** Stores one incoming private message through the SQL door; returns { chatId, userId, username }. */
async function seedChat() {
  const chatId = uniqueId();
  const username = `sw${chatId}`;
  const updateId = 7_000_000_000_000 + (process.pid % 1000) * 1_000_000 + Date.now() % 1_000_000 * 10 + (++updateSeq);
  const { rows } = await db.query('SELECT rt.ingest($1::jsonb) AS r', [JSON.stringify([textUpdate({ chatId, text: 'hi there', messageId: 1, updateId, username, firstName: 'Switch' })])]);
  assert.equal(rows[0].r.stored, 1, JSON.stringify(rows[0].r));
  return { chatId, userId: chatId, username };
}

test('PATCH /api/chats/{id}: admin flips autoreply and reply_on_mention; viewer and moderator get 403', async () => {
  const { chatId } = await seedChat();
  const on = await as.admin.send('PATCH', `/api/chats/${chatId}`, { autoreply: true, reply_on_mention: false });
  assertResponse('updateChat', on);
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.autoreply, true);
  assert.equal(on.json.reply_on_mention, false);
  for (const who of ['viewer', 'moderator']) {
    const res = await as[who].send('PATCH', `/api/chats/${chatId}`, { autoreply: false });
    assertResponse('updateChat', res);
    assertProblem(res, 403);
  }
  const bad = await as.admin.send('PATCH', `/api/chats/${chatId}`, { autoreply: 'yes' });
  assertResponse('updateChat', bad);
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'autoreply');
  const missing = await as.admin.send('PATCH', `/api/chats/${-uniqueId()}`, { autoreply: true });
  assertResponse('updateChat', missing);
  assertProblem(missing, 404);
  const notId = await as.admin.send('PATCH', '/api/chats/abc', { autoreply: true });
  assertResponse('updateChat', notId);
  assertProblem(notId, 400);
  assert.equal(notId.json.field, 'id');
});

test('takeover (with and without a body) and resume: moderator allowed, viewer refused', async () => {
  const { chatId } = await seedChat();
  const t = await as.moderator.send('POST', `/api/chats/${chatId}/takeover`, { minutes: 5 });
  assertResponse('takeoverChat', t);
  assert.equal(t.status, 200, t.text);
  const mins = (Date.parse(t.json.takeover_until) - Date.now()) / 60e3;
  assert.ok(mins > 4.5 && mins <= 5.05, `takeover for ~5 min, got ${mins}`);

  const r = await as.moderator.send('POST', `/api/chats/${chatId}/resume`);
  assertResponse('resumeChat', r);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.takeover_until, null);

  const noBody = await as.moderator.send('POST', `/api/chats/${chatId}/takeover`);
  assertResponse('takeoverChat', noBody);
  assert.equal(noBody.status, 200, noBody.text);
  assert.ok(noBody.json.takeover_until, 'default takeover.minutes applies');

  const v = await as.viewer.send('POST', `/api/chats/${chatId}/resume`);
  assertProblem(v, 403);
  const tooLong = await as.moderator.send('POST', `/api/chats/${chatId}/takeover`, { minutes: 999999 });
  assertProblem(tooLong, 400);
  assert.equal(tooLong.json.field, 'minutes');
});

test('users: list with q, admin mutes, moderator refused, unknown user 404', async () => {
  const { userId, username } = await seedChat();
  const list = await as.viewer.get(`/api/users?q=${username}&limit=10`);
  assertResponse('listUsers', list);
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.items.map((u) => u.id), [userId]);
  assert.equal(list.json.items[0].muted, false);

  const m = await as.admin.send('PATCH', `/api/users/${userId}`, { muted: true });
  assertResponse('updateUser', m);
  assert.equal(m.status, 200, m.text);
  assert.equal(m.json.muted, true);
  const mod = await as.moderator.send('PATCH', `/api/users/${userId}`, { muted: false });
  assertResponse('updateUser', mod);
  assertProblem(mod, 403);
  const unknown = await as.admin.send('PATCH', `/api/users/${uniqueId()}`, { muted: true });
  assertProblem(unknown, 404);
  const badLimit = await as.viewer.get('/api/users?limit=201');
  assertResponse('listUsers', badLimit);
  assertProblem(badLimit, 400);
  assert.equal(badLimit.json.field, 'limit');
});

test('POST /api/messages: moderator sends by hand (202 queued), the chat pauses, WS sees it; viewer refused', async () => {
  const { chatId } = await seedChat();
  const ws = await openWs(edge.url, as.viewer.session.cookie);
  try {
    await ws.next((x) => x.type === 'hello');
    const text = `manual reply ${chatId}`;
    const res = await as.moderator.send('POST', '/api/messages', { chat_id: chatId, text, as: 'bot' });
    assertResponse('sendMessage', res);
    assert.equal(res.status, 202, res.text);
    assert.equal(res.json.status, 'queued');
    assert.equal(res.json.direction, 'out');
    assert.equal(res.json.text, text);
    const created = await ws.next((x) => x.type === 'message.created' && x.data?.id === res.json.id, 10000);
    assertSchema('WsEnvelope', created);
    const { rows } = await db.query('SELECT takeover_until > now() AS paused FROM rt.chats WHERE id = $1', [chatId]);
    assert.equal(rows[0].paused, true, 'a manual send pauses auto-reply');
    const job = await db.query(`SELECT kind, payload FROM rt.outbox WHERE payload->>'message_pk' = $1`, [String(res.json.id)]);
    assert.equal(job.rows[0]?.kind, 'telegram.send');
  } finally {
    await ws.close();
  }
  const v = await as.viewer.send('POST', '/api/messages', { chat_id: chatId, text: 'nope' });
  assertResponse('sendMessage', v);
  assertProblem(v, 403);
  const empty = await as.moderator.send('POST', '/api/messages', { chat_id: chatId, text: '' });
  assertProblem(empty, 400);
  assert.equal(empty.json.field, 'text');
  const noChat = await as.moderator.send('POST', '/api/messages', { chat_id: -uniqueId(), text: 'x' });
  assertProblem(noChat, 404);
});

test('audit of switches: actor admin:<id> on chat and user changes', async () => {
  const { chatId } = await seedChat();
  const res = await as.admin.send('PATCH', `/api/chats/${chatId}`, { autoreply: true });
  assert.equal(res.status, 200, res.text);
  const audit = await as.viewer.get(`/api/audit?target=${encodeURIComponent(`chat:${chatId}`)}`);
  assertResponse('listAudit', audit);
  assert.ok(audit.json.items.some((e) => e.actor === `admin:${as.admin.admin.id}` && e.after?.autoreply === true), JSON.stringify(audit.json.items));
});
