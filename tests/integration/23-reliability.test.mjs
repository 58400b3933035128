// Delivery survives crashes (ARCHITECTURE.md "a crash at any line loses nothing";
// contract-delivery.md; decision 010): rt-edge SIGKILLed three times during 2,000 auto-replies in
// 100 chats under scripted LLM and Telegram faults → every reply reaches Telegram, duplicates ≤
// kills, each next to a kill, dead letters exactly for the permanent failures; Redis SIGKILLed
// and PostgreSQL restarted mid-run → nothing lost, nothing doubled; two rt-edge processes on one stack → no duplicate
// sends, one poller (lease {rt}:tg:poller), the other takes over polling after SIGKILL of the
// poller; a chat never gets more than one message a second (one edge or two).
// Each test runs on a Redis of its own (durable like the stack's: appendfsync always), so its
// streams and the poller lease start empty and killing Redis disturbs no other suite.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm, DEFAULT_KEY } from '../fakes/llm.mjs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startEdge, pgSuper, uniqueId, stackEnv, freePort, ROOT } from '../lib/stack.mjs';
import { request, waitFor, sleep } from '../lib/http.mjs';
import { uniq } from '../lib/api.mjs';
import { fernetEncrypt } from '../lib/fernet.mjs';
import { ownRedis, ask, repliesWith, PRICES } from '../lib/delivery.mjs';

const nowT = () => performance.timeOrigin + performance.now();
const BASE_ENV = {
  RT_JOB_CLAIM_IDLE_MS: '2000',
  RT_INGEST_CLAIM_IDLE_MS: '2000',
  RT_OUTBOX_SWEEP_MS: '1000',
  RT_OUTBOX_STALE_SEC: '60',
};

let tg; let llm; let db; let providerId;
let edges = []; let redises = [];
before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, chunks: 3, chunkDelayMs: 30 });
  db = await pgSuper();
  // Through the SQL door, with a token made by a standard Fernet implementation: the edge must
  // decrypt it (Python cryptography.fernet compatible).
  const { rows } = await db.query('SELECT rt.create_provider($1::jsonb) AS p', [JSON.stringify({
    name: `reliability-${uniq()}`, type: 'openai_compatible', base_url: `${llm.url}/v1`, model_id: 'gpt-4o-mini',
    enabled: true, position: 900, prices: PRICES, api_key_enc: fernetEncrypt(DEFAULT_KEY, stackEnv().SECRETS_KEY),
    api_key_hint: `sk-…${DEFAULT_KEY.slice(-4)}` })]);
  providerId = Number(rows[0].p.id);
});
/** Stops this test's edges (SIGTERM; a clean exit is asserted) and Redis servers. */
async function cleanup() {
  const errors = [];
  const [es, rs] = [edges, redises];
  edges = []; redises = [];
  for (const e of es) {
    try {
      const alive = e.alive();
      const exit = await e.stop();
      if (alive) assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${e.logPath})`);
    } catch (err) { errors.push(err); }
  }
  for (const r of rs) { try { await r.stop(); } catch (err) { errors.push(err); } }
  if (errors.length) throw errors[0];
}

/** Runs a test body, then always cleans up its edges and Redis. */
const isolated = (fn) => async (t) => { try { await fn(t); } finally { await cleanup(); } };

after(async () => {
  const errors = [];
  try { await cleanup(); } catch (err) { errors.push(err); }
  if (providerId) await db.query('SELECT rt.delete_provider($1)', [providerId]).catch(() => {});
  await db?.end();
  await tg?.close();
  await llm?.close();
  if (errors.length) throw errors[0];
});

async function newRedis(name) {
  const r = await ownRedis(name);
  redises.push(r);
  return r;
}

/** Starts an edge on the given Redis; `via` names it in the fake Telegram's records. */
async function edgeOn(redis, { name, via = name, port, env = {} } = {}) {
  const e = await startEdge({ name, port, telegram: tg, resetOffset: false,
    env: { ...BASE_ENV, REDIS_URL: redis.url, TELEGRAM_API_BASE: `${tg.url}/${via}`, ...env } });
  edges.push(e);
  return e;
}

/** n private chats with one stored message each, auto-reply on with the suite's provider. */
async function openChats(n) {
  const chats = Array.from({ length: n }, () => uniqueId());
  for (const chatId of chats) ask(tg, { chatId, text: 'hello' });
  await waitFor(async () => (await db.query('SELECT count(*)::int n FROM rt.chats WHERE id = ANY($1)', [chats])).rows[0].n === n,
    { timeoutMs: 60000, what: `${n} chats stored` });
  for (const chatId of chats) {
    await db.query('SELECT rt.update_chat($1, $2::jsonb)', [chatId, JSON.stringify({ autoreply: true, provider_id: providerId })]);
  }
  return chats;
}

/** Asks `rounds` questions in every chat, one round every roundMs; returns [{chatId, q}]. */
async function askRounds(chats, rounds, roundMs, asked = [], label = 'rel') {
  for (let r = 0; r < rounds; r++) {
    for (const chatId of chats) {
      const q = `${label} ${chatId} #${asked.length}#`;
      ask(tg, { chatId, text: q });
      asked.push({ chatId, q });
    }
    await sleep(roundMs);
  }
  return asked;
}

