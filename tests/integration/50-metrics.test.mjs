// GET /metrics (issue 10, docs/metrics.md, the metric names of docs/design/contract-ship.md):
// Prometheus text exposition 0.0.4, read by a strict parser (tests/lib/exposition.mjs), every
// answer validated against openapi.yaml. Auth: the bearer RT_METRICS_TOKEN or an admin session of
// any role, else 401 problem+json; a session that ended, or whose admin was disabled or lost the
// role, is refused at once; the token is in no log line nor answer. The counters move with what
// the edge does, driven through the fakes: updates ingested, a model reply (requests, tokens, cost,
// durations), a Telegram 429, a WebSocket client, a poison update dead-lettered, PostgreSQL pool
// waits, REST answers; the stream gauges cover every stream and group; a scrape is answered from
// the last values read while PostgreSQL is blocked instead of waiting for it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { request, login, openWs, waitFor } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, client, uniq } from '../lib/api.mjs';
import { createFakeProvider, openChat, ask, waitReply, incomingPk, botAnswer, ownRedis } from '../lib/delivery.mjs';
import { parseExposition, sample } from '../lib/exposition.mjs';

const TOKEN = `mt-${crypto.randomBytes(24).toString('hex')}`;
const WRONG = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('0') ? '1' : '0'}`; // differs in the last byte
const ENV = { RT_METRICS_TOKEN: TOKEN, RT_OUTBOX_SWEEP_MS: '1000', RT_JOB_CLAIM_IDLE_MS: '3000', RT_INGEST_MAX_DELIVERIES: '2',
  RT_PG_API_POOL: '2', RT_LLM_FIRST_TOKEN_TIMEOUT_MS: '3000' };
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

let tg; let llm; let edge; let as; let db; let provider;
before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, chunks: 4, chunkDelayMs: 20 });
  edge = await startEdge({ name: 'metrics', telegram: tg, env: ENV });
  as = await roleClients(edge.url, ['admin', 'viewer']);
  db = await pgSuper();
  provider = await createFakeProvider(as.owner, llm);
});
after(async () => {
  if (provider && edge?.alive()) await as.owner.send('DELETE', `/api/providers/${provider.id}`);
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  await llm?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** One scrape with the token: the answer validated by the spec and parsed strictly. */
async function scrape(base = edge.url) {
  const res = await request(base, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 200, res.text);
  assert.equal(res.headers['content-type'], CONTENT_TYPE);
  assertResponse('getMetrics', res);
  return parseExposition(res.text);
}
const value = async (family, labels = {}, sampleName = family) => sample(await scrape(), family, labels, sampleName) ?? 0;

test('auth: 401 without credentials, with a wrong, longer, shorter or non-Bearer token; 200 with the token and with a session of any role', { timeout: 30000 }, async () => {
  for (const headers of [{}, { authorization: `Bearer ${WRONG}` }, { authorization: `Bearer ${TOKEN}x` }, { authorization: `Bearer ${TOKEN.slice(0, 10)}` },
    { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` }, { authorization: TOKEN }, { authorization: 'Bearer ' }]) {
    const res = await request(edge.url, 'GET', '/metrics', { headers });
    assertProblem(res, 401);
    assertResponse('getMetrics', res);
    assert.match(res.json.detail, /bearer token \(RT_METRICS_TOKEN\) or an admin session/);
    assert.ok(!res.text.includes(TOKEN) && !res.text.includes(WRONG), 'no token in the answer');
  }
  // a wrong token with a valid session cookie: the credential sent decides
  const both = await request(edge.url, 'GET', '/metrics', { cookie: as.owner.session.cookie, headers: { authorization: `Bearer ${WRONG}` } });
  assertProblem(both, 401);
  // a cookie that names no session
  const bogus = await request(edge.url, 'GET', '/metrics', { cookie: `rt_session=${'a'.repeat(64)}` });
  assertProblem(bogus, 401);

  const families = await scrape();
  assert.equal(sample(families, 'rt_build_info', { version: '0.5.0' }), 1);
  for (const who of ['viewer', 'admin', 'owner']) {
    const res = await as[who].get('/metrics');
    assert.equal(res.status, 200, `${who}: ${res.text}`);
    assert.equal(res.headers['content-type'], CONTENT_TYPE);
    parseExposition(res.text);
  }
  // HEAD answers like GET, without a body
  const head = await request(edge.url, 'HEAD', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  // only GET and HEAD
  const post = await request(edge.url, 'POST', '/metrics', { headers: { authorization: `Bearer ${TOKEN}` } });
  assertProblem(post, 405);
});

