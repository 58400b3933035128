// (c) a Telegram message through the fake reaches a logged-in WebSocket client and the REST
// lists; (d) the same update delivered twice is stored once; (f) 429 retry_after, 500 and a
// malformed body from Telegram are survived without loss.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, redisClient, uniqueId, textUpdate } from '../lib/stack.mjs';
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

/** The update is durable: an entry of {rt}:in carries it, or (already acked and trimmed) a committed row. */
async function durable(redis, id) {
  const entries = await redis.xrevrange('{rt}:in', '+', '-', 'COUNT', 500);
  const re = new RegExp(`"update_id":${id}(?![0-9])`);
  const entry = entries.find(([, fields]) => fields.some((f, i) => i % 2 === 1 && re.test(f)));
  if (entry) return { where: '{rt}:in', stream_id: entry[0] };
  const row = await db.query('SELECT 1 FROM rt.messages WHERE update_id = $1', [id]);
  return row.rowCount ? { where: 'rt.messages' } : null;
}

test('the offset is confirmed only after the update was taken', { timeout: 30000 }, async () => {
  // Redis writes are paused while the update is served, so its XADD cannot finish: an edge that
  // moved the offset before its MULTI/EXEC came back would ask with offset > id while {rt}:in has
  // no entry. The fake checks Redis at the very moment each confirming getUpdates arrives.
  const chatId = uniqueId();
  const upd = textUpdate({ chatId, text: 'offset check', messageId: 1, updateId: tg.reserveIds(1) });
  const id = upd.update_id;
  const redis = redisClient();
  const probe = redisClient(); // reads are not paused
  const confirms = []; // every getUpdates that confirms id, in arrival order, with what Redis held then
  let seq = 0; let pausedUntilSeq = null;
  const off = tg.onPoll(async ({ offset, call }) => {
    if (!(offset > id)) return;
    const n = ++seq;
    confirms.push({ seq: n, offset, t: call.t, writes_paused: pausedUntilSeq === null, durable: await durable(probe, id) });
  });
  try {
    await redis.call('CLIENT', 'PAUSE', '20000', 'WRITE');
    tg.push([upd]);
    const served = await waitFor(() => tg.calls.find((c) => c.served?.includes(id)), { timeoutMs: 15000, what: `update ${id} served` });
    // A wrong edge asks again at once; a right one cannot until its EXEC returns. Give it a moment.
    await waitFor(() => confirms.length > 0, { timeoutMs: 1500, what: 'a confirming getUpdates' }).catch(() => {});
    const whilePaused = confirms.length;
    assert.equal(await durable(probe, id), null, 'the pause held the XADD back');
    pausedUntilSeq = seq;
    await redis.call('CLIENT', 'UNPAUSE');
    await waitFor(() => tg.state().confirmed >= id, { timeoutMs: 15000, what: `offset past ${id}` });
    const entry = await durable(probe, id);
    assert.ok(entry, `update ${id} stored`);
    assert.equal(whilePaused, 0, `offset moved past ${id} while its XADD was held back: ${JSON.stringify(confirms)}`);
    assert.ok(confirms.length >= 1 && confirms.every((c) => c.durable), `every confirmation of ${id} came after it was in Redis: ${JSON.stringify(confirms)}`);
    if (entry.stream_id) {
      // Redis stamps the entry with its clock: the XADD ran before the fake saw the new offset.
      const xaddMs = Number(entry.stream_id.split('-')[0]);
      assert.ok(xaddMs <= Math.ceil(confirms[0].t), `XADD at ${xaddMs}, first confirmation at ${confirms[0].t}`);
    }
    assert.ok(served.answered_t <= confirms[0].t, 'served before confirmed');
    await waitStored(chatId, 'offset check');
  } finally {
    off();
    await redis.call('CLIENT', 'UNPAUSE').catch(() => {});
    redis.disconnect(); probe.disconnect();
  }
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

  // Each failure answers a getUpdates that would have carried an update: the update is pushed
  // when that poll arrives (no poll is waiting then), the failure is served instead, and the
  // update must arrive with a later poll, once.
  const modes = ['500', 'malformed', 'html'];
  for (const [i, mode] of modes.entries()) {
    const text = `after ${mode}`;
    const upd = textUpdate({ chatId, text, messageId: 2 + i, updateId: tg.reserveIds(1) });
    const faultsBefore = tg.faults.length;
    const off = tg.onPoll(() => {
      off();
      tg.fail({ mode, methods: ['getUpdates'] });
      tg.push([upd]);
    });
    const fault = await waitFor(() => tg.faults.slice(faultsBefore).find((f) => f.mode === mode), { timeoutMs: 20000, what: `the ${mode} answer served` });
    assert.deepEqual(fault.pending_ids, [upd.update_id], `the ${mode} answer withheld update ${upd.update_id}`);
    await waitStored(chatId, text);
    const serves = tg.calls.filter((c) => c.served?.includes(upd.update_id));
    assert.equal(serves.length, 1, `update ${upd.update_id} served once, after the ${mode} answer`);
    assert.ok(serves[0].t > fault.t);
  }
  assert.deepEqual(tg.faults.filter((f) => f.t >= failed.t).map((f) => f.mode), ['429', ...modes], 'every scripted failure was served');
  assert.equal(tg.state().failures_queued, 0);
  assert.equal(await storedCount(chatId), 1 + modes.length);
  const h = await request(edge.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
});