/** How often each text was sent with sendMessage, counted in one pass over the fake's records
 * (the fake shares this process: a quadratic scan while polling would stall its answers and
 * widen the very window the kill tests measure). */
function sendCounts() {
  const counts = new Map();
  for (const s of tg.sent) {
    if (s.method !== 'sendMessage') continue;
    const key = `${s.chat_id} ${s.params.text}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}
const sendsOf = (counts, { chatId, q }) => counts.get(`${chatId} Echo: ${q}`) ?? 0;
const answered = (asked) => { const c = sendCounts(); return asked.filter((a) => sendsOf(c, a) > 0).length; };

/** Every question answered (at least once), then the duplicates: [{chatId, q, n, first}] with n > 1. */
async function allAnswered(asked, timeoutMs) {
  await waitFor(() => answered(asked) === asked.length,
    { timeoutMs, intervalMs: 250, what: `all ${asked.length} replies (have ${answered(asked)})` });
  await sleep(3000); // a late duplicate would land now
  const dups = [];
  for (const { chatId, q } of asked) {
    const sends = repliesWith(tg, chatId, q);
    for (const s of sends) assert.equal(s.params.text, `Echo: ${q}`, 'the reply is the model\'s text');
    if (sends.length > 1) dups.push({ chatId, q, n: sends.length, first: sends[0].t });
  }
  return dups;
}

test('2,000 auto-replies under scripted faults, rt-edge SIGKILLed three times: none lost, duplicates ≤ kills, dead letters only for the permanent failures', { timeout: 420000 }, isolated(async (t) => {
  const redis = await newRedis('rel-kill');
  const port = await freePort();
  let edge = await edgeOn(redis, { name: 'rel-kill-1', via: 'kill', port });
  const chats = await openChats(100);
  // Scripted faults: every 50th question fails once with a 500 (retried), every 200th is refused
  // for good (400: dead at once); Telegram answers some sends with 429 retry_after and 502.
  const flaky = (i) => i % 50 === 7;
  const permanent = (i) => i % 200 === 13;
  const asked = [];
  const total = 2000;
  const entries = [];
  for (let i = 0; i < total; i++) {
    if (permanent(i)) entries.push({ match: `#${i}#PERM`, status: 400, times: 10 });
    else if (flaky(i)) entries.push({ match: `#${i}#`, status: 500 });
  }
  llm.script(entries);
  tg.fail({ mode: '429', count: 3, methods: ['sendMessage'], retry_after: 1 });
  tg.fail({ mode: '502', count: 3, methods: ['sendMessage'] });
  const pushing = (async () => {
    for (let r = 0; r < total / chats.length; r++) {
      for (const chatId of chats) {
        const i = asked.length;
        const q = `rel ${chatId} #${i}#${permanent(i) ? 'PERM' : ''}`;
        ask(tg, { chatId, text: q });
        asked.push({ chatId, q, i });
      }
      await sleep(1000);
    }
  })();
  const killTimes = [];
  const answeredOk = () => { const c = sendCounts(); return asked.filter((a) => !permanent(a.i) && sendsOf(c, a) > 0).length; };
  for (const [i, frac] of [[2, 0.2], [3, 0.45], [4, 0.7]]) {
    await waitFor(() => answeredOk() >= total * 0.99 * frac, { timeoutMs: 200000, intervalMs: 100, what: `${frac * 100}% answered before kill ${i - 1}` });
    killTimes.push(nowT());
    const exit = await edge.kill();
    assert.equal(exit.signal, 'SIGKILL');
    edge = await edgeOn(redis, { name: `rel-kill-${i}`, via: 'kill', port });
  }
  await pushing;
  const ok = asked.filter((a) => !permanent(a.i));
  const dups = await allAnswered(ok, 240000);
  const extra = dups.reduce((n, d) => n + d.n - 1, 0);
  t.diagnostic(`${ok.length} replies, ${asked.length - ok.length} refused for good, ${killTimes.length} kills, ${extra} duplicate sends`);
  for (const d of dups) {
    t.diagnostic(`duplicate "${d.q}": ${repliesWith(tg, d.chatId, d.q).map((x) => `${Math.round(x.t - killTimes[0])}ms`).join(', ')} after kill 1 (kills at ${killTimes.map((k) => Math.round(k - killTimes[0])).join(', ')})`);
  }
  assert.ok(extra <= killTimes.length, `${extra} duplicate sends for ${killTimes.length} kills: ${JSON.stringify(dups)}`);
  for (const d of dups) {
    // the kill time is taken just before the signal: a send the dying process wrote a moment
    // later (the fake records it on arrival) still belongs to that kill
    assert.ok(killTimes.some((k) => d.first <= k + 250 && k - d.first < 5000), `duplicate of "${d.q}" not next to a kill (the one-HTTP-call window)`);
  }
  for (const a of asked.filter((x) => permanent(x.i))) assert.equal(repliesWith(tg, a.chatId, a.q).length, 0, 'a refused question is not answered');
  // The ledger: dead jobs are exactly the permanent failures, each with the provider's error.
  const { rows: dead } = await db.query(`
    SELECT m.text, o.last_error FROM rt.outbox o JOIN rt.messages m ON m.id = (o.payload->>'message_pk')::bigint
    WHERE o.dead_at IS NOT NULL AND (o.payload->>'chat_id')::bigint = ANY($1)`, [chats]);
  assert.deepEqual(dead.map((r) => r.text).sort(), asked.filter((a) => permanent(a.i)).map((a) => a.q).sort(),
    'dead letters for the scripted permanent failures and no others');
  assert.ok(dead.every((r) => /HTTP 400/.test(r.last_error)), JSON.stringify(dead));
  const { rows: [pending] } = await db.query(`
    SELECT count(*)::int AS n FROM rt.outbox WHERE done_at IS NULL AND dead_at IS NULL AND (payload->>'chat_id')::bigint = ANY($1)`, [chats]);
  assert.equal(pending.n, 0, 'every job is done or dead');
  assert.ok(edge.alive());
}));

