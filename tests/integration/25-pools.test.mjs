// Every wait is bounded (issue 6, "Queues" and ARCHITECTURE.md "Pools by role"): the REST API has
// its own pool with a bounded queue, so a flood of calls gets 503 at once instead of stalling
// everyone, and with PostgreSQL down a request answers 503 within seconds instead of hanging;
// when PostgreSQL is back the same edge serves again.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startEdge, ROOT } from '../lib/stack.mjs';
import { request, login, waitFor } from '../lib/http.mjs';
import { assertProblem, assertResponse } from '../lib/openapi.mjs';

const stack = (cmd) => execFileSync(path.join(ROOT, 'scripts/stack.sh'), [cmd], { stdio: 'inherit' });
const cleanups = [];
after(async () => {
  const errors = [];
  for (const c of cleanups.reverse()) { try { await c(); } catch (e) { errors.push(e); } }
  if (errors.length) throw errors[0];
});

test('a flood larger than the API queue gets 503 at once; none hangs; the edge serves after it', { timeout: 60000 }, async () => {
  const edge = await startEdge({ name: 'pool-flood', env: { RT_PG_API_POOL: '1', RT_PG_API_QUEUE: '4', RT_PG_QUEUE_TIMEOUT_MS: '2000' } });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const t0 = Date.now();
  // 60 searches at once: one connection, four waiting places.
  const results = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    request(edge.url, 'GET', `/api/messages?q=flood${i}&limit=50`, { cookie: s.cookie, timeout: 15000 })
      .then((r) => ({ ...r, ms: Date.now() - t0 }))));
  const busy = results.filter((r) => r.status === 503);
  const ok = results.filter((r) => r.status === 200);
  assert.ok(busy.length >= 40, `most of the flood is refused (${busy.length} × 503, ${ok.length} × 200)`);
  assert.ok(ok.length >= 1, 'the calls that got a place are answered');
  assert.equal(busy.length + ok.length, results.length, `only 200 or 503: ${[...new Set(results.map((r) => r.status))]}`);
  for (const r of busy) {
    assertProblem(r, 503);
    assertResponse('listMessages', r);
    assert.ok(r.headers['retry-after'], 'a 503 says when to come back');
  }
  assert.ok(Math.max(...results.map((r) => r.ms)) < 10000, 'no request waited beyond the queue deadline');
  const after = await request(edge.url, 'GET', '/api/chats?limit=5', { cookie: s.cookie });
  assert.equal(after.status, 200, after.text);
});

test('PostgreSQL down: a REST call answers 503 within seconds, /readyz says postgres down, and it recovers', { timeout: 120000 }, async () => {
  const edge = await startEdge({ name: 'pool-pg-down', env: { RT_PG_QUEUE_TIMEOUT_MS: '2000' } });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  stack('stop-pg');
  let restarted = false;
  cleanups.push(() => { if (!restarted) stack('start-pg'); });
  try {
    await waitFor(async () => (await request(edge.url, 'GET', '/readyz')).status === 503, { timeoutMs: 20000, what: '/readyz 503' });
    const ready = await request(edge.url, 'GET', '/readyz');
    assert.equal(ready.json.postgres, 'down');
    for (const [method, p, body] of [['GET', '/api/chats?limit=5'], ['GET', '/api/providers'],
      ['POST', '/api/simulator/messages', { chat_id: 42, text: 'while the database is down' }]]) {
      const t0 = Date.now();
      const r = await request(edge.url, method, p, { cookie: s.cookie, csrf: s.csrf, json: body, timeout: 30000 });
      const ms = Date.now() - t0;
      assertProblem(r, 503);
      assert.ok(ms < 6000, `${method} ${p} answered in ${ms} ms`);
    }
  } finally {
    stack('start-pg');
    restarted = true;
  }
  await waitFor(async () => (await request(edge.url, 'GET', '/readyz')).status === 200, { timeoutMs: 40000, what: '/readyz 200 again' });
  const back = await request(edge.url, 'GET', '/api/chats?limit=5', { cookie: s.cookie });
  assert.equal(back.status, 200, back.text);
});
