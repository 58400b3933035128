// (h) the simulator route feeds {rt}:in when no token is configured, and answers 409 when one is;
// /readyz turns 503 naming Redis when Redis goes away, and recovers when it is back.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, freePort, stackEnv, uniqueId } from '../lib/stack.mjs';
import { request, login, openWs, waitFor, sleep } from '../lib/http.mjs';
import { assertResponse, assertProblem, assertSchema } from '../lib/openapi.mjs';

const cleanups = [];
after(async () => {
  // Every cleanup runs even when one fails, so no server is left holding the process open.
  const errors = [];
  for (const c of cleanups.reverse()) { try { await c(); } catch (e) { errors.push(e); } }
  if (errors.length) throw errors[0];
});

test('simulator without a token: 202, the message arrives over WS and in the list', { timeout: 60000 }, async () => {
  const edge = await startEdge({ name: 'simulator' });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const ws = await openWs(edge.url, s.cookie);
  cleanups.push(() => ws.close());
  await ws.next((m) => m.type === 'hello');
  const chatId = uniqueId();

  const noCsrf = await request(edge.url, 'POST', '/api/simulator/messages', { cookie: s.cookie, json: { chat_id: chatId, text: 'x' } });
  assertProblem(noCsrf, 403);
  assertResponse('simulateMessage', noCsrf);

  for (const [json, field] of [[{ chat_id: chatId }, 'text'], [{ chat_id: 'abc', text: 'x' }, 'chat_id'],
    [{ chat_id: chatId, text: 'x', evil: 1 }, 'evil'], [{ chat_id: chatId, text: 'x'.repeat(4097) }, 'text'], [{ chat_id: chatId, text: '' }, 'text']]) {
    const bad = await request(edge.url, 'POST', '/api/simulator/messages', { cookie: s.cookie, csrf: s.csrf, json });
    assertProblem(bad, 400);
    assertResponse('simulateMessage', bad);
    assert.equal(bad.json.field, field, `${JSON.stringify(json).slice(0, 80)} → ${bad.text}`);
  }

  const res = await request(edge.url, 'POST', '/api/simulator/messages', { cookie: s.cookie, csrf: s.csrf,
    json: { chat_id: chatId, chat_title: 'Simulated', user_id: chatId, first_name: 'Sim', username: 'sim_user', text: 'simulated hello' } });
  assert.equal(res.status, 202, res.text);
  assertResponse('simulateMessage', res);
  assert.ok(res.json.update_id >= 9000000000000, 'simulator update ids start at 9e12');

  const created = await ws.next((m) => m.type === 'message.created' && m.data?.chat_id === chatId, 20000);
  assertSchema('WsEnvelope', created);
  assert.equal(created.data.text, 'simulated hello');
  assert.equal(created.data.update_id, res.json.update_id);
  const list = await request(edge.url, 'GET', `/api/messages?chat_id=${chatId}`, { cookie: s.cookie });
  assertResponse('listMessages', list);
  assert.equal(list.json.items.length, 1);
});

test('simulator with a token configured → 409', { timeout: 60000 }, async () => {
  const tg = await startTelegram({ port: 0 });
  cleanups.push(() => tg.close());
  const edge = await startEdge({ name: 'simulator-409', telegram: tg });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const res = await request(edge.url, 'POST', '/api/simulator/messages', { cookie: s.cookie, csrf: s.csrf, json: { chat_id: 1, text: 'x' } });
  assertProblem(res, 409);
  assertResponse('simulateMessage', res);
});

test('/readyz is 503 naming Redis while Redis is down, and recovers', { timeout: 90000 }, async () => {
  // A throwaway Redis of our own, so the shared test stack is never disturbed.
  const env = stackEnv();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(env.RT_HOME, 'redis-readyz-'));
  const startRedis = () => spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  let redis = startRedis();
  cleanups.push(async () => { redis.kill('SIGKILL'); fs.rmSync(dir, { recursive: true, force: true }); });
  await sleep(300);
  const edge = await startEdge({ name: 'readyz', env: { REDIS_URL: `redis://127.0.0.1:${port}/0` } });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));

  redis.kill('SIGKILL');
  const down = await waitFor(async () => { const r = await request(edge.url, 'GET', '/readyz'); return r.status === 503 && r; }, { timeoutMs: 20000, what: '/readyz 503' });
  assertResponse('getReadyz', down);
  assert.deepEqual(down.json, { status: 'unavailable', postgres: 'ok', redis: 'down' });
  const h = await request(edge.url, 'GET', '/healthz');
  assert.equal(h.status, 200);

  redis = startRedis();
  const up = await waitFor(async () => { const r = await request(edge.url, 'GET', '/readyz'); return r.status === 200 && r; }, { timeoutMs: 30000, what: '/readyz 200 again' });
  assertResponse('getReadyz', up);
});