test('a session that ended, or whose admin was disabled or changed role, is refused at once', { timeout: 30000 }, async () => {
  const db2 = await pgSuper();
  try {
    const mk = async () => {
      const name = `it-metrics-${uniq()}`; const password = `pw-${uniq()}-${uniq()}`;
      const id = Number((await db2.query('SELECT rt.create_admin($1, $2, $3) ->> \'id\' AS id', [name, password, 'viewer'])).rows[0].id);
      return { id, api: client(edge.url, await login(edge.url, name, password)) };
    };
    // logout
    const a = await mk();
    assert.equal((await a.api.get('/metrics')).status, 200);
    assert.equal((await a.api.send('POST', '/api/auth/logout')).status, 204);
    assertProblem(await a.api.get('/metrics'), 401);
    // disabled by the owner: no waiting for the journal, the database refuses the stale session
    const b = await mk();
    assert.equal((await b.api.get('/metrics')).status, 200);
    const dis = await as.owner.send('PATCH', `/api/admins/${b.id}`, { disabled: true });
    assert.equal(dis.status, 200, dis.text);
    assertProblem(await b.api.get('/metrics'), 401);
    // a role change ends the sessions made before it, like every route's
    const c = await mk();
    assert.equal((await c.api.get('/metrics')).status, 200);
    const promo = await as.owner.send('PATCH', `/api/admins/${c.id}`, { role: 'moderator' });
    assert.equal(promo.status, 200, promo.text);
    assertProblem(await c.api.get('/metrics'), 401);
  } finally {
    await db2.end();
  }
});