test('PostgreSQL restarted mid-run: nothing lost, nothing sent twice', { timeout: 180000 }, isolated(async () => {
  const redis = await newRedis('rel-pg');
  const edge = await edgeOn(redis, { name: 'rel-pg', via: 'pg' });
  const chats = await openChats(6);
  const asked = [];
  const pushing = askRounds(chats, 8, 1000, asked, 'pgr');
  await waitFor(() => answered(asked) >= 12, { timeoutMs: 60000, intervalMs: 50, what: '12 replies before the restart' });
  await db.end().catch(() => {});
  execFileSync(path.join(ROOT, 'scripts/stack.sh'), ['restart-pg'], { stdio: 'inherit' });
  db = await pgSuper();
  await pushing;
  const dups = await allAnswered(asked, 120000);
  assert.deepEqual(dups, [], 'a PostgreSQL restart causes no duplicate send');
  await waitFor(async () => (await request(edge.url, 'GET', '/readyz')).status === 200, { timeoutMs: 30000, what: '/readyz 200 again' });
  assert.ok(edge.alive(), 'rt-edge survived the restart');
}));

test('SIGKILL Redis mid-run and restart it: nothing lost, nothing sent twice', { timeout: 180000 }, isolated(async () => {
  const redis = await newRedis('rel-redis');
  const edge = await edgeOn(redis, { name: 'rel-redis', via: 'redis' });
  const chats = await openChats(6);
  const asked = [];
  const pushing = askRounds(chats, 8, 1000, asked);
  await waitFor(() => answered(asked) >= 12, { timeoutMs: 60000, intervalMs: 50, what: '12 replies before the Redis kill' });
  await redis.kill();
  await waitFor(async () => (await request(edge.url, 'GET', '/readyz')).status === 503, { timeoutMs: 20000, what: '/readyz 503 without Redis' });
  await sleep(1500);
  await redis.start();
  await pushing;
  const dups = await allAnswered(asked, 120000);
  assert.deepEqual(dups, [], 'a Redis crash causes no duplicate send');
  await waitFor(async () => (await request(edge.url, 'GET', '/readyz')).status === 200, { timeoutMs: 20000, what: '/readyz 200 again' });
  assert.ok(edge.alive(), 'rt-edge survived the Redis crash');
  assert.equal(tg.state().pending, 0, 'every update confirmed to Telegram');
}));

