// Nothing a client sends may stall everyone (issue 7): a body trickled in a byte at a time is cut
// off by the whole-request deadline with 408 while other requests are served; one address holds
// at most RT_HTTP_MAX_CONN_PER_IP connections; a header block over the limit gets 431
// problem+json, not a dropped connection; and a Host that is not one of the server's names (DNS
// rebinding) gets 421, while 127.0.0.1:port, localhost and the probes keep working.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startEdge } from '../lib/stack.mjs';
import WebSocket from 'ws';
import { request, login, openWs, wsUpgradeStatus, waitFor, sleep } from '../lib/http.mjs';
import { assertProblem, validateExchange } from '../lib/openapi.mjs';

const TIMEOUT_SEC = 3;
const CAP = 30;
let edge;
before(async () => {
  edge = await startEdge({
    name: 'http-limits',
    env: { RT_HTTP_REQUEST_TIMEOUT_SEC: String(TIMEOUT_SEC), RT_HTTP_MAX_CONN_PER_IP: String(CAP) },
  });
});
after(async () => {
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

/**
 * A raw connection: resolves once connected. read() collects everything the server sends;
 * closed resolves (with the bytes received) when the server ends or resets the connection.
 */
function rawConnect(port) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks = [];
    let done;
    const closed = new Promise((r) => { done = r; });
    sock.on('data', (c) => chunks.push(c));
    sock.on('error', () => {}); // a reset shows as close below
    sock.on('close', () => done(Buffer.concat(chunks).toString('latin1')));
    sock.once('connect', () => resolve({ sock, closed, received: () => Buffer.concat(chunks).toString('latin1') }));
    sock.once('error', reject);
  });
}

/** Parses a raw HTTP/1.1 answer: { status, headers, text, json }. */
function parseRaw(raw) {
  const end = raw.indexOf('\r\n\r\n');
  assert.ok(end > 0, `no complete HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`);
  const [line, ...lines] = raw.slice(0, end).split('\r\n');
  const status = Number(line.split(' ')[1]);
  const headers = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const text = Buffer.from(raw.slice(end + 4), 'latin1').toString('utf8');
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status, headers, text, json };
}

const withTimeout = (p, ms, what) => Promise.race([p, sleep(ms).then(() => { throw new Error(`${what}: nothing within ${ms} ms`); })]);

test('slow bodies: 20 connections trickling a 1 MB body get 408 at the deadline, and others are served meanwhile', async () => {
  const n = 20;
  const conns = [];
  for (let i = 0; i < n; i++) {
    const c = await rawConnect(edge.port);
    c.sock.write(`POST /api/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n{`);
    conns.push(c);
  }
  const started = Date.now();
  // one byte a second each, as long as the server keeps the connection open
  const trickle = setInterval(() => { for (const c of conns) if (!c.sock.destroyed) c.sock.write(' '); }, 1000);
  try {
    // a normal client is served while the 20 hold their connections
    await sleep(1000);
    const h = await request(edge.url, 'GET', '/healthz', { timeout: 5000 });
    assert.equal(h.status, 200);
    const s = await login(edge.url);
    const me = await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie, timeout: 5000 });
    assert.equal(me.status, 200);

    // every slow connection is answered 408 problem+json and closed; the bound is generous
    const raws = await withTimeout(Promise.all(conns.map((c) => c.closed)), 30000, 'slow-body connections still open');
    const elapsed = (Date.now() - started) / 1000;
    for (const raw of raws) {
      const res = parseRaw(raw);
      assert.equal(res.status, 408, raw.slice(0, 300));
      assert.match(res.headers['content-type'] ?? '', /application\/problem\+json/);
      assert.equal(res.headers.connection, 'close');
      assertProblem(res, 408);
      assert.match(res.json.detail, /RT_HTTP_REQUEST_TIMEOUT_SEC/);
      validateExchange('POST', '/api/auth/login', res);
    }
    console.log(`# ${n} slow-body connections answered 408 and closed after ${elapsed.toFixed(1)} s (deadline ${TIMEOUT_SEC} s)`);
  } finally {
    clearInterval(trickle);
    for (const c of conns) c.sock.destroy();
  }
  // a body that arrives in time is still taken
  const ok = await request(edge.url, 'POST', '/api/auth/login', { json: { login: 'nobody', password: 'x' } });
  assert.equal(ok.status, 401);
});

test('slow headers: a connection trickling its header block is closed at the deadline', async () => {
  const c = await rawConnect(edge.port);
  const started = Date.now();
  c.sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\nX-Slow: `);
  const trickle = setInterval(() => { if (!c.sock.destroyed) c.sock.write('a'); }, 500);
  try {
    const raw = await withTimeout(c.closed, 30000, 'slow-header connection still open');
    assert.equal(raw, '', 'headers never completed: closed unanswered');
    console.log(`# slow-header connection closed after ${((Date.now() - started) / 1000).toFixed(1)} s (deadline ${TIMEOUT_SEC} s)`);
  } finally {
    clearInterval(trickle);
    c.sock.destroy();
  }
});