test('the token never reaches the log; /metrics skips the Host check (a scraper uses the pod IP), the API does not', { timeout: 30000 }, async () => {
  await request(edge.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${WRONG}` } });
  await scrape();
  const log = edge.log();
  assert.ok(!log.includes(TOKEN), 'RT_METRICS_TOKEN in the log');
  assert.ok(!log.includes(WRONG), 'a wrong token in the log');
  assert.match(log, /"metrics_token":"\[redacted\]"/, 'the configuration line says a token is set, redacted');

  const named = await startEdge({ name: 'metrics-hosts', env: { RT_METRICS_TOKEN: TOKEN, RT_HTTP_HOSTS: 'console.example' } });
  try {
    const res = await request(named.url, 'GET', '/metrics', { headers: { authorization: `Bearer ${TOKEN}`, host: '10.1.2.3:8080' } });
    assert.equal(res.status, 200, res.text);
    const noToken = await request(named.url, 'GET', '/metrics', { headers: { host: '10.1.2.3:8080' } });
    assertProblem(noToken, 401);
    const api = await request(named.url, 'GET', '/api/auth/me', { headers: { host: '10.1.2.3:8080' } });
    assert.equal(api.status, 421, 'the API keeps its Host check');
  } finally {
    assert.deepEqual(await named.stop(), { code: 0, signal: null });
  }
});

test('every metric of the contract is exposed with HELP and TYPE, and the stream gauges cover every stream and group', { timeout: 30000 }, async () => {
  const want = {
    rt_build_info: 'gauge', rt_updates_ingested_total: 'counter', rt_stream_length: 'gauge', rt_stream_pending: 'gauge',
    rt_stream_lag: 'gauge', rt_outbox_backlog: 'gauge', rt_dead_letters_total: 'counter', rt_llm_requests_total: 'counter',
    rt_llm_request_duration_seconds: 'histogram', rt_llm_first_token_seconds: 'histogram', rt_llm_tokens_total: 'counter',
    rt_llm_cost_usd_total: 'counter', rt_telegram_requests_total: 'counter', rt_telegram_429_total: 'counter',
    rt_ws_clients: 'gauge', rt_pg_pool_waits_total: 'counter', rt_pg_pool_wait_seconds: 'histogram', rt_pg_pool_in_use: 'gauge',
    rt_http_requests_total: 'counter',
  };
  const f = await scrape();
  for (const [name, type] of Object.entries(want)) {
    assert.ok(f.has(name), `${name} exposed`);
    assert.equal(f.get(name).type, type, `${name} is a ${type}`);
    assert.ok(f.get(name).help?.length > 10, `${name} has a HELP text`);
  }
  for (const stream of ['{rt}:in', '{rt}:llm', '{rt}:send', '{rt}:dead']) {
    assert.ok(sample(f, 'rt_stream_length', { stream }) >= 0, `rt_stream_length{stream="${stream}"}`);
  }
  for (const [stream, group] of [['{rt}:in', 'ingest'], ['{rt}:llm', 'llm'], ['{rt}:send', 'send']]) {
    assert.ok(sample(f, 'rt_stream_pending', { stream, group }) >= 0, `rt_stream_pending{stream="${stream}",group="${group}"}`);
    assert.ok(sample(f, 'rt_stream_lag', { stream, group }) >= 0, `rt_stream_lag{stream="${stream}",group="${group}"}`);
  }
  for (const pool of ['api', 'ingest', 'worker', 'send']) assert.ok(sample(f, 'rt_pg_pool_in_use', { pool }) >= 0, `pool ${pool}`);
  // the gauges say what Redis and PostgreSQL hold (read within about a second)
  const { default: Redis } = await import('ioredis');
  const { stackEnv } = await import('../lib/stack.mjs');
  const r = new Redis(stackEnv().REDIS_URL);
  try {
    await waitFor(async () => {
      const g = await scrape();
      return sample(g, 'rt_stream_length', { stream: '{rt}:in' }) === await r.xlen('{rt}:in') &&
        sample(g, 'rt_outbox_backlog') === Number((await db.query('SELECT count(*) n FROM rt.outbox WHERE done_at IS NULL AND dead_at IS NULL')).rows[0].n);
    }, { timeoutMs: 15000, intervalMs: 300, what: 'rt_stream_length{{rt}:in} = XLEN and rt_outbox_backlog = the pending jobs' });
  } finally {
    r.disconnect();
  }
});

test('N updates ingested → rt_updates_ingested_total grows by N', { timeout: 60000 }, async () => {
  const N = 7;
  const before0 = await value('rt_updates_ingested_total');
  const chatId = uniqueId();
  tg.push(Array.from({ length: N }, (_, i) => textUpdate({ chatId, text: `metrics ${i}`, messageId: tg.nextMessageId(chatId) })));
  await waitFor(async () => (await db.query('SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].n === N,
    { timeoutMs: 30000, what: `${N} messages stored` });
  await waitFor(async () => (await value('rt_updates_ingested_total')) === before0 + N, { timeoutMs: 10000, what: `rt_updates_ingested_total = ${before0} + ${N}` });
});

test('a model reply through the fake: requests{ok}, tokens, cost and both histograms move by that call', { timeout: 90000 }, async () => {
  const p = { provider: provider.name };
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const b = await scrape();
  const get = (f, fam, labels, name) => sample(f, fam, labels, name) ?? 0;
  const question = `metrics question ${chatId}`;
  const { messageId } = ask(tg, { chatId, text: question });
  const pk = await incomingPk(db, chatId, messageId);
  await waitReply(tg, chatId, question, { timeoutMs: 45000 });
  const { message } = await botAnswer(as.owner, chatId, pk);
  const [call] = llm.callsFor(question);
  assert.ok(call?.usage, 'the fake reported usage');
  let a;
  await waitFor(async () => { a = await scrape(); return get(a, 'rt_llm_requests_total', { ...p, outcome: 'ok' }) > get(b, 'rt_llm_requests_total', { ...p, outcome: 'ok' }); },
    { timeoutMs: 10000, what: 'rt_llm_requests_total{outcome="ok"} moved' });
  assert.equal(get(a, 'rt_llm_requests_total', { ...p, outcome: 'ok' }) - get(b, 'rt_llm_requests_total', { ...p, outcome: 'ok' }), 1);
  assert.equal(get(a, 'rt_llm_tokens_total', { ...p, kind: 'prompt' }) - get(b, 'rt_llm_tokens_total', { ...p, kind: 'prompt' }), call.usage.prompt_tokens);
  assert.equal(get(a, 'rt_llm_tokens_total', { ...p, kind: 'completion' }) - get(b, 'rt_llm_tokens_total', { ...p, kind: 'completion' }), call.usage.completion_tokens);
  const cost = get(a, 'rt_llm_cost_usd_total', p) - get(b, 'rt_llm_cost_usd_total', p);
  assert.ok(message.llm.cost > 0, 'the message has a cost');
  assert.ok(Math.abs(cost - message.llm.cost) < 1e-9, `cost counter moved by ${cost}, the message says ${message.llm.cost}`);
  for (const h of ['rt_llm_request_duration_seconds', 'rt_llm_first_token_seconds']) {
    assert.equal(get(a, h, p, `${h}_count`) - get(b, h, p, `${h}_count`), 1, `${h}_count`);
    assert.ok(get(a, h, p, `${h}_sum`) > get(b, h, p, `${h}_sum`), `${h}_sum grows`);
  }
  // the Bot API calls of the reply are counted by method and status
  assert.ok(get(a, 'rt_telegram_requests_total', { method: 'sendMessage', code: '200' }) > get(b, 'rt_telegram_requests_total', { method: 'sendMessage', code: '200' }));
  assert.ok(get(a, 'rt_telegram_requests_total', { method: 'getUpdates', code: '200' }) > 0, 'getUpdates counted');
});

test('a provider error and a first-token timeout are counted as outcome="error" and "timeout", each once', { timeout: 90000 }, async () => {
  const p = { provider: provider.name };
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const bErr = await value('rt_llm_requests_total', { ...p, outcome: 'error' });
  const bTimeout = await value('rt_llm_requests_total', { ...p, outcome: 'timeout' });
  const bDur = await value('rt_llm_request_duration_seconds', p, 'rt_llm_request_duration_seconds_count');
  // 401: a permanent error, the job dies after this one call
  const refused = `metrics refused ${chatId}`;
  llm.script([{ match: refused, status: 401 }]);
  ask(tg, { chatId, text: refused });
  await waitFor(async () => (await value('rt_llm_requests_total', { ...p, outcome: 'error' })) === bErr + 1,
    { timeoutMs: 30000, what: 'rt_llm_requests_total{outcome="error"} + 1' });
  // no token within RT_LLM_FIRST_TOKEN_TIMEOUT_MS: a timeout, then the retry answers
  const slow = `metrics slow ${chatId}`;
  llm.script([{ match: slow, stallMs: 8000 }]);
  ask(tg, { chatId, text: slow });
  await waitReply(tg, chatId, slow, { timeoutMs: 60000 });
  assert.equal(await value('rt_llm_requests_total', { ...p, outcome: 'timeout' }), bTimeout + 1);
  assert.equal(await value('rt_llm_requests_total', { ...p, outcome: 'error' }), bErr + 1);
  // every outcome's call is in the duration histogram: the error, the timeout and the answer
  assert.equal(await value('rt_llm_request_duration_seconds', p, 'rt_llm_request_duration_seconds_count'), bDur + 3);
});

test('a Telegram 429 from the fake → rt_telegram_429_total and the sendMessage code="429" series grow', { timeout: 90000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const b429 = await value('rt_telegram_429_total');
  const bSend = await value('rt_telegram_requests_total', { method: 'sendMessage', code: '429' });
  tg.fail({ mode: '429', retry_after: 1, methods: ['sendMessage'] });
  const question = `metrics flood ${chatId}`;
  ask(tg, { chatId, text: question });
  await waitReply(tg, chatId, question, { timeoutMs: 45000 });
  assert.ok(tg.calls.some((c) => c.method === 'sendMessage' && c.failed === '429'), 'the fake answered 429');
  const f = await scrape();
  assert.equal(sample(f, 'rt_telegram_429_total') - b429, 1);
  assert.equal(sample(f, 'rt_telegram_requests_total', { method: 'sendMessage', code: '429' }) - bSend, 1);
});

test('a WebSocket client: rt_ws_clients is 1 while it is open, then 0', { timeout: 30000 }, async () => {
  assert.equal(await value('rt_ws_clients'), 0);
  const ws = await openWs(edge.url, as.viewer.session.cookie);
  await ws.next((m) => m.type === 'hello');
  assert.equal(await value('rt_ws_clients'), 1);
  await ws.close();
  await waitFor(async () => (await value('rt_ws_clients')) === 0, { timeoutMs: 10000, what: 'rt_ws_clients back to 0' });
});

test('a poison update dead-lettered → rt_dead_letters_total{stream="{rt}:in"} grows by 1', { timeout: 90000 }, async () => {
  const before0 = await value('rt_dead_letters_total', { stream: '{rt}:in' });
  await db.query(`CREATE OR REPLACE FUNCTION public.rt_test_poison_50() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.text LIKE 'poison-50-%' THEN
        RAISE EXCEPTION 'test: out of memory for this update' USING ERRCODE = '53200';
      END IF;
      RETURN NEW;
    END $$`);
  await db.query('CREATE TRIGGER rt_test_poison_50 BEFORE INSERT ON rt.messages FOR EACH ROW EXECUTE FUNCTION public.rt_test_poison_50()');
  try {
    const chatId = uniqueId();
    tg.push([textUpdate({ chatId, text: `poison-50-${chatId}`, messageId: tg.nextMessageId(chatId) })]);
    await waitFor(async () => (await value('rt_dead_letters_total', { stream: '{rt}:in' })) === before0 + 1,
      { timeoutMs: 60000, intervalMs: 300, what: 'rt_dead_letters_total{stream="{rt}:in"} + 1' });
  } finally {
    await db.query('DROP TRIGGER IF EXISTS rt_test_poison_50 ON rt.messages');
    await db.query('DROP FUNCTION IF EXISTS public.rt_test_poison_50()');
  }
});

test('PostgreSQL pool waits: a burst on the API pool (2 connections) is counted, the histogram agrees; REST answers are counted by route', { timeout: 30000 }, async () => {
  const b = await scrape();
  const bMe = sample(b, 'rt_http_requests_total', { route: 'getMe', code: '200' }) ?? 0;
  const bWaits = sample(b, 'rt_pg_pool_waits_total', { pool: 'api' }) ?? 0;
  const burst = await Promise.all(Array.from({ length: 12 }, () => as.viewer.get('/api/auth/me')));
  for (const r of burst) assert.equal(r.status, 200, r.text);
  const a = await scrape();
  assert.equal(sample(a, 'rt_http_requests_total', { route: 'getMe', code: '200' }) - bMe, 12);
  const waits = sample(a, 'rt_pg_pool_waits_total', { pool: 'api' });
  assert.ok(waits > bWaits, `12 calls at once on 2 connections waited (${bWaits} → ${waits})`);
  assert.equal(sample(a, 'rt_pg_pool_wait_seconds', { pool: 'api' }, 'rt_pg_pool_wait_seconds_count'), waits, 'one observation per wait');
  assert.ok(sample(a, 'rt_http_requests_total', { route: 'metrics', code: '200' }) > 0, 'scrapes count as route "metrics"');
});

test('PostgreSQL blocked: a scrape is answered with the last backlog read instead of waiting, and the edge keeps answering', { timeout: 60000 }, async () => {
  const last = await value('rt_outbox_backlog');
  const locker = await pgSuper();
  try {
    await locker.query('BEGIN');
    await locker.query('LOCK TABLE rt.outbox IN ACCESS EXCLUSIVE MODE');
    // the snapshot ages past its second, so this scrape starts a read that cannot finish while the
    // lock is held; it must be answered all the same (before the lock goes)
    await new Promise((r) => setTimeout(r, 1500));
    for (let i = 0; i < 3; i++) {
      const f = await scrape();
      assert.equal(sample(f, 'rt_outbox_backlog'), last, 'the last value read is served');
      const h = await request(edge.url, 'GET', '/healthz');
      assert.equal(h.status, 200);
    }
  } finally {
    await locker.query('ROLLBACK').catch(() => {});
    await locker.end();
  }
});

test('Redis not answering (SIGSTOP): a scrape is answered with the last stream values read instead of waiting', { timeout: 60000 }, async () => {
  const redis = await ownRedis('metrics-redis');
  let own = null;
  try {
    own = await startEdge({ name: 'metrics-redis', env: { RT_METRICS_TOKEN: TOKEN, REDIS_URL: redis.url } });
    const first = await scrape(own.url);
    const len = sample(first, 'rt_stream_length', { stream: '{rt}:in' });
    assert.ok(len >= 0, '{rt}:in read while Redis answers');
    redis.proc.kill('SIGSTOP');
    try {
      // past the snapshot's second: each scrape starts a re-read that cannot finish
      await new Promise((r) => setTimeout(r, 1500));
      for (let i = 0; i < 3; i++) {
        const f = await scrape(own.url);
        assert.equal(sample(f, 'rt_stream_length', { stream: '{rt}:in' }), len, 'the last value read is served');
        assert.equal(sample(f, 'rt_stream_pending', { stream: '{rt}:in', group: 'ingest' }), sample(first, 'rt_stream_pending', { stream: '{rt}:in', group: 'ingest' }));
      }
    } finally {
      redis.proc.kill('SIGCONT');
    }
  } finally {
    const exit = own ? await own.stop() : { code: 0, signal: null };
    await redis.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${own?.logPath})`);
  }
});