test('a job running longer than RT_OUTBOX_STALE_SEC is not relayed to the other edge (the workers touch what they hold)', { timeout: 120000 }, isolated(async () => {
  const redis = await newRedis('rel-long');
  const env = { RT_OUTBOX_STALE_SEC: '2', RT_OUTBOX_SWEEP_MS: '300', RT_LLM_IDLE_TIMEOUT_MS: '5000' };
  await edgeOn(redis, { name: 'rel-long-a', via: 'long-a', env });
  await edgeOn(redis, { name: 'rel-long-b', via: 'long-b', env });
  const [chatId] = await openChats(1);
  const q = `slow answer ${chatId}`;
  llm.script([{ match: q, chunks: 8, chunkDelayMs: 1000 }]); // 8 s, four times the stale window
  ask(tg, { chatId, text: q });
  await waitFor(() => repliesWith(tg, chatId, q).length > 0, { timeoutMs: 60000, what: 'the slow reply' });
  await sleep(3000);
  assert.equal(llm.callsFor(q).length, 1, 'one model call: the sweeper did not hand the held job to the other edge');
  assert.equal(repliesWith(tg, chatId, q).length, 1, 'one reply');
}));

test('two rt-edge processes: no duplicate sends, one poller; after SIGKILL of the poller the other polls', { timeout: 240000 }, isolated(async () => {
  const redis = await newRedis('rel-two');
  const a = await edgeOn(redis, { name: 'rel-two-a', via: 'edge-a' });
  const b = await edgeOn(redis, { name: 'rel-two-b', via: 'edge-b' });
  const started = nowT();
  const chats = await openChats(10);
  const asked = await askRounds(chats, 6, 1000);
  const dups = await allAnswered(asked, 90000);
  assert.deepEqual(dups, [], 'two edges never send the same reply twice');

  const polls = () => tg.calls.filter((c) => c.method === 'getUpdates' && c.t >= started && (c.via === 'edge-a' || c.via === 'edge-b'));
  const pollers = new Set(polls().map((c) => c.via));
  assert.equal(pollers.size, 1, `exactly one edge polls getUpdates (saw ${[...pollers]})`);
  const [pollerVia] = pollers;
  const [poller, other, otherVia] = pollerVia === 'edge-a' ? [a, b, 'edge-b'] : [b, a, 'edge-a'];

  const killedAt = nowT();
  assert.equal((await poller.kill()).signal, 'SIGKILL');
  const more = await askRounds(chats, 2, 500, [], 'after-kill');
  const takeover = await waitFor(() => polls().find((c) => c.via === otherVia && c.t > killedAt),
    { timeoutMs: 45000, what: `${otherVia} takes over polling` });
  const dups2 = await allAnswered(more, 90000);
  assert.ok(dups2.length <= 1, `at most the one in-flight send repeats after the kill: ${JSON.stringify(dups2)}`);
  assert.ok(polls().filter((c) => c.t > takeover.t).every((c) => c.via === otherVia), 'only the survivor polls');
  assert.ok(other.alive());
}));

// RT_TG_RATE_CHAT=1: consecutive sendMessage calls to one chat at least a second apart, less
// 100 ms for the jitter between the edge's clock and the moment the fake sees the request.
const MIN_GAP_MS = 900;
const minGap = (chatIds) => Math.min(...chatIds.map((c) => tg.minGapMs(c)));

test('per-chat rate: a burst of questions is answered at most one message per second per chat', { timeout: 120000 }, isolated(async () => {
  const redis = await newRedis('rel-rate');
  await edgeOn(redis, { name: 'rel-rate', via: 'rate' });
  const chats = await openChats(3);
  const asked = [];
  for (let i = 0; i < 5; i++) for (const chatId of chats) { const q = `burst ${chatId} #${i}#`; ask(tg, { chatId, text: q }); asked.push({ chatId, q }); }
  const dups = await allAnswered(asked, 60000);
  assert.deepEqual(dups, []);
  const gap = minGap(chats);
  assert.ok(gap >= MIN_GAP_MS, `two messages to one chat ${Math.round(gap)} ms apart`);
}));

test('per-chat rate holds across two edges (Telegram limits the bot, not the process)', { timeout: 120000 }, isolated(async () => {
  const redis = await newRedis('rel-rate2');
  await edgeOn(redis, { name: 'rel-rate2-a', via: 'rate2-a' });
  await edgeOn(redis, { name: 'rel-rate2-b', via: 'rate2-b' });
  const chats = await openChats(3);
  const asked = [];
  for (let i = 0; i < 6; i++) for (const chatId of chats) { const q = `burst2 ${chatId} #${i}#`; ask(tg, { chatId, text: q }); asked.push({ chatId, q }); }
  const dups = await allAnswered(asked, 60000);
  assert.deepEqual(dups, []);
  const gap = minGap(chats);
  assert.ok(gap >= MIN_GAP_MS, `two messages to one chat ${Math.round(gap)} ms apart`);
}));
