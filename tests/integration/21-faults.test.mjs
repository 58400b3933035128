// Delivery under faults (contract-delivery.md, decision 010): transient LLM failures (500, 429
// with Retry-After, a stalled stream past the idle or first-token timeout, a dropped connection,
// a malformed SSE line, a truncated stream) end in exactly one reply; a stream without usage is
// stored as estimated; failures that do not get better (a wrong key, Telegram's "blocked", a
// provider that keeps failing) make the job dead — listed in GET /api/jobs?state=dead, an admin
// notification, the message failed with the error — and an admin retries (after fixing the key)
// or discards it. Telegram's 429 retry_after is honoured and the message is sent once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm, DEFAULT_KEY } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { waitFor, sleep } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';
import { createFakeProvider, openChat, ask, waitReply, repliesWith, incomingPk, botAnswer } from '../lib/delivery.mjs';

const MAX = 3;
const IDLE_MS = 1500;
const FIRST_TOKEN_MS = 3000;
const ENV = {
  RT_JOB_MAX_DELIVERIES: String(MAX),
  RT_JOB_CLAIM_IDLE_MS: '2000',
  RT_OUTBOX_SWEEP_MS: '1000',
  RT_LLM_CONNECT_TIMEOUT_MS: '2000',
  RT_LLM_FIRST_TOKEN_TIMEOUT_MS: String(FIRST_TOKEN_MS),
  RT_LLM_IDLE_TIMEOUT_MS: String(IDLE_MS),
  RT_LLM_TOTAL_TIMEOUT_MS: '30000',
};
const WRONG_KEY = 'sk-wrong-secret-9f3a2c77';

