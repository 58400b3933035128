// Minimal HTTP client on node:http (full control over bytes, headers and bodies) plus login and
// WebSocket helpers for the integration suites.
import http from 'node:http';
import WebSocket from 'ws';
import { recordSecret } from './secrets.mjs';
import { validateExchange, wsFrameError } from './openapi.mjs';

/**
 * request(base, method, path, { body, json, headers, cookie, csrf }) →
 *   { status, headers, text, json } (json undefined when the body is not JSON).
 * body may be a Buffer/string sent verbatim; json is serialized with content-type JSON.
 * Every answer to a path of the API (/api/*, /healthz, /readyz) is validated against
 * openapi/openapi.yaml by method and URL (tests/lib/openapi.mjs validateExchange): a status the
 * route does not document, another content type or a body off its schema rejects the promise,
 * so the test that made the request fails.
 */
export async function request(base, method, path, opts = {}) {
  noteSecrets(opts.json);
  const res = await send(base, method, path, opts);
  noteSecrets(res.json);
  for (const c of [].concat(res.headers?.['set-cookie'] ?? [])) recordSecret('session cookie', c.split(';')[0].split('=').slice(1).join('='));
  if (res.status) {
    try {
      validateExchange(method, new URL(path, base).pathname, res);
    } catch (e) {
      e.message = `response not as openapi.yaml documents it: ${e.message}`;
      throw e;
    }
  }
  return res;
}

function send(base, method, path, opts) {
  const url = new URL(path, base);
  const headers = { ...(opts.headers ?? {}) };
  let body = opts.body;
  if (opts.json !== undefined) {
    body = JSON.stringify(opts.json);
    headers['content-type'] ??= 'application/json';
  }
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.csrf) headers['x-csrf-token'] = opts.csrf;
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    let answered = null; // a response that arrived, possibly before the body was fully sent
    const req = http.request(url, { method, headers, agent: false }, (res) => {
      const chunks = [];
      answered = { status: res.statusCode, headers: res.headers };
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = text.length ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
      res.on('error', reject);
    });
    req.setTimeout(opts.timeout ?? 15000, () => req.destroy(new Error(`timeout: ${method} ${path}`)));
    req.on('error', (e) => {
      // A server may answer 413 and close before reading the whole body: keep its answer.
      if (opts.allowReset && (e.code === 'EPIPE' || e.code === 'ECONNRESET')) {
        resolve(answered ? { ...answered, text: '', json: undefined, reset: true } : { status: 0, headers: {}, text: '', error: e });
      } else reject(e);
    });
    if (body === undefined) { req.end(); return; }
    if (!opts.allowReset) { req.write(body); req.end(); return; }
    // Headers first, then the body in pieces, stopping as soon as the server has answered.
    req.flushHeaders();
    const buf = Buffer.from(body);
    (async () => {
      await new Promise((r) => setTimeout(r, 100));
      for (let off = 0; off < buf.length && !answered && !req.destroyed; off += 65536) {
        if (!req.write(buf.subarray(off, off + 65536))) await new Promise((r) => { req.once('drain', r); req.once('close', r); });
      }
      if (!req.destroyed) req.end();
    })().catch(() => {});
  });
}

/** Records the passwords, keys and tokens a request or an answer carried, for the log scan (tests/scan). */
function noteSecrets(obj) {
  if (!obj || typeof obj !== 'object') return;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'string' && /password|api_key|secret|token/i.test(k)) recordSecret(`json ${k}`, v);
  }
}

/** Logs in; returns { res, cookie: "rt_session=...", csrf, admin }. */
export async function login(base, loginName = process.env.ADMIN_LOGIN ?? 'admin', password = process.env.ADMIN_PASSWORD) {
  const res = await request(base, 'POST', '/api/auth/login', { json: { login: loginName, password } });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${res.text}`);
  const setCookie = [].concat(res.headers['set-cookie'] ?? []);
  const session = setCookie.map((c) => c.split(';')[0]).find((c) => c.startsWith('rt_session='));
  if (!session) throw new Error(`login: no rt_session cookie in ${JSON.stringify(setCookie)}`);
  return { res, cookie: session, csrf: res.json.csrf_token, admin: res.json.admin, setCookie };
}

/**
 * Opens /ws with the cookie; resolves once open. The client queues every frame (parsed JSON) and
 * offers next(predicate, timeoutMs) and collect(predicate, count, timeoutMs). Every frame is
 * validated against the event catalogue (openapi/asyncapi.yaml, by its type; wsFrameError of
 * tests/lib/openapi.mjs): after a frame that does not match, next() and close()
 * reject with the reason (so the test that opened the socket fails); `invalid` lists them.
 */
export function openWs(base, cookie) {
  const url = new URL('/ws', base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  const ws = new WebSocket(url, { headers: cookie ? { cookie } : {}, perMessageDeflate: false });
  const queue = [];
  const waiters = [];
  const frames = [];
  const invalid = [];
  const invalidError = () => new Error(`frame not as asyncapi.yaml documents it: ${invalid[0]}${invalid.length > 1 ? ` (and ${invalid.length - 1} more)` : ''}`);
  ws.on('message', (data) => {
    let msg;
    try { msg = JSON.parse(data.toString('utf8')); } catch { msg = { unparsable: data.toString('utf8') }; }
    frames.push(msg);
    const bad = wsFrameError(msg);
    if (bad) invalid.push(bad);
    queue.push(msg);
    for (const w of [...waiters]) w();
  });
  const client = {
    ws, frames, invalid,
    next(predicate = () => true, timeoutMs = 10000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (invalid.length) { cleanup(); reject(invalidError()); return true; }
          const i = queue.findIndex(predicate);
          if (i >= 0) {
            const [m] = queue.splice(i, 1);
            cleanup(); resolve(m); return true;
          }
          return false;
        };
        const timer = setTimeout(() => { cleanup(); reject(new Error(`ws: no matching frame within ${timeoutMs} ms (got ${frames.length} frames)`)); }, timeoutMs);
        const cleanup = () => { clearTimeout(timer); const k = waiters.indexOf(check); if (k >= 0) waiters.splice(k, 1); };
        if (!check()) waiters.push(check);
      });
    },
    close() {
      return new Promise((resolve, reject) => {
        const done = () => (invalid.length ? reject(invalidError()) : resolve());
        if (ws.readyState === WebSocket.CLOSED) return done();
        ws.once('close', done);
        ws.close();
        setTimeout(() => { ws.terminate(); done(); }, 2000).unref();
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(client));
    ws.once('unexpected-response', (req, res) => reject(Object.assign(new Error(`ws upgrade refused: ${res.statusCode}`), { statusCode: res.statusCode })));
    ws.once('error', reject);
  });
}

/** Attempts a WS upgrade and resolves to the HTTP status the server answered (101 on success). */
export function wsUpgradeStatus(base, headers = {}) {
  const url = new URL('/ws', base);
  url.protocol = 'ws:';
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => { ws.terminate(); resolve(101); });
    ws.once('unexpected-response', (req, res) => { res.resume(); req.destroy(); resolve(res.statusCode); });
    ws.once('error', (e) => reject(e));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls fn() until it returns a truthy value or the time runs out. */
export async function waitFor(fn, { timeoutMs = 15000, intervalMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try { last = await fn(); if (last) return last; } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    await sleep(intervalMs);
  }
}
