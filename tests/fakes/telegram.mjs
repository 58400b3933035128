// Fake Telegram Bot API on node:http, speaking the real wire protocol (getUpdates long polling
// with offset confirmation, sendMessage, deleteMessage, getMe) plus /_fake/ control endpoints.
// Module: `const tg = await start({ port: 0, token: '123:TEST' })` → { url, port, close, ... }.
// CLI:    `node tests/fakes/telegram.mjs [--port 8081] [--token 123:TEST]`.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const BOT = { id: 123, is_bot: true, first_name: 'Roundtable Test Bot', username: 'rt_test_bot',
  can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false };

/** Reads a request body as a Buffer. */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Bot API parameters may come in the query string, as JSON or as a urlencoded form. */
function parseParams(url, req, body) {
  const params = Object.fromEntries(url.searchParams);
  const type = (req.headers['content-type'] || '').split(';')[0].trim();
  if (body.length) {
    if (type === 'application/json') {
      const parsed = JSON.parse(body.toString('utf8'));
      if (parsed && typeof parsed === 'object') Object.assign(params, parsed);
    } else if (type === 'application/x-www-form-urlencoded') {
      Object.assign(params, Object.fromEntries(new URLSearchParams(body.toString('utf8'))));
    }
  }
  return params;
}

function send(res, status, body, type = 'application/json') {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const apiError = (res, code, description, parameters) =>
  send(res, code, { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) });

/**
 * Starts the fake. opts: number (port) or { port = 0, host = '127.0.0.1', token = '123:TEST' }.
 * Resolves to a handle with url, port, close(), push(updates), pushRaw(text, opts), fail(spec),
 * state(), sent, calls, reset().
 */
