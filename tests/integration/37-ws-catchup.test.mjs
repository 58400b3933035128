// The event journal lets a WebSocket client catch up (decision 011): every event carries the id
// of its journal row ("event_id"), hello carries the edge's position, and /ws?after=<event_id>
// replays what the client missed, edits included (before, edits made while a client was offline
// were never backfilled). Also the fan-out of a multi-batch burst (issue 7, "Untested today"):
// ranges, the 7,000-byte degraded payload, a slow client dropped and backfilled on reconnect.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { login, request, waitFor } from '../lib/http.mjs';
import { assertSchema } from '../lib/openapi.mjs';

const cleanups = [];
after(async () => {
  const errors = [];
  for (const c of cleanups.reverse()) { try { await c(); } catch (e) { errors.push(e); } }
  if (errors.length) throw errors[0];
});

let db;
let updateSeq = 37000000000000 + (process.pid % 100000) * 100000;

/** /ws at a path (e.g. /ws?after=12) with the cookie: frames, next(pred), closed, pause/resume. */
function openWsAt(base, cookie, path = '/ws') {
  const url = new URL(path, base);
  url.protocol = 'ws:';
  const ws = new WebSocket(url, { headers: { cookie }, perMessageDeflate: false });
  const frames = [];
  const waiters = new Set();
  let closeInfo = null;
  ws.on('message', (data) => {
    frames.push(JSON.parse(data.toString('utf8')));
    for (const w of [...waiters]) w();
  });
  const closed = new Promise((resolve) => ws.once('close', (code, reason) => {
    closeInfo = { code, reason: reason.toString() };
    for (const w of [...waiters]) w();
    resolve(closeInfo);
  }));
  const client = {
    ws, frames, closed,
    /** resolves with the first frame at index >= from matching pred */
    next(pred, timeoutMs = 20000, from = 0) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const f = frames.slice(from).find(pred);
          if (f) { done(); resolve(f); }
        };
        const timer = setTimeout(() => { done(); reject(new Error(`ws ${path}: no matching frame in ${timeoutMs} ms (close ${JSON.stringify(closeInfo)}); frames: ${frames.slice(-12).map((f) => `${f.type}#${f.event_id ?? ''} ${JSON.stringify(f.data).slice(0, 60)}`).join(' | ')}`)); }, timeoutMs);
        const done = () => { clearTimeout(timer); waiters.delete(check); };
        waiters.add(check);
        check();
      });
    },
    lastEventId: () => frames.reduce((m, f) => (typeof f.event_id === 'number' && f.event_id > m ? f.event_id : m), -1),
    close: () => { ws.terminate(); return closed; },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res) => reject(new Error(`ws upgrade refused: ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

async function ingest(updates) {
  const { rows } = await db.query('SELECT rt.ingest($1::jsonb) AS r', [JSON.stringify(updates.map((u) => ({ update_id: ++updateSeq, ...u })))]);
  return rows[0].r;
}

const text = (chatId, n, t) => textUpdate({ chatId, messageId: n, text: t ?? `m${n}`, chatType: 'group' });
const edit = (chatId, n, t) => {
  const u = textUpdate({ chatId, messageId: n, text: t, chatType: 'group' });
  return { edited_message: { ...u.message, edit_date: u.message.date + 1 } };
};

test('setup', async () => {
  db = await pgSuper();
  cleanups.push(() => db.end());
});

test('a client offline while messages are stored AND edited gets them all on reconnect with ?after', { timeout: 90000 }, async () => {
  const edge = await startEdge({ name: 'catchup' });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const chatId = uniqueId();

  const a = await openWsAt(edge.url, s.cookie);
  const hello = await a.next((m) => m.type === 'hello');
  assertSchema('WsEnvelope', hello);
  assert.equal(typeof hello.data.event_id, 'number', 'hello carries the journal position');
  assert.equal(hello.event_id, undefined, 'hello itself has no event_id');
  await ingest([text(chatId, 1, 'first'), text(chatId, 2, 'second')]);
  const live = await a.next((m) => m.type === 'message.created' && m.data.chat_id === chatId && m.data.message_id === 2);
  assert.ok(live.event_id > hello.data.event_id, 'live events carry ids after the hello position');
  await a.next((m) => m.type === 'chat.updated' && m.data.id === chatId);
  const seen = a.lastEventId();
  await a.close();

  // offline: two new messages, an edit of an old one (Telegram), a moderation flag by hand
  await ingest([text(chatId, 3, 'third'), text(chatId, 4, 'fourth')]);
  await ingest([edit(chatId, 1, 'first, edited while away')]);
  const { rows: [m2] } = await db.query('SELECT id::int AS id FROM rt.messages WHERE chat_id = $1 AND message_id = 2', [chatId]);
  await db.query(`BEGIN; SELECT set_config('rt.actor', '', true); SELECT rt.flag_message($1, '{"label":"t37"}'); COMMIT`.replace('$1', String(m2.id)));

  const b = await openWsAt(edge.url, s.cookie, `/ws?after=${seen}`);
  await b.next((m) => m.type === 'hello');
  const created = await b.next((m) => m.type === 'message.created' && m.data.chat_id === chatId && m.data.message_id === 4);
  const edited = await b.next((m) => m.type === 'message.updated' && m.data.chat_id === chatId && m.data.message_id === 1);
  const flagged = await b.next((m) => m.type === 'message.updated' && m.data.id === m2.id);
  for (const f of [created, edited, flagged]) assertSchema('WsEnvelope', f);
  assert.equal(edited.data.text, 'first, edited while away', 'the edit made while offline is backfilled');
  assert.equal(edited.data.edit_history[0].text, 'first');
  assert.deepEqual(flagged.data.labels, ['t37']);
  const mine = b.frames.filter((f) => f.type?.startsWith('message.') && f.data.chat_id === chatId);
  assert.deepEqual(mine.map((f) => `${f.type} ${f.data.message_id}`),
    ['message.created 3', 'message.created 4', 'message.updated 1', 'message.updated 2'], 'exactly what was missed, in commit order, nothing seen before');
  const ids = b.frames.filter((f) => typeof f.event_id === 'number').map((f) => f.event_id);
  assert.deepEqual(ids, [...ids].sort((x, y) => x - y), 'event ids never go back');
  assert.ok(ids.every((id) => id > seen));

  // a client that saw everything gets nothing replayed; a malformed after is ignored
  const c = await openWsAt(edge.url, s.cookie, `/ws?after=${b.lastEventId()}`);
  const d = await openWsAt(edge.url, s.cookie, '/ws?after=12abc');
  await c.next((m) => m.type === 'hello');
  await d.next((m) => m.type === 'hello');
  await ingest([text(chatId, 5, 'fifth')]);
  await c.next((m) => m.type === 'message.created' && m.data.message_id === 5 && m.data.chat_id === chatId);
  await d.next((m) => m.type === 'message.created' && m.data.message_id === 5 && m.data.chat_id === chatId);
  assert.deepEqual(c.frames.filter((f) => f.type?.startsWith('message.')).map((f) => f.data.message_id), [5]);
  assert.deepEqual(d.frames.filter((f) => f.type?.startsWith('message.')).map((f) => f.data.message_id), [5]);
  await Promise.all([b.close(), c.close(), d.close()]);
});

test('multi-batch burst: each batch a range, the degraded (over 7,000 bytes) batch too, every message once', { timeout: 120000 }, async () => {
  const edge = await startEdge({ name: 'burst' });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const ws = await openWsAt(edge.url, s.cookie);
  const hello = await ws.next((m) => m.type === 'hello');

  // five batches of 40 in one chat, committed one after another without waiting
  const chatId = uniqueId();
  await Promise.all([0, 1, 2, 3, 4].map((b) => ingest(Array.from({ length: 40 }, (_, i) => text(chatId, b * 40 + i + 1)))));
  // one batch of 700 messages in 700 chats: its "chats" list alone passes 7,000 bytes
  const wide = Array.from({ length: 700 }, (_, i) => -(1000000000000 + uniqueId() * 1000 + i));
  await ingest(wide.map((c) => text(c, 1, `wide ${c}`)));

  const rows = (await db.query('SELECT id, data FROM rt.events WHERE id > $1 AND type = $2 ORDER BY id', [hello.data.event_id, 'messages'])).rows;
  const ours = rows.filter((r) => r.data.chats?.includes(chatId));
  assert.equal(ours.length, 5, 'one journal row per batch');
  for (const r of ours) {
    assert.equal(r.data.new.length, 1, 'a batch is one range');
    assert.equal(r.data.new[0][1] - r.data.new[0][0], 39, 'of its 40 ids');
  }
  const degraded = rows.filter((r) => !('chats' in r.data));
  assert.equal(degraded.length, 1, 'the 700-chat batch is degraded: no "chats" list');
  assert.ok(JSON.stringify(wide).length > 7000);

  await waitFor(() => ws.frames.filter((f) => f.type === 'chat.updated' && wide.includes(f.data.id)).length === 700,
    { timeoutMs: 60000, what: '700 chat.updated of the degraded batch (derived chats)' });
  const created = ws.frames.filter((f) => f.type === 'message.created');
  const burst = created.filter((f) => f.data.chat_id === chatId).map((f) => f.data.message_id);
  assert.deepEqual(burst, Array.from({ length: 200 }, (_, i) => i + 1), 'all 200 burst messages, once each, in order');
  assert.equal(created.filter((f) => wide.includes(f.data.chat_id)).length, 700, 'all 700 of the degraded batch');
  await ws.close();
});

test('a slow client is dropped (1008) while others keep up, and is backfilled when it reconnects', { timeout: 180000 }, async () => {
  // a small queue so a paused reader overflows it quickly
  const edge = await startEdge({ name: 'slow', env: { RT_WS_MAX_QUEUE: '100' } });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const fast = await openWsAt(edge.url, s.cookie);
  const slow = await openWsAt(edge.url, s.cookie);
  await fast.next((m) => m.type === 'hello');
  await slow.next((m) => m.type === 'hello');
  await slow.next(() => true); // the hello is in
  slow.ws._socket.pause(); // reads nothing more: kernel buffers fill, then the edge's queue
  const chatId = uniqueId();
  const big = 'x'.repeat(3500);
  let n = 0;
  // batches of 20 (21 frames) that the fast client takes one at a time, until the edge drops the slow one
  for (let b = 0; b < 200 && !edge.log().includes('ws client too slow'); b++) {
    await ingest(Array.from({ length: 20 }, () => { n += 1; return text(chatId, n, `${n} ${big}`); }));
    await fast.next((m) => m.type === 'message.created' && m.data.chat_id === chatId && m.data.message_id === n, 20000);
  }
  assert.ok(edge.log().includes('ws client too slow'), 'the paused client was dropped');
  assert.equal(fast.ws.readyState, WebSocket.OPEN, 'the fast client was not');
  slow.ws._socket.resume();
  const closed = await slow.closed;
  assert.ok(closed.code === 1008 || closed.code === 1006, `closed ${JSON.stringify(closed)}`);
  const seenId = slow.lastEventId();
  const seenMessages = new Set(slow.frames.filter((f) => f.type === 'message.created').map((f) => f.data.message_id));
  assert.ok(seenMessages.size < n, 'it missed messages');

  // reconnects with what it saw: more than a catch-up replays, so it is told to resync, and
  // the REST backfill (what the SPA runs on resync) has every message it missed
  const again = await openWsAt(edge.url, s.cookie, `/ws?after=${seenId}`);
  const resync = await again.next((m) => m.type === 'resync');
  assertSchema('WsEnvelope', resync);
  assert.equal(resync.data.reason, 'too much missed');
  const after = Math.max(0, ...slow.frames.filter((f) => f.type === 'message.created').map((f) => f.data.id));
  const got = new Set(seenMessages);
  let cursor = after;
  for (;;) {
    const page = await request(edge.url, 'GET', `/api/messages?chat_id=${chatId}&after_id=${cursor}&limit=500`, { cookie: s.cookie });
    assert.equal(page.status, 200, page.text);
    for (const m of page.json.items) got.add(m.message_id);
    if (page.json.items.length < 500) break;
    cursor = page.json.items.at(-1).id;
  }
  assert.equal(got.size, n, 'after the backfill the client has every message of the burst');

  // and a short gap is replayed by the journal itself
  const last = again.lastEventId() >= 0 ? again.lastEventId() : resync.event_id;
  await again.close();
  await ingest([text(chatId, n + 1, 'while away')]);
  const back = await openWsAt(edge.url, s.cookie, `/ws?after=${last}`);
  await back.next((m) => m.type === 'message.created' && m.data.chat_id === chatId && m.data.message_id === n + 1);
  await Promise.all([fast.close(), back.close()]);
});