let tg; let llm; let edge; let as; let db; let good; let bad;
before(async () => {
  tg = await startTelegram({ port: 0, strictReplies: true });
  llm = await startLlm({ port: 0, chunks: 4 });
  edge = await startEdge({ name: 'faults', telegram: tg, env: ENV });
  as = await roleClients(edge.url, ['viewer']);
  db = await pgSuper();
  good = await createFakeProvider(as.owner, llm);
  bad = await createFakeProvider(as.owner, llm, { api_key: WRONG_KEY });
});
after(async () => {
  tg?.clearFailures();
  if (edge?.alive()) for (const p of [good, bad]) if (p) await as.owner.send('DELETE', `/api/providers/${p.id}`);
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  await llm?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** A fresh private chat answered by `provider`, one question asked; returns what a test needs. */
async function askFresh(label, script, provider = good) {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const question = `${label} ${chatId}`;
  if (script) llm.script((Array.isArray(script) ? script : [script]).map((e) => ({ match: question, ...e })));
  const { messageId } = ask(tg, { chatId, text: question });
  return { chatId, question, messageId, pk: await incomingPk(db, chatId, messageId) };
}

/** Waits for the reply, lets late duplicates land, and checks it was sent exactly once. */
async function onlyOneReply(chatId, question, timeoutMs = 45000) {
  const sent = await waitReply(tg, chatId, question, { timeoutMs });
  await sleep(1500);
  assert.equal(repliesWith(tg, chatId, question).length, 1, 'exactly one reply reaches Telegram');
  return sent;
}

async function deadJob(kind, pred, timeoutMs = 45000) {
  let res;
  const job = await waitFor(async () => {
    res = await as.viewer.get(`/api/jobs?state=dead&kind=${kind}&limit=200`);
    return res.json?.items?.find(pred);
  }, { timeoutMs, intervalMs: 250, what: `a dead ${kind} job` });
  assertResponse('listJobs', res);
  return job;
}

async function notification(kind, jobId) {
  let res;
  const n = await waitFor(async () => {
    res = await as.viewer.get(`/api/notifications?kind=${kind}&limit=200`);
    return res.json?.items?.find((x) => Number(x.payload?.job_id) === jobId);
  }, { timeoutMs: 15000, what: `a ${kind} notification for job ${jobId}` });
  assertResponse('listNotifications', res);
  return n;
}

test('LLM 500 then success: retried, one reply', { timeout: 60000 }, async () => {
  const { chatId, question } = await askFresh('after a 500', { status: 500 });
  const sent = await onlyOneReply(chatId, question);
  const calls = llm.callsFor(question);
  assert.deepEqual(calls.map((c) => c.status), [500, 200]);
  assert.equal(sent.params.text, `Echo: ${question}`);
});

test('LLM 429 with Retry-After: the retry waits at least that long', { timeout: 60000 }, async (t) => {
  const { chatId, question } = await askFresh('rate limited', { status: 429, retryAfter: 4 });
  await onlyOneReply(chatId, question);
  const calls = llm.callsFor(question);
  assert.equal(calls.length, 2);
  assert.equal(calls[0].status, 429);
  const gap = calls[1].t - calls[0].t;
  t.diagnostic(`retried after ${Math.round(gap)} ms`);
  assert.ok(gap >= 3900, `retried ${Math.round(gap)} ms after a 429 with Retry-After: 4`);
});

test('a stream that stalls past RT_LLM_IDLE_TIMEOUT_MS is aborted and retried', { timeout: 60000 }, async (t) => {
  const { chatId, question } = await askFresh('stalls midway', { stallMs: 20000, stallAfterChunks: 1 });
  await onlyOneReply(chatId, question);
  const [first, second] = llm.callsFor(question);
  assert.equal(first.chunksSent, 1);
  assert.equal(first.aborted, true, 'the edge closed the stalled stream');
  const waited = first.closedAt - first.t;
  t.diagnostic(`stalled stream closed after ${Math.round(waited)} ms`);
  assert.ok(waited >= IDLE_MS - 300 && waited < IDLE_MS + 3000, `gave up after ${Math.round(waited)} ms (idle timeout ${IDLE_MS})`);
  assert.equal(second?.done, true, 'the retry streamed to the end');
});

test('no answer before RT_LLM_FIRST_TOKEN_TIMEOUT_MS: aborted and retried', { timeout: 60000 }, async (t) => {
  const { chatId, question } = await askFresh('silent server', { stallMs: 20000, stallBeforeHeaders: true });
  await onlyOneReply(chatId, question);
  const [first] = llm.callsFor(question);
  assert.equal(first.aborted, true);
  const waited = first.closedAt - first.t;
  t.diagnostic(`silent server dropped after ${Math.round(waited)} ms`);
  assert.ok(waited >= FIRST_TOKEN_MS - 300 && waited < FIRST_TOKEN_MS + 3000, `gave up after ${Math.round(waited)} ms (first-token timeout ${FIRST_TOKEN_MS})`);
});

test('a dropped connection is retried; one reply', { timeout: 60000 }, async () => {
  const { chatId, question } = await askFresh('dropped', { drop: true });
  await onlyOneReply(chatId, question);
  assert.ok(llm.callsFor(question).length >= 2);
});

// Decision 010: a malformed stream is a transient failure, recorded and retried; the retry's
// full text is the one reply (the bad call's partial text is never kept or sent).
test('a malformed SSE line: the call is failed and retried; one reply, the full text', { timeout: 60000 }, async () => {
  const { chatId, question } = await askFresh('malformed stream', { malformed: true });
  const sent = await onlyOneReply(chatId, question);
  const calls = llm.callsFor(question);
  assert.equal(calls.length, 2, `one malformed call, one retry (got ${calls.length})`);
  assert.equal(calls[0].entry?.malformed, true);
  assert.equal(sent.params.text, `Echo: ${question}`);
  assert.ok(edge.alive());
});

// Decision 010: a connection that breaks mid-stream is a transient failure (connection), recorded
// and retried; the partial text is never kept or sent, and the one reply is the retry's full text
// with the usage that call reported. (A stream that ends cleanly without finish/[DONE] is the
// case edge_llm.c keeps with estimated usage; that is not what this fault does.)
test('a truncated stream (socket cut: no finish, no usage, no [DONE]): failed and retried; one reply, the full text', { timeout: 60000 }, async () => {
  const { chatId, question, pk } = await askFresh('cut short', { truncateAfter: 2 });
  const sent = await onlyOneReply(chatId, question);
  const { message } = await botAnswer(as.owner, chatId, pk);
  const calls = llm.callsFor(question);
  assert.equal(calls.length, 2, `one cut call, one retry (calls ${calls.length})`);
  assert.equal(calls[0].truncated, true);
  assert.equal(message.text, `Echo: ${question}`);
  assert.equal(sent.params.text, `Echo: ${question}`);
  assert.equal(message.llm.estimated, false, 'usage as the complete call reported it');
});

test('a complete stream without usage: stored once, usage estimated', { timeout: 60000 }, async () => {
  const { chatId, question, pk } = await askFresh('no usage given', { noUsage: true });
  await onlyOneReply(chatId, question);
  const { message } = await botAnswer(as.owner, chatId, pk);
  assert.equal(llm.callsFor(question).length, 1, 'nothing to retry');
  assert.equal(message.llm.estimated, true);
  assert.ok(message.llm.tokens_in > 0 && message.llm.tokens_out > 0, 'estimated counts are filled in');
});

test('LLM failing every time: dead after RT_JOB_MAX_DELIVERIES attempts, an error notification', { timeout: 90000 }, async () => {
  const { chatId, question } = await askFresh('always 500', { status: 500, times: 20 });
  const job = await deadJob('llm.reply', (j) => j.chat_id === chatId, 60000);
  assert.equal(job.state, 'dead');
  assert.ok(job.dead_at && job.last_error, 'dead_at and last_error set');
  const calls = llm.callsFor(question).length;
  assert.ok(calls >= 2 && calls <= MAX, `retried, but no more than ${MAX} times (${calls} calls)`);
  assert.ok(job.attempts >= 2 && job.attempts <= MAX, `attempts ${job.attempts}`);
  await notification('error', job.id);
  await sleep(2500);
  assert.equal(llm.callsFor(question).length, calls, 'a dead job is left alone');
  assert.equal(repliesWith(tg, chatId, question).length, 0);
});

test('a wrong API key: dead (no endless retries), notified; fixed key + retry → delivered; retry of a done job → 400', { timeout: 90000 }, async () => {
  const { chatId, question } = await askFresh('wrong key', null, bad);
  const job = await deadJob('llm.reply', (j) => j.chat_id === chatId);
  const calls = llm.callsFor(question);
  assert.ok(calls.length >= 1 && calls.length <= MAX, `${calls.length} calls`);
  assert.ok(calls.every((c) => c.auth === 'bad' && c.status === 401));
  assert.match(job.last_error, /401|api key|auth/i);
  const n = await notification('error', job.id);
  for (const text of [JSON.stringify(job), JSON.stringify(n)]) assert.ok(!text.includes(WRONG_KEY), 'the key never shows in errors');
  assert.equal(n.chat_id, chatId);

  const viewerRetry = await as.viewer.send('POST', `/api/jobs/${job.id}/retry`);
  assertProblem(viewerRetry, 403);
  const fix = await as.owner.send('PUT', `/api/providers/${bad.id}`, { api_key: DEFAULT_KEY });
  assert.equal(fix.status, 200, fix.text);
  assertResponse('updateProvider', fix);
  const retry = await as.owner.send('POST', `/api/jobs/${job.id}/retry`);
  assert.equal(retry.status, 200, retry.text);
  assertResponse('retryJob', retry);
  assert.equal(retry.json.state, 'pending');
  assert.equal(retry.json.attempts, 0);
  assert.equal(retry.json.dead_at, null);

  await onlyOneReply(chatId, question);
  const doneJob = await waitFor(async () => {
    const r = await as.viewer.get('/api/jobs?state=done&kind=llm.reply&limit=200');
    return r.json?.items?.find((j) => j.id === job.id);
  }, { what: 'the retried job done' });
  assert.equal(doneJob.state, 'done');
  assert.equal(llm.callsFor(question).at(-1).auth, 'ok');
  const again = await as.owner.send('POST', `/api/jobs/${job.id}/retry`);
  assertProblem(again, 400);
  assertResponse('retryJob', again);
  const missing = await as.owner.send('POST', '/api/jobs/999999999999/retry');
  assertProblem(missing, 404);
});

test('Telegram "blocked by the user": the message fails with the error; discard finishes the job', { timeout: 60000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), autoreply: false });
  tg.fail({ mode: 'blocked', methods: ['sendMessage'], count: MAX + 2 });
  try {
    const text = `this will bounce ${chatId}`;
    const q = await as.owner.send('POST', '/api/messages', { chat_id: chatId, text, as: 'bot' });
    assert.equal(q.status, 202, q.text);
    const failed = await waitFor(async () => {
      const r = await as.viewer.get(`/api/messages?chat_id=${chatId}`);
      const m = r.json.items.find((x) => x.id === q.json.id);
      return m?.status === 'failed' && m;
    }, { timeoutMs: 45000, what: 'the message failed' });
    assert.match(failed.error ?? '', /blocked/i, 'the error says why');
    assert.equal(failed.message_id, null);
    const job = await deadJob('telegram.send', (j) => j.message_pk === q.json.id);
    assert.match(job.last_error, /blocked/i);
    await notification('delivery_failed', job.id);
    assert.equal(repliesWith(tg, chatId, text).length, 0);

    const discard = await as.owner.send('POST', `/api/jobs/${job.id}/discard`);
    assert.equal(discard.status, 200, discard.text);
    assertResponse('discardJob', discard);
    assert.equal(discard.json.state, 'discarded');
    const dead = await as.viewer.get('/api/jobs?state=dead&kind=telegram.send&limit=200');
    assert.ok(!dead.json.items.some((j) => j.id === job.id), 'no longer a dead letter');
    assertProblem(await as.owner.send('POST', `/api/jobs/${job.id}/discard`), 400);
    assertProblem(await as.owner.send('POST', `/api/jobs/${job.id}/retry`), 400);
  } finally {
    tg.clearFailures();
  }
});