export async function start(opts = {}) {
  if (typeof opts === 'number') opts = { port: opts };
  const host = opts.host ?? '127.0.0.1';
  let token = opts.token ?? '123:TEST';

  // Each pending update: { id, raw (JSON text exactly as served), force (served even below offset) }.
  let pending = [];
  // Telegram's update ids never repeat for a bot; fakes started at different times get disjoint
  // ranges (1e9 + ms clock * 1000), so suites sharing one database never collide.
  let nextId = opts.firstUpdateId ?? 1e9 + (Date.now() % 1e9) * 1000;
  let offset = 0;            // the last offset the client sent (updates below it are confirmed)
  let nextMessageId = 1;
  const sent = [];           // sendMessage/deleteMessage calls, in order
  const calls = [];          // every Bot API call: { method, at, params }
  let failures = [];         // queued injected failures: { mode, retry_after, methods }
  let waiter = null;         // the one long poll in flight: { wake, res, timer }

  function push(updates) {
    const list = Array.isArray(updates) ? updates : [updates];
    const ids = [];
    for (const u of list) {
      let upd;
      if (u.update_id === undefined) upd = { update_id: nextId++, ...u };
      else { upd = u; nextId = Math.max(nextId, Number(u.update_id) + 1); }
      pending.push({ id: Number(upd.update_id), raw: JSON.stringify(upd), force: false });
      ids.push(upd.update_id);
    }
    wake();
    return ids;
  }

  // Raw JSON text of one update, served verbatim (for lone surrogates, \u0000 and the like).
  // An array of texts is queued at once, so one getUpdates answer carries them all.
  function pushRaw(text, { force = false } = {}) {
    const ids = [];
    for (const t of Array.isArray(text) ? text : [text]) {
      const m = /"update_id"\s*:\s*(-?\d+)/.exec(t);
      const id = m ? Number(m[1]) : nextId++;
      if (m) nextId = Math.max(nextId, id + 1);
      pending.push({ id, raw: t, force });
      ids.push(id);
    }
    wake();
    return Array.isArray(text) ? ids : ids[0];
  }

  // Re-delivers updates even if their id is below the confirmed offset (a misbehaving server).
  function redeliver(updates) {
    const list = Array.isArray(updates) ? updates : [updates];
    for (const u of list) pending.push({ id: Number(u.update_id), raw: JSON.stringify(u), force: true });
    wake();
  }

  function wake() {
    if (waiter) waiter.wake();
  }

  function confirm(newOffset) {
    if (newOffset < 0) {
      // Negative offset: keep only the last |offset| updates, as Telegram does.
      const keep = pending.slice(newOffset);
      pending = keep;
      return;
    }
    offset = newOffset;
    pending = pending.filter((p) => p.id >= offset || p.force);
  }

  function takeBatch(limit) {
    const batch = pending.filter((p) => p.id >= offset || p.force).slice(0, limit);
    // A forced (re-delivered) update is served once; the client confirms it with the offset anyway.
    for (const p of batch) if (p.force) p.force = false;
    return batch;
  }

  const batchBody = (batch) => `{"ok":true,"result":[${batch.map((p) => p.raw).join(',')}]}`;

  function takeFailure(method) {
    const idx = failures.findIndex((f) => !f.methods || f.methods.includes(method));
    if (idx < 0) return null;
    const f = failures[idx];
    failures.splice(idx, 1);
    return f;
  }

  async function handleBot(req, res, url, method) {
    let params;
    try {
      params = parseParams(url, req, await readBody(req));
    } catch {
      return apiError(res, 400, "Bad Request: can't parse JSON object");
    }
    const call = { method, at: Date.now(), params };
    calls.push(call);
    const failure = takeFailure(method);
    if (failure) {
      call.failed = failure.mode;
      if (failure.mode === '429') {
        const n = failure.retry_after ?? 1;
        return apiError(res, 429, `Too Many Requests: retry after ${n}`, { retry_after: n });
      }
      if (failure.mode === '500') return apiError(res, 500, 'Internal Server Error');
      if (failure.mode === 'malformed') return send(res, 200, '{"ok":true,"result":[{"update_id":');
      if (failure.mode === 'html') return send(res, 502, '<html><body>502 Bad Gateway</body></html>', 'text/html');
    }
    switch (method) {
      case 'getMe':
        return send(res, 200, { ok: true, result: BOT });
      case 'getUpdates': {
        const off = params.offset !== undefined ? Number(params.offset) : undefined;
        const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 100);
        const timeout = Math.max(Number(params.timeout ?? 0) || 0, 0);
        if (off !== undefined && Number.isFinite(off)) confirm(off);
        // A newer long poll ends an older one, like Telegram's 409 Conflict.
        if (waiter) {
          const old = waiter; waiter = null; clearTimeout(old.timer);
          apiError(old.res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
        }
        const batch = takeBatch(limit);
        if (batch.length || timeout === 0) return send(res, 200, batchBody(batch));
        await new Promise((resolve) => {
          const w = { res, wake: () => {
            if (waiter !== w) return;
            waiter = null; clearTimeout(w.timer);
            send(res, 200, batchBody(takeBatch(limit)));
            resolve();
          } };
          w.timer = setTimeout(() => {
            if (waiter !== w) return;
            waiter = null;
            send(res, 200, batchBody([]));
            resolve();
          }, timeout * 1000);
          waiter = w;
          res.on('close', () => { if (waiter === w) { waiter = null; clearTimeout(w.timer); } resolve(); });
        });
        return undefined;
      }
      case 'sendMessage': {
        if (params.chat_id === undefined || params.chat_id === '') return apiError(res, 400, 'Bad Request: chat_id is empty');
        if (!params.text) return apiError(res, 400, 'Bad Request: message text is empty');
        const chatId = Number(params.chat_id);
        const msg = { message_id: nextMessageId++, from: BOT,
          chat: chatId < 0 ? { id: chatId, type: 'supergroup', title: `chat ${chatId}` } : { id: chatId, type: 'private', first_name: `user ${chatId}` },
          date: Math.floor(Date.now() / 1000), text: String(params.text) };
        sent.push({ method, params, result: msg });
        return send(res, 200, { ok: true, result: msg });
      }
      case 'deleteMessage': {
        if (params.chat_id === undefined || params.message_id === undefined) return apiError(res, 400, 'Bad Request: message to delete not found');
        sent.push({ method, params, result: true });
        return send(res, 200, { ok: true, result: true });
      }
      default:
        return apiError(res, 404, 'Not Found');
    }
  }

  async function handleControl(req, res, url) {
    const path = url.pathname.slice('/_fake/'.length);
    const body = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    const json = () => JSON.parse(body.toString('utf8') || 'null');
    try {
      if (req.method === 'POST' && path === 'updates') {
        const b = json();
        if (b && !Array.isArray(b) && b.ignore_offset) { redeliver(b.updates); return send(res, 200, { ok: true }); }
        return send(res, 200, { ok: true, update_ids: push(Array.isArray(b) ? b : (b.updates ?? b)) });
      }
      if (req.method === 'POST' && path === 'raw-batch') {
        return send(res, 200, { ok: true, update_ids: pushRaw(json()) });
      }
      if (req.method === 'POST' && path === 'raw') {
        return send(res, 200, { ok: true, update_id: pushRaw(body.toString('utf8'), { force: url.searchParams.get('force') === '1' }) });
      }
      if (req.method === 'POST' && path === 'fail') {
        const b = json() ?? {};
        const n = b.count ?? 1;
        for (let i = 0; i < n; i++) failures.push({ mode: String(b.mode ?? '500'), retry_after: b.retry_after, methods: b.methods });
        return send(res, 200, { ok: true, queued: failures.length });
      }
      if (req.method === 'POST' && path === 'token') { token = String(json()?.token ?? token); return send(res, 200, { ok: true }); }
      if (req.method === 'POST' && path === 'reset') { reset(); return send(res, 200, { ok: true }); }
      if (req.method === 'GET' && path === 'sent') return send(res, 200, sent);
      if (req.method === 'GET' && path === 'calls') return send(res, 200, calls);
      if (req.method === 'GET' && path === 'state') return send(res, 200, state());
    } catch (e) {
      return send(res, 400, { ok: false, error: String(e.message) });
    }
    return send(res, 404, { ok: false, error: 'unknown control endpoint' });
  }

  function state() {
    return { offset, confirmed: offset > 0 ? offset - 1 : null,
      pending: pending.filter((p) => p.id >= offset || p.force).length,
      calls: calls.length, get_updates_calls: calls.filter((c) => c.method === 'getUpdates').length,
      long_poll_waiting: waiter !== null, failures_queued: failures.length, sent: sent.length };
  }

  function reset() {
    pending = []; offset = 0; sent.length = 0; calls.length = 0; failures = [];
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    if (url.pathname.startsWith('/_fake/')) {
      handleControl(req, res, url).catch((e) => send(res, 500, { ok: false, error: String(e) }));
      return;
    }
    const m = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return apiError(res, 404, 'Not Found');
    if (decodeURIComponent(m[1]) !== token) return apiError(res, 401, 'Unauthorized');
    handleBot(req, res, url, m[2]).catch((e) => { if (!res.headersSent) apiError(res, 500, `fake error: ${e}`); });
  });
  server.keepAliveTimeout = 65000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = server.address().port;

  return {
    url: `http://${host}:${port}`, port, token: () => token,
    push, pushRaw, redeliver, state, reset, sent, calls,
    /** Reserves n consecutive update ids for updates a test numbers itself; returns the first. */
    reserveIds: (n = 1) => { const first = nextId; nextId += n; return first; },
    fail: (spec) => { const n = spec.count ?? 1; for (let i = 0; i < n; i++) failures.push({ mode: String(spec.mode), retry_after: spec.retry_after, methods: spec.methods }); },
    close: () => new Promise((resolve) => {
      if (waiter) { clearTimeout(waiter.timer); waiter = null; }
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const fake = await start({ port: Number(arg('--port', process.env.PORT ?? 8081)), token: arg('--token', process.env.TELEGRAM_BOT_TOKEN ?? '123:TEST') });
  console.log(JSON.stringify({ msg: 'fake telegram listening', url: fake.url }));
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
