// (g) SIGKILL rt-edge in the middle of a 2,000-update burst, restart it: exactly 2,000 distinct
// messages, nothing lost, nothing duplicated (checked in SQL as the superuser), and no side
// effect twice: one message.created per message over a real WebSocket, one outbox job and one
// Telegram reply per playbook hit.
//
// The kill does not land by chance. The test holds a lock that rt.ingest needs (its own
// superuser transaction), so the entries the worker has read stay pending in the consumer group
// (XPENDING > 0, shown before the kill), and it pauses Redis writes while the fake serves the
// next updates, so they are served but provably neither in {rt}:in nor confirmed to Telegram.
// Then SIGKILL. The restarted edge must reclaim every pending entry (XAUTOCLAIM: its log line
// and the group's state) and fetch the unconfirmed updates again.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, redisClient, uniqueId, textUpdate } from '../lib/stack.mjs';
import { login, openWs, request, waitFor, sleep } from '../lib/http.mjs';

const TOTAL = 2000;
const PHASE1 = 300;  // stored normally before the lock
const PHASE2 = 1000; // into {rt}:in while rt.ingest is blocked by the lock
const HIT_EVERY = 100; // every 100th update matches the playbook: 20 replies in all
let tg; let db; let lockDb; let redis; const edges = []; let ws;
before(async () => {
  tg = await startTelegram({ port: 0 });
  db = await pgSuper();
  lockDb = await pgSuper();
  redis = redisClient();
});
after(async () => {
  await redis?.call('CLIENT', 'UNPAUSE').catch(() => {});
  await lockDb?.query('ROLLBACK').catch(() => {});
  await ws?.close();
  for (const e of edges) await e.stop();
  await lockDb?.end();
  await db?.end();
  redis?.disconnect();
  await tg.close();
});

const idOf = (u) => Number(JSON.parse(u).update_id);
/** Update ids held in {rt}:in (the newest `count` entries). */
async function streamIds(count = 3000) {
  const entries = await redis.xrevrange('{rt}:in', '+', '-', 'COUNT', count);
  const ids = new Set();
  for (const [, f] of entries) for (let i = 0; i + 1 < f.length; i += 2) if (f[i] === 'u') { try { ids.add(idOf(f[i + 1])); } catch { /* raw */ } }
  return ids;
}
const clientIds = async () => new Set((await redis.call('CLIENT', 'LIST')).split('\n').map((l) => /(?:^|\s)id=(\d+)/.exec(l)?.[1]).filter(Boolean));

