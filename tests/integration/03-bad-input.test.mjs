// (e) bad input over REST (malformed JSON, invalid UTF-8, oversized body, wrong types, unknown
// fields, unknown routes, bad query parameters, bad cursors) gets problem+json per the spec and
// never hurts the edge; bad Telegram updates are rejected safely while good ones in the same
// getUpdates batch are stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
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

/**
 * Sends raw bytes (headers exactly as given: node's client would correct a lying Content-Length)
 * and reads one response: { status, headers, text, json }. Rejects when the server closes without
 * an answer or gives none within timeoutMs.
 */
function rawRequest(port, bytes, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`no answer within ${timeoutMs} ms`)); }, timeoutMs);
    const done = (v, err) => { clearTimeout(timer); sock.destroy(); if (err) reject(err); else resolve(v); };
    const tryParse = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const [statusLine, ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const len = Number(headers['content-length'] ?? 0);
      if (buf.length < end + 4 + len) return false;
      const text = buf.subarray(end + 4, end + 4 + len).toString('utf8');
      let json; try { json = JSON.parse(text); } catch { json = undefined; }
      done({ status: Number(statusLine.split(' ')[1]), headers, text, json });
      return true;
    };
    sock.on('data', (d) => { buf = Buffer.concat([buf, d]); tryParse(); });
    sock.on('error', (e) => done(null, new Error(`connection error before an answer: ${e.code ?? e.message}`)));
    sock.on('close', () => { if (!tryParse()) done(null, new Error(`closed without an answer (${buf.length} bytes)`)); });
    sock.write(bytes);
  });
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
  // A login holding NUL can name no admin and cannot reach PostgreSQL: the body is refused as
  // bad input naming the NUL, not answered as a wrong password (401).
  const nul = await post('/api/auth/login', { body: '{"login":"a\\u0000b","password":"x"}' });
  assertProblem(nul, 400);
  assertResponse('login', nul);
  assert.match(nul.json.detail, /\\u0000/, 'the problem names the NUL');
  await stillHealthy();
});

test('oversized body → 413 (default RT_MAX_BODY_BYTES 1 MiB)', async () => {
  const big = JSON.stringify({ login: 'admin', password: 'x'.repeat(1024 * 1024 + 10) });
  const res = await post('/api/auth/login', { body: big, allowReset: true });
  assert.equal(res.status, 413, `got ${res.status} ${res.text.slice(0, 200)}`);
  assertProblem(res, 413);
  assertResponse('login', res);
  // A declared length above the cap is refused from the headers, at once: 413, not a wait for
  // 999,999,999 bytes that never come (nor a 400, nor a dropped connection).
  // (Sent raw: the old check went through node's client, which sent the true length, 2, so the
  // lie never reached the server and its 400 "login is required" was accepted.)
  const lied = await rawRequest(edge.port, `POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nContent-Type: application/json\r\nContent-Length: 999999999\r\n\r\n{}`);
  assert.equal(lied.status, 413, `Content-Length far above the cap: ${lied.status} ${lied.text}`);
  assertProblem(lied, 413);
  assertResponse('login', lied);
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
  // Each bad update has one right outcome: a row in rt.ingest_rejects whose error names its
  // problem (docs/design/contract.md: updates that cannot be stored as messages — bad shape,
  // huge text, unparsable JSON — are rejected; \u0000 and lone surrogates through
  // rt.reject_update), no row in rt.messages, and the offset moves on.
  const bad = [
    [`{"update_id":${base + 1},"message":{"message_id":5}}`, /is required/],                                  // missing fields
    [`{"update_id":${base + 2},"message":{"message_id":"x","date":"y","chat":5,"text":7}}`, /must be an integer/], // wrong types
    [msg(base + 3, `"text":"${'h'.repeat(300000)}"`), /"message\.text" is longer than 65536 bytes/],              // huge text
    [msg(base + 4, '"text":"lone \\ud800 surrogate"'), /invalid Unicode '\\uD800'/i],                            // lone surrogate escape
    [msg(base + 5, '"text":"nul \\u0000 byte"'), /\\u0000 is not allowed/],                                       // NUL escape
    [`{"update_id":${base + 6},"message":null}`, /unsupported update type: message/],
    [`{"update_id":${base + 7},"poll":{"id":"1","question":"q?","options":[]}}`, /unsupported update type: poll/], // unsupported type
  ];
  tg.pushRaw([good(base, 'good before', 1), ...bad.map(([raw]) => raw), good(base + 8, 'good after', 2)]);

  await waitFor(async () => (await db.query("SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1 AND text IN ('good before','good after')", [chatId])).rows[0].n === 2,
    { timeoutMs: 30000, what: 'both good updates stored' });
  await waitFor(() => tg.state().confirmed >= base + 8, { what: 'offset confirmed past the batch' });

  const wrong = [];
  for (const [i, [, error]] of bad.entries()) {
    const id = base + 1 + i;
    await waitFor(async () => (await db.query('SELECT 1 FROM rt.ingest_rejects WHERE update_id = $1', [id])).rowCount > 0,
      { timeoutMs: 10000, what: `update ${id} rejected` }).catch(() => {});
    const rejects = (await db.query('SELECT error FROM rt.ingest_rejects WHERE update_id = $1', [id])).rows;
    const stored = (await db.query('SELECT kind FROM rt.messages WHERE update_id = $1', [id])).rows;
    if (rejects.length !== 1 || !error.test(rejects[0].error) || stored.length !== 0) {
      wrong.push(`update ${id}: rejects ${JSON.stringify(rejects.map((r) => r.error.slice(0, 120)))} (want one matching ${error}), stored ${JSON.stringify(stored)}`);
    }
  }
  assert.deepEqual(wrong, [], 'every bad update rejected once, naming its problem, and never stored');
  assert.equal((await db.query('SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].n, 2, 'only the good updates stored');
  const res = await request(edge.url, 'GET', `/api/messages?chat_id=${chatId}&limit=500`, { cookie: session.cookie });
  assertResponse('listMessages', res);
  await stillHealthy();
});