test('Telegram 429 retry_after on sendMessage: waits, then sent once', { timeout: 60000 }, async (t) => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: good.id });
  tg.fail({ mode: '429', retry_after: 3, methods: ['sendMessage'] });
  const question = `telegram says slow down ${chatId}`;
  const { messageId } = ask(tg, { chatId, text: question });
  const pk = await incomingPk(db, chatId, messageId);
  const sent = await onlyOneReply(chatId, question);
  const limited = tg.calls.find((c) => c.method === 'sendMessage' && c.chat_id === chatId && c.failed === '429');
  assert.ok(limited, 'the first sendMessage got the 429');
  t.diagnostic(`sent ${Math.round(sent.t - limited.t)} ms after the 429`);
  assert.ok(sent.t - limited.t >= 2900, `sent ${Math.round(sent.t - limited.t)} ms after "retry after 3"`);
  const { message } = await botAnswer(as.owner, chatId, pk);
  assert.equal(message.message_id, sent.result.message_id);
});

test('Telegram 5xx and a dropped connection on sendMessage are retried; sent once', { timeout: 60000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: good.id });
  tg.fail({ mode: '502', methods: ['sendMessage'] });
  tg.fail({ mode: 'drop', methods: ['sendMessage'] });
  const question = `flaky telegram ${chatId}`;
  ask(tg, { chatId, text: question });
  await onlyOneReply(chatId, question);
  const attempts = tg.calls.filter((c) => c.method === 'sendMessage' && c.chat_id === chatId);
  assert.deepEqual(attempts.map((c) => c.failed ?? 'ok'), ['502', 'drop', 'ok']);
});