test(`SIGKILL during a ${TOTAL}-update burst, with entries pending and updates unconfirmed, loses and duplicates nothing`, { timeout: 300000 }, async (t) => {
  const chatId = uniqueId();
  const env = {
    RT_INGEST_CLAIM_IDLE_MS: '1000', // reclaim the dead consumer's entries quickly
    RT_INGEST_BATCH: '100',
    RT_TG_RATE_GROUP_PER_MIN: '6000', RT_TG_RATE_CHAT: '100', RT_TG_RATE_GLOBAL: '1000',
  };
  const count = async () => (await db.query('SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1 AND direction = \'in\'', [chatId])).rows[0].n;
  // Message ids are numbered when pushed: the bot's replies take ids in the same chat.
  const messageIds = [];
  const updates = (from, to) => {
    const list = [];
    for (let i = from; i < to; i++) {
      const messageId = tg.nextMessageId(chatId);
      messageIds.push(messageId);
      list.push(textUpdate({ chatId, text: `burst ${i}${i % HIT_EVERY === 0 ? ' crashpong' : ''}`, messageId, chatType: 'group', userId: chatId + 1 }));
    }
    return list;
  };
  const pongs = () => tg.sentMessages(chatId).filter((s) => s.params.text === 'pong');

  const before1 = await clientIds();
  const first = await startEdge({ name: 'crash-1', telegram: tg, env });
  edges.push(first);
  const s1 = await login(first.url);
  const pb = await request(first.url, 'POST', '/api/playbooks', { cookie: s1.cookie, csrf: s1.csrf,
    json: { name: `crash-pong-${chatId}`, pattern: 'crashpong', pattern_kind: 'word', reply_text: 'pong', priority: 1, stop: true, chat_ids: [chatId] } });
  assert.equal(pb.status, 201, pb.text);

  // Phase 1: ingest works; its 3 replies are sent before anything is held.
  tg.push(updates(0, PHASE1));
  await waitFor(async () => (await count()) === PHASE1, { timeoutMs: 60000, what: `${PHASE1} stored` });
  await waitFor(() => pongs().length === PHASE1 / HIT_EVERY, { timeoutMs: 60000, what: 'phase 1 replies sent' });
  const lastBefore = (await db.query('SELECT max(id) AS m FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].m;

  // Phase 2: rt.ingest blocks on the test's lock; the poller still puts every update in {rt}:in.
  await lockDb.query('BEGIN');
  await lockDb.query('LOCK TABLE rt.update_keys IN EXCLUSIVE MODE');
  const p2 = tg.push(updates(PHASE1, PHASE1 + PHASE2));
  await waitFor(() => tg.state().confirmed >= p2.at(-1), { timeoutMs: 60000, what: 'phase 2 confirmed (in {rt}:in)' });
  await waitFor(async () => (await db.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE '%rt.ingest%'`)).rowCount > 0,
    { timeoutMs: 30000, what: 'rt.ingest waiting for the lock' });
  await waitFor(async () => Number((await redis.xpending('{rt}:in', 'ingest'))[0]) > 0, { timeoutMs: 30000, what: 'entries pending in the group' });

  // Phase 3: Redis writes paused; the next updates are served but can be neither stored nor confirmed.
  await redis.call('CLIENT', 'PAUSE', '120000', 'WRITE');
  const p3 = tg.push(updates(PHASE1 + PHASE2, TOTAL));
  const servedCall = await waitFor(() => tg.calls.find((c) => c.served?.some((id) => id >= p3[0])), { timeoutMs: 30000, what: 'phase 3 served' });
  const unconfirmed = servedCall.served.filter((id) => id >= p3[0]);
  await sleep(300); // let the edge get as far as it can (its MULTI/EXEC waits in Redis)

  // The moment of the kill, shown: entries pending, updates served but unconfirmed and not in {rt}:in.
  const pendingAtKill = await redis.xpending('{rt}:in', 'ingest', '-', '+', 10000);
  const deadConsumer = pendingAtKill[0]?.[1];
  const inStream = await streamIds();
  assert.ok(pendingAtKill.length > 0, 'entries pending at the kill');
  assert.ok(unconfirmed.length > 0 && tg.state().confirmed < unconfirmed[0], `updates ${unconfirmed[0]}.. served and unconfirmed (confirmed ${tg.state().confirmed})`);
  assert.ok(unconfirmed.every((id) => !inStream.has(id)), 'the unconfirmed updates are not in {rt}:in');
  assert.equal(await count(), PHASE1, 'nothing stored while the lock is held');
  const exit = await first.kill();
  assert.equal(exit.signal, 'SIGKILL');
  // The dead edge's connections are gone before writes resume, so its queued EXEC never runs.
  const mine = new Set([...before1, String(await redis.call('CLIENT', 'ID'))]);
  await waitFor(async () => [...(await clientIds())].every((id) => mine.has(id)), { timeoutMs: 15000, what: "the killed edge's Redis connections closed" });
  await redis.call('CLIENT', 'UNPAUSE');

  // Restart with the lock still held, so a WebSocket client sees every event from here on.
  const restartT = performance.timeOrigin + performance.now();
  const second = await startEdge({ name: 'crash-2', telegram: tg, env, resetOffset: false });
  edges.push(second);
  const s2 = await login(second.url);
  ws = await openWs(second.url, s2.cookie);
  await ws.next((m) => m.type === 'hello');
  await lockDb.query('ROLLBACK');

  await waitFor(async () => (await count()) >= TOTAL, { timeoutMs: 180000, intervalMs: 200, what: `${TOTAL} stored after the restart` });
  await waitFor(() => pongs().length >= TOTAL / HIT_EVERY, { timeoutMs: 60000, what: 'every reply sent' });
  await waitFor(async () => Number((await redis.xpending('{rt}:in', 'ingest'))[0]) === 0, { timeoutMs: 30000, what: 'nothing pending' });
  await sleep(2500); // anything duplicated by a late redelivery would land now

  const r = await db.query(`SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS d, count(DISTINCT update_id)::int AS u,
                                   array_agg(message_id::int ORDER BY message_id) AS ids
                              FROM rt.messages WHERE chat_id = $1 AND direction = 'in'`, [chatId]);
  const { ids: storedIds, ...counts } = r.rows[0];
  assert.deepEqual(counts, { n: TOTAL, d: TOTAL, u: TOTAL });
  assert.deepEqual(storedIds, [...messageIds].sort((a, b) => a - b), 'exactly the pushed messages');
  const texts = await db.query("SELECT count(DISTINCT text)::int n FROM rt.messages WHERE chat_id = $1 AND text LIKE 'burst %'", [chatId]);
  assert.equal(texts.rows[0].n, TOTAL);
  assert.equal(tg.state().pending, 0, 'every update confirmed to Telegram');

  // Reclaimed: the pending entries of the dead consumer were taken over and acknowledged.
  const reclaimed = second.log().split('\n').filter((l) => l.includes('ingest: reclaimed idle entries'))
    .reduce((n, l) => n + Number(JSON.parse(l).count), 0);
  assert.ok(reclaimed >= pendingAtKill.length, `the restarted edge reclaimed ${reclaimed} entries, ${pendingAtKill.length} were pending at the kill`);
  const stillPending = new Set((await redis.xpending('{rt}:in', 'ingest', '-', '+', 10000)).map((p) => p[0]));
  assert.deepEqual(pendingAtKill.filter((p) => stillPending.has(p[0])), [], 'every entry pending at the kill acknowledged');
  const consumers = await redis.call('XINFO', 'CONSUMERS', '{rt}:in', 'ingest');
  const dead = consumers.find((c) => c[1] === deadConsumer);
  assert.ok(dead, `the dead consumer ${deadConsumer} is still listed (consumers are never deleted)`);
  assert.equal(dead[3], 0, `the dead consumer ${deadConsumer} holds nothing: ${JSON.stringify(dead)}`);
  // Refetched: the updates served but unconfirmed at the kill were served again after the restart.
  const again = new Set(tg.calls.filter((c) => c.t > restartT && c.served).flatMap((c) => c.served));
  assert.deepEqual(unconfirmed.filter((id) => !again.has(id)), [], 'unconfirmed updates fetched again');

  // Side effects once: every message stored after the lock reached the WebSocket exactly once.
  assert.equal(ws.ws.readyState, 1, 'the WebSocket client stayed connected (not dropped)');
  const created = ws.frames.filter((m) => m.type === 'message.created' && m.data?.chat_id === chatId && m.data.direction === 'in');
  const ids = created.map((m) => m.data.id);
  const dupes = ids.filter((id, i) => ids.indexOf(id) !== i);
  assert.deepEqual(dupes, [], 'no message.created twice');
  const later = (await db.query("SELECT id FROM rt.messages WHERE chat_id = $1 AND direction = 'in' AND id > $2 ORDER BY id", [chatId, lastBefore])).rows.map((x) => Number(x.id));
  assert.equal(later.length, TOTAL - PHASE1);
  assert.deepEqual([...ids].sort((a, b) => a - b), later, 'one message.created per message stored after the restart');
  // ... one outbox job and one Telegram reply per playbook hit.
  t.diagnostic(`pending at the kill ${pendingAtKill.length}, served and unconfirmed ${unconfirmed.length}, reclaimed ${reclaimed}, message.created ${ids.length}`);
  const jobs = await db.query(`SELECT count(*)::int n, count(DISTINCT payload->>'reply_to_message_id')::int d FROM rt.outbox
                                WHERE kind = 'telegram.send' AND payload->>'chat_id' = $1::text`, [chatId]);
  assert.deepEqual(jobs.rows[0], { n: TOTAL / HIT_EVERY, d: TOTAL / HIT_EVERY }, 'one telegram.send job per hit');
  const replyTo = pongs().map((s) => JSON.stringify(s.params.reply_parameters ?? s.params.reply_to_message_id));
  assert.equal(replyTo.length, TOTAL / HIT_EVERY, 'one reply sent per hit');
  assert.equal(new Set(replyTo).size, TOTAL / HIT_EVERY, 'every reply to a different message');

  await request(second.url, 'DELETE', `/api/playbooks/${pb.json.id}`, { cookie: s2.cookie, csrf: s2.csrf });
  await ws.close(); ws = null;
  const stop = await second.stop();
  assert.deepEqual(stop, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${second.logPath})`);
});
