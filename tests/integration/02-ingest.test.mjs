// (c) a Telegram message through the fake reaches a logged-in WebSocket client and the REST
// lists; (d) the same update delivered twice is stored once; (f) 429 retry_after, 500 and a
// malformed body from Telegram are survived without loss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { request, login, openWs, waitFor, sleep } from '../lib/http.mjs';
import { assertResponse, assertSchema } from '../lib/openapi.mjs';

let tg; let edge; let session; let ws; let db;
before(async () => {
  tg = await startTelegram({ port: 0 });
  edge = await startEdge({ name: 'ingest', telegram: tg });
  session = await login(edge.url);
  ws = await openWs(edge.url, session.cookie);
  await ws.next((m) => m.type === 'hello');
  db = await pgSuper();
});
after(async () => {
  await ws?.close();
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

const get = (path) => request(edge.url, 'GET', path, { cookie: session.cookie });

test('a user message via Telegram appears over WS and in the REST lists', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  const text = `hello from telegram ${chatId} — ünïcødé ✓`;
  const username = `u${chatId}`;
  const [updateId] = tg.push([textUpdate({ chatId, text, messageId: 1, username, firstName: 'Ada' })]);

  const created = await ws.next((m) => m.type === 'message.created' && m.data?.chat_id === chatId, 20000);
  assertSchema('WsEnvelope', created);
  assertSchema('Message', created.data);
  assert.equal(created.data.text, text);
  assert.equal(created.data.update_id, updateId);
  assert.equal(created.data.direction, 'in');
  assert.equal(created.data.author_type, 'user');
  assert.equal(created.data.kind, 'text');
  assert.equal(created.data.sender?.id, chatId);
  assert.ok(!Number.isNaN(Date.parse(created.ts)));

  const msgs = await get(`/api/messages?chat_id=${chatId}`);
  assert.equal(msgs.status, 200);
  assertResponse('listMessages', msgs);
  assert.equal(msgs.json.items.length, 1);
  assert.equal(msgs.json.items[0].id, created.data.id);
  assert.equal(msgs.json.items[0].text, text);

  const back = await get(`/api/messages?after_id=${created.data.id - 1}&chat_id=${chatId}`);
  assertResponse('listMessages', back);
  assert.equal(back.json.items[0]?.id, created.data.id, 'backfill after_id returns the message');

  const kw = await get(`/api/messages?q=${encodeURIComponent(`FROM TELEGRAM ${chatId}`)}`);
  assertResponse('listMessages', kw);
  assert.ok(kw.json.items.some((m) => m.id === created.data.id), 'keyword search is case-insensitive');

  const chats = await get(`/api/chats?q=${username}`);
  assert.equal(chats.status, 200);
  assertResponse('listChats', chats);
  const chat = chats.json.items.find((c) => c.id === chatId);
  assert.ok(chat, `chat ${chatId} listed: ${chats.text}`);
  assert.equal(chat.type, 'private');
  assert.equal(chat.last_message_text, text);

  const all = await get('/api/chats?limit=1');
  assertResponse('listChats', all);
  assert.equal(all.json.items.length, 1);
});

test('the offset is confirmed only after the update was taken', { timeout: 30000 }, async () => {
  const chatId = uniqueId();
  const [id] = tg.push([textUpdate({ chatId, text: 'offset check', messageId: 1 })]);
  await waitFor(() => tg.state().confirmed >= id, { what: `offset past ${id}` });
});

async function storedCount(chatId) {
  const r = await db.query('SELECT count(*)::int AS n FROM rt.messages WHERE chat_id = $1', [chatId]);
  return r.rows[0].n;
}

async function waitStored(chatId, text) {
  await waitFor(async () => (await db.query('SELECT 1 FROM rt.messages WHERE chat_id = $1 AND text = $2', [chatId, text])).rowCount === 1,
    { timeoutMs: 20000, what: `"${text}" stored` });
}

test('the same update delivered twice is stored once', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  const upd = textUpdate({ chatId, text: 'only once', messageId: 10, updateId: tg.reserveIds(2) });
  // Twice in one getUpdates answer, then re-delivered after confirmation (a misbehaving server),
  // then the same (chat_id, message_id) under a new update_id.
  tg.push([upd, upd]);
  await waitStored(chatId, 'only once');
  await waitFor(() => tg.state().confirmed >= upd.update_id, { what: 'offset confirmed' });
  tg.redeliver([upd]);
  tg.push([{ ...upd, update_id: upd.update_id + 1 }]);
  tg.push([textUpdate({ chatId, text: 'sentinel', messageId: 11 })]);
  await waitStored(chatId, 'sentinel');
  await sleep(300);
  assert.equal(await storedCount(chatId), 2, 'one row for the duplicated update + the sentinel');
  const msgs = await get(`/api/messages?chat_id=${chatId}`);
  assertResponse('listMessages', msgs);
  assert.deepEqual(msgs.json.items.map((m) => m.text).sort(), ['only once', 'sentinel']);
});

test('an edited message updates the row and keeps the previous text', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  const base = textUpdate({ chatId, text: 'first version', messageId: 7 });
  tg.push([base]);
  await waitStored(chatId, 'first version');
  tg.push([{ edited_message: { ...base.message, text: 'second version', edit_date: base.message.date + 5 } }]);
  const upd = await ws.next((m) => m.type === 'message.updated' && m.data?.chat_id === chatId, 20000);
  assertSchema('WsEnvelope', upd);
  assert.equal(upd.data.text, 'second version');
  assert.equal(upd.data.edit_history[0]?.text, 'first version');
  assert.equal(await storedCount(chatId), 1);
});

test('429 retry_after is honoured, then 500 and a malformed body are survived; nothing is lost', { timeout: 90000 }, async () => {
  const chatId = uniqueId();
  const callsBefore = tg.calls.length;
  tg.fail({ mode: '429', retry_after: 2, methods: ['getUpdates'] });
  const failed = await waitFor(() => tg.calls.slice(callsBefore).find((c) => c.failed === '429'), { timeoutMs: 20000, what: 'the 429 answer' });
  tg.push([textUpdate({ chatId, text: 'after 429', messageId: 1 })]);
  await waitStored(chatId, 'after 429');
  const nextCall = tg.calls.find((c) => c.method === 'getUpdates' && c.at > failed.at);
  assert.ok(nextCall, 'polling resumed');
  assert.ok(nextCall.at - failed.at >= 1900, `next getUpdates ${nextCall.at - failed.at} ms after 429 with retry_after=2`);

  tg.fail({ mode: '500', methods: ['getUpdates'] });
  tg.fail({ mode: 'malformed', methods: ['getUpdates'] });
  tg.fail({ mode: 'html', methods: ['getUpdates'] });
  tg.push([textUpdate({ chatId, text: 'after errors', messageId: 2 })]);
  await waitStored(chatId, 'after errors');
  assert.equal(await storedCount(chatId), 2);
  const h = await request(edge.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
});
