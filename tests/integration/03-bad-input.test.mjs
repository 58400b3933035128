// (e) bad input over REST (malformed JSON, invalid UTF-8, oversized body, wrong types, unknown
// fields, unknown routes, bad query parameters, bad cursors) gets problem+json per the spec and
// never hurts the edge; bad Telegram updates are rejected safely while good ones in the same
// getUpdates batch are stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { request, login, waitFor } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';

let tg; let edge; let session; let db;
before(async () => {
  tg = await startTelegram({ port: 0 });
  edge = await startEdge({ name: 'bad-input', telegram: tg });
  session = await login(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

async function stillHealthy() {
  assert.ok(edge.alive(), `rt-edge died; log ${edge.logPath}`);
  const h = await request(edge.url, 'GET', '/healthz');
  assert.equal(h.status, 200);
}

const post = (path, opts) => request(edge.url, 'POST', path, { headers: { 'content-type': 'application/json' }, ...opts });

test('malformed JSON → 400', async () => {
  for (const body of ['{"login":', '', 'null', '[]', '"str"', '{"login":"a","password":"b"} trailing']) {
    const res = await post('/api/auth/login', { body });
    assertProblem(res, 400);
    assertResponse('login', res);
  }
  await stillHealthy();
});

test('invalid UTF-8 in the body → 400', async () => {
  const body = Buffer.concat([Buffer.from('{"login":"'), Buffer.from([0xff, 0xfe, 0xc3]), Buffer.from('","password":"x"}')]);
  const res = await post('/api/auth/login', { body });
  assertProblem(res, 400);
  assertResponse('login', res);
  const nul = await post('/api/auth/login', { body: '{"login":"a\\u0000b","password":"x"}' });
  assert.ok([400, 401].includes(nul.status), `\\u0000 in login: ${nul.status}`);
  assertResponse('login', nul);
  await stillHealthy();
});

test('oversized body → 413 (default RT_MAX_BODY_BYTES 1 MiB)', async () => {
  const big = JSON.stringify({ login: 'admin', password: 'x'.repeat(1024 * 1024 + 10) });
  const res = await post('/api/auth/login', { body: big, allowReset: true });
  assert.equal(res.status, 413, `got ${res.status} ${res.text.slice(0, 200)}`);
  assertProblem(res, 413);
  assertResponse('login', res);
  const lied = await post('/api/auth/login', { body: '{}', headers: { 'content-type': 'application/json', 'content-length': '999999999' }, allowReset: true, timeout: 5000 }).catch((e) => ({ status: -1, error: e }));
  assert.ok([413, 400, -1, 0].includes(lied.status), `Content-Length far above the cap: ${lied.status}`);
  await stillHealthy();
});

test('wrong types and unknown fields → 400 naming the field', async () => {
  const cases = [
    [{ login: ['admin'], password: 'x' }, 'login'],
    [{ login: 'admin', password: 42 }, 'password'],
    [{ login: 'admin', password: 'x', role: 'owner' }, 'role'],
    [{ login: '', password: 'x' }, 'login'],
  ];
  for (const [json, field] of cases) {
    const res = await post('/api/auth/login', { json });
    assertProblem(res, 400);
    assertResponse('login', res);
    assert.equal(res.json.field, field, `${JSON.stringify(json)} → ${res.text}`);
  }
  await stillHealthy();
});

test('unknown routes → 404 problem+json', async () => {
  for (const path of ['/api/nope', '/api/chats/123/none', '/api/messages/999999999999']) {
    const res = await request(edge.url, 'GET', path, { cookie: session.cookie });
    assertProblem(res, 404);
  }
  await stillHealthy();
});

test('unknown ids answer an empty page, not an error', async () => {
  const res = await request(edge.url, 'GET', '/api/messages?chat_id=987654321012', { cookie: session.cookie });
  assert.equal(res.status, 200);
  assertResponse('listMessages', res);
  assert.deepEqual(res.json, { items: [], next_cursor: null });
});

test('bad query parameters → 400 naming the field', async () => {
  const cases = [
    ['/api/messages?limit=abc', 'limit', 'listMessages'],
    ['/api/messages?limit=0', 'limit', 'listMessages'],
    ['/api/messages?limit=501', 'limit', 'listMessages'],
    ['/api/messages?chat_id=12x', 'chat_id', 'listMessages'],
    ['/api/messages?user_id=1.5', 'user_id', 'listMessages'],
    ['/api/messages?from=yesterday', 'from', 'listMessages'],
    ['/api/messages?to=2024-13-45T99:00:00Z', 'to', 'listMessages'],
    ['/api/messages?after_id=-1', 'after_id', 'listMessages'],
    ['/api/messages?bogus=1', 'bogus', 'listMessages'],
    ['/api/chats?limit=201', 'limit', 'listChats'],
    ['/api/chats?limit=-3', 'limit', 'listChats'],
    [`/api/chats?q=${'x'.repeat(201)}`, 'q', 'listChats'],
  ];
  const wrong = [];
  for (const [path, field, op] of cases) {
    const res = await request(edge.url, 'GET', path, { cookie: session.cookie });
    try {
      assertProblem(res, 400);
      assertResponse(op, res);
      assert.equal(res.json.field, field, 'problem.field');
    } catch (e) {
      wrong.push(`${path} → ${res.status} ${res.text} (${e.message.split('\n')[0]})`);
    }
  }
  assert.deepEqual(wrong, [], `responses not naming the field:\n${wrong.join('\n')}`);
  await stillHealthy();
});

test('bad cursors → 400', async () => {
  for (const [path, op] of [['/api/messages?cursor=garbage!!', 'listMessages'], ['/api/chats?cursor=AAAA', 'listChats'],
    ['/api/messages?cursor=eyJ4IjoxfQ', 'listMessages'], [`/api/chats?cursor=${'A'.repeat(201)}`, 'listChats']]) {
    const res = await request(edge.url, 'GET', path, { cookie: session.cookie });
    assertProblem(res, 400);
    assertResponse(op, res);
  }
  await stillHealthy();
});

test('bad Telegram updates are rejected safely; good ones in the same batch are stored', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  const base = tg.reserveIds(9);
  const good = (id, text, mid) => JSON.stringify(textUpdate({ chatId, text, messageId: mid, updateId: id }));
  const msg = (id, extra) => `{"update_id":${id},"message":{"message_id":${id % 1000},"date":${Math.floor(Date.now() / 1000)},"chat":{"id":${chatId},"type":"private"},"from":{"id":${chatId},"is_bot":false,"first_name":"B"},${extra}}}`;
  const bad = [
    `{"update_id":${base + 1},"message":{"message_id":5}}`,                                   // missing fields
    `{"update_id":${base + 2},"message":{"message_id":"x","date":"y","chat":5,"text":7}}`,   // wrong types
    msg(base + 3, `"text":"${'h'.repeat(300000)}"`),                                          // huge text
    msg(base + 4, '"text":"lone \\ud800 surrogate"'),                                          // lone surrogate escape
    msg(base + 5, '"text":"nul \\u0000 byte"'),                                                 // NUL escape
    `{"update_id":${base + 6},"message":null}`,
    `{"update_id":${base + 7},"poll":{"id":"1","question":"q?","options":[]}}`,                // unsupported type
  ];
  tg.pushRaw([good(base, 'good before', 1), ...bad, good(base + 8, 'good after', 2)]);

  await waitFor(async () => (await db.query("SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1 AND text IN ('good before','good after')", [chatId])).rows[0].n === 2,
    { timeoutMs: 30000, what: 'both good updates stored' });
  await waitFor(() => tg.state().confirmed >= base + 8, { what: 'offset confirmed past the batch' });

  // Every bad update is accounted for: stored safely (e.g. as unsupported) or in rt.ingest_rejects.
  const missing = [];
  for (let i = 1; i <= 7; i++) {
    const id = base + i;
    const found = await waitFor(async () => {
      const m = await db.query('SELECT 1 FROM rt.messages WHERE update_id = $1', [id]);
      const r = await db.query(`SELECT 1 FROM rt.ingest_rejects WHERE update_id = $1 OR raw ~ ('"update_id": ?' || $1 || '[^0-9]')`, [id]);
      return m.rowCount + r.rowCount > 0;
    }, { timeoutMs: 10000, what: `update ${id} stored or rejected` }).catch(() => false);
    if (!found) missing.push(id);
  }
  assert.deepEqual(missing, [], 'bad updates neither stored nor recorded as rejects');
  const res = await request(edge.url, 'GET', `/api/messages?chat_id=${chatId}&limit=500`, { cookie: session.cookie });
  assertResponse('listMessages', res);
  await stillHealthy();
});