test('the deadline is per request: a WebSocket and a kept-alive connection outlive it', async () => {
  const s = await login(edge.url);
  const ws = await openWs(edge.url, s.cookie);
  try {
    await ws.next((m) => m.type === 'hello');
    const c = await rawConnect(edge.port);
    const get = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\n\r\n`;
    c.sock.write(get);
    await waitFor(() => /\r\n\r\n\{/.test(c.received()), { timeoutMs: 5000, what: 'first answer' });
    await sleep(1000);
    c.sock.write(get); // the same connection, a second request
    await waitFor(() => (c.received().match(/HTTP\/1\.1 200/g) ?? []).length === 2, { timeoutMs: 5000, what: 'second answer on the kept-alive connection' });
    c.sock.destroy();
    await sleep((TIMEOUT_SEC + 1) * 1000);
    assert.equal(ws.ws.readyState, WebSocket.OPEN, 'the socket is still open past the request deadline');
  } finally {
    await ws.close();
  }
});

test(`per-address cap: connection ${CAP + 1} from one address is refused, and a slot freed is usable again`, async () => {
  const held = [];
  try {
    for (let i = 0; i < CAP; i++) {
      const c = await rawConnect(edge.port);
      c.sock.write('GET /healthz HTTP/1.1\r\n'); // headers begun, never finished
      held.push(c);
    }
    // the server has counted them once each answers a request on a fresh connection... which
    // it must refuse: the next connection is closed without an answer
    const over = await rawConnect(edge.port);
    over.sock.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${edge.port}\r\n\r\n`);
    const raw = await withTimeout(over.closed, 10000, 'connection over the cap still open');
    assert.equal(raw, '', `over the cap the server answered: ${raw.slice(0, 200)}`);
    assert.match(edge.log(), /too many from one address/);

    // one held connection goes away: a new one is served
    held.pop().sock.destroy();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await request(edge.url, 'GET', '/healthz', { timeout: 3000 }).then((r) => r.status, () => 0);
      if (status !== 200) await sleep(100);
    }
    assert.equal(status, 200, 'a connection after one was freed is served');
  } finally {
    for (const c of held) c.sock.destroy();
  }
});

test('a 20 KB header gets 431 problem+json, not a dropped connection', async () => {
  const cookie = `pad=${'a'.repeat(20 * 1024)}`;
  const res = await request(edge.url, 'GET', '/api/auth/me', { headers: { cookie }, timeout: 5000 });
  assertProblem(res, 431);
  assert.match(res.json.detail, /headers are larger than 16384 bytes/);
  const ws = await wsUpgradeStatus(edge.url, { cookie });
  assert.equal(ws, 431);
  // headers under the limit are fine
  const small = await request(edge.url, 'GET', '/api/auth/me', { headers: { cookie: `pad=${'a'.repeat(4000)}` } });
  assert.equal(small.status, 401);
});

test('Host: a foreign name (DNS rebinding) gets 421 naming it; the server\'s own names and the probes work', async () => {
  const s = await login(edge.url);
  const evil = await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie, headers: { host: `evil.example:${edge.port}` } });
  assertProblem(evil, 421);
  assert.match(evil.json.detail, /evil\.example/);
  const evilLogin = await request(edge.url, 'POST', '/api/auth/login', { headers: { host: 'evil.example' }, json: { login: 'admin', password: 'x' } });
  assertProblem(evilLogin, 421);
  // the SPA itself is not served under a foreign name either (raw: not an API path)
  const c = await rawConnect(edge.port);
  c.sock.write('GET / HTTP/1.1\r\nHost: evil.example\r\n\r\n');
  const spa = parseRaw(await withTimeout(c.closed, 5000, 'static file under a foreign Host'));
  assert.equal(spa.status, 421);
  // and /ws is not upgraded
  assert.equal(await wsUpgradeStatus(edge.url, { cookie: s.cookie, host: 'evil.example', origin: 'http://evil.example' }), 421);

  // the default names: localhost and any address literal (a page reaching the server by its
  // address was loaded from that address: nothing to rebind)
  for (const host of [`127.0.0.1:${edge.port}`, '127.0.0.1', `localhost:${edge.port}`, 'LOCALHOST', '[::1]:5173', `10.1.2.3:${edge.port}`]) {
    const ok = await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie, headers: { host } });
    assert.equal(ok.status, 200, `Host ${host}: ${ok.status} ${ok.text}`);
  }
  // probes send whatever name they reach the pod by: the probes skip the check
  const svc = 'rt-edge.default.svc.cluster.local';
  assertProblem(await request(edge.url, 'GET', '/api/auth/me', { cookie: s.cookie, headers: { host: svc } }), 421);
  const probe = await request(edge.url, 'GET', '/healthz', { headers: { host: svc } });
  assert.equal(probe.status, 200);
  const ready = await request(edge.url, 'GET', '/readyz', { headers: { host: `${svc}:${edge.port}` } });
  assert.equal(ready.status, 200);
});

test('RT_HTTP_HOSTS replaces the default names', async () => {
  const other = await startEdge({ name: 'http-hosts', env: { RT_HTTP_HOSTS: 'admin.example.org, 127.0.0.1' } });
  try {
    const named = await request(other.url, 'GET', '/api/auth/me', { headers: { host: 'Admin.Example.Org' } });
    assert.equal(named.status, 401); // served: no session, not refused
    const local = await request(other.url, 'GET', '/api/auth/me', { headers: { host: `127.0.0.1:${other.port}` } });
    assert.equal(local.status, 401);
    const dropped = await request(other.url, 'GET', '/api/auth/me', { headers: { host: `localhost:${other.port}` } });
    assertProblem(dropped, 421);
    const podIp = await request(other.url, 'GET', '/api/auth/me', { headers: { host: `10.1.2.3:${other.port}` } });
    assertProblem(podIp, 421);
    // a kubelet probes by the pod IP: the probes skip the check
    const probe = await request(other.url, 'GET', '/readyz', { headers: { host: `10.1.2.3:${other.port}` } });
    assert.equal(probe.status, 200);
  } finally {
    assert.deepEqual(await other.stop(), { code: 0, signal: null });
  }
});
