// Fake Telegram Bot API on node:http, speaking the real wire protocol (getUpdates long polling
// with offset confirmation, getMe, sendMessage, sendMessageDraft, editMessageText,
// sendChatAction, deleteMessage) plus /_fake/ control endpoints.
// Module: `const tg = await start({ port: 0, token: '123:TEST' })` → { url, port, close, ... }.
// CLI:    `node tests/fakes/telegram.mjs [--port 8081] [--token 123:TEST]`.
//
// Message ids are per chat, as Telegram's are: pushed updates and the bot's own messages share
// one counter per chat (a bot message gets max(seen in the chat) + 1). The fake keeps every
// message it saw or sent (`messages(chatId)`), so replies, edits and deletes are checked the way
// Telegram checks them. An API base URL may carry one extra path segment before /bot<token>
// (`${tg.url}/edge-a`): each call records it as `via`, so a test can tell two edges apart.
//
// Faults (fail({mode, count, methods, retry_after, ms}) or POST /_fake/fail): mode '429' (with
// parameters.retry_after), '500', '502', '503', '504' (any 5xx), 'malformed', 'html', 'drop'
// (the socket is destroyed before an answer), 'stall' (no answer for `ms`, then the normal one),
// 'blocked' (403 Forbidden: bot was blocked by the user); `methods` limits it to those methods.
//
// Records: `calls` (every Bot API call: { method, at, t, params, chat_id, via, failed?, served? },
// `served` being the update ids a getUpdates answer carried, `answered_t` when it was sent),
// `faults` (every injected failure served: { mode, method, at, t, pending_ids } with the update
// ids that were waiting, undelivered, when the failure was answered instead; GET /_fake/faults) and
// `sent` (successful sendMessage, sendMessageDraft, editMessageText, deleteMessage and
// sendChatAction: { method, params, result, chat_id, at, t, via }; a sendMessage's reply_markup
// is in its params and on the stored message); `t` is a high-resolution
// epoch time in ms (performance.timeOrigin + performance.now()) for per-chat rate checks.
//
// Poll hooks (module only): `onPoll(fn)` runs `await fn({ offset, call })` when a getUpdates
// arrives, before its offset is applied or a failure is taken (in order, for every hook); it
// returns a function that removes the hook. A hook may push updates (they are then pending when
// this very call is answered) or look at other systems at the moment the client asks.
import http from 'node:http';
import { pathToFileURL } from 'node:url';

const nowT = () => performance.timeOrigin + performance.now();
const MAX_TEXT = 4096;
const CHAT_ACTIONS = new Set(['typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note']);

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
 * state(), sent, calls, reset(), plus messages(chatId), nextMessageId(chatId), sentMessages(chatId),
 * drafts, minGapMs(chatId), clearFailures(). opts.strictReplies: a reply to a message the fake
 * never saw is refused with 400 "message to be replied not found", as Telegram does.
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
  let webhook = null;        // { url, secret_token } while a webhook is set (setWebhook)
  let offset = 0;            // the last offset the client sent (updates below it are confirmed)
  const strictReplies = opts.strictReplies ?? false; // 400 for a reply to a message the fake never saw
  const chatMax = new Map();  // chat id → highest message_id seen or sent in it
  const store = new Map();    // `${chat}:${message_id}` → { message, deleted, by_bot }
  const drafts = [];          // sendMessageDraft calls: { chat_id, draft_id, text, t }
  const sent = [];           // successful sending calls, in order
  const calls = [];          // every Bot API call: { method, at, params }
  let failures = [];         // queued injected failures: { mode, retry_after, methods }
  let waiter = null;         // the one long poll in flight: { wake, res, timer }
  const faults = [];         // injected failures served: { mode, method, at, t, pending_ids }
  let pollHooks = [];        // onPoll hooks, awaited in order when a getUpdates arrives

  function push(updates) {
    const list = Array.isArray(updates) ? updates : [updates];
    const ids = [];
    for (const u of list) {
      let upd;
      if (u.update_id === undefined) upd = { update_id: nextId++, ...u };
      else { upd = u; nextId = Math.max(nextId, Number(u.update_id) + 1); }
      remember(upd);
      pending.push({ id: Number(upd.update_id), raw: JSON.stringify(upd), force: false });
      ids.push(upd.update_id);
    }
    wake();
    return ids;
  }

  /** Notes the messages of a pushed update, so the bot's ids follow them and replies/deletes find them. */
  function remember(upd) {
    const m = upd?.message ?? upd?.edited_message ?? upd?.channel_post ?? upd?.edited_channel_post;
    const chatId = Number(m?.chat?.id);
    const mid = Number(m?.message_id);
    if (!Number.isFinite(chatId) || !Number.isInteger(mid)) return;
    chatMax.set(chatId, Math.max(chatMax.get(chatId) ?? 0, mid));
    const key = `${chatId}:${mid}`;
    const old = store.get(key);
    store.set(key, { message: m, deleted: old?.deleted ?? false, by_bot: false });
  }

  /** The next message id in a chat (Telegram numbers messages per chat). */
  function nextMsgId(chatId) {
    const n = (chatMax.get(chatId) ?? 0) + 1;
    chatMax.set(chatId, n);
    return n;
  }

  const chatOf = (chatId) => (chatId < 0
    ? { id: chatId, type: chatId < -1000000000000 ? 'supergroup' : 'group', title: `chat ${chatId}` }
    : { id: chatId, type: 'private', first_name: `user ${chatId}` });

  // Raw JSON text of one update, served verbatim (for lone surrogates, \u0000 and the like).
  // An array of texts is queued at once, so one getUpdates answer carries them all.
  function pushRaw(text, { force = false } = {}) {
    const ids = [];
    for (const t of Array.isArray(text) ? text : [text]) {
      const m = /"update_id"\s*:\s*(-?\d+)/.exec(t);
      const id = m ? Number(m[1]) : nextId++;
      if (m) nextId = Math.max(nextId, id + 1);
      try { remember(JSON.parse(t)); } catch { /* not JSON: served verbatim, nothing to remember */ }
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

  /** Ids a getUpdates with this offset would be served now (the client confirmed those below it). */
  function waitingIds(asked) {
    const from = Number.isFinite(asked) && asked > offset ? asked : offset;
    return pending.filter((p) => p.id >= from || p.force).map((p) => p.id);
  }

  function takeBatch(limit) {
    const batch = pending.filter((p) => p.id >= offset || p.force).slice(0, limit);
    // A forced (re-delivered) update is served once; the client confirms it with the offset anyway.
    for (const p of batch) if (p.force) p.force = false;
    return batch;
  }

  const batchBody = (batch) => `{"ok":true,"result":[${batch.map((p) => p.raw).join(',')}]}`;

  /** Telegram's text length: UTF-16 code units. */
  const textLength = (t) => String(t).length;

  /** chat_id as Telegram accepts it: an integer (or its string form); @usernames are not supported here. */
  function chatIdOf(params) {
    if (params.chat_id === undefined || params.chat_id === null || params.chat_id === '') return null;
    const n = Number(params.chat_id);
    return Number.isSafeInteger(n) ? n : NaN;
  }

  /** reply_to_message_id (old style) or reply_parameters.message_id (Bot API 7+). */
  function replyTarget(params) {
    let rp = params.reply_parameters;
    if (typeof rp === 'string') { try { rp = JSON.parse(rp); } catch { rp = null; } }
    if (rp && typeof rp === 'object' && rp.message_id !== undefined) {
      return { id: Number(rp.message_id), allowWithout: rp.allow_sending_without_reply === true || rp.allow_sending_without_reply === 'true' };
    }
    if (params.reply_to_message_id !== undefined && params.reply_to_message_id !== '') {
      return { id: Number(params.reply_to_message_id), allowWithout: params.allow_sending_without_reply === true || params.allow_sending_without_reply === 'true' };
    }
    return null;
  }

  function takeFailure(method) {
    const idx = failures.findIndex((f) => !f.methods || f.methods.includes(method));
    if (idx < 0) return null;
    const f = failures[idx];
    failures.splice(idx, 1);
    return f;
  }

  async function handleBot(req, res, url, method, via) {
    let params;
    try {
      params = parseParams(url, req, await readBody(req));
    } catch {
      return apiError(res, 400, "Bad Request: can't parse JSON object");
    }
    const chatId = chatIdOf(params);
    const call = { method, at: Date.now(), t: nowT(), params, chat_id: chatId, via };
    calls.push(call);
    if (method === 'getUpdates') {
      const offset = params.offset !== undefined ? Number(params.offset) : undefined;
      for (const h of [...pollHooks]) await h({ offset, call });
    }
    const failure = takeFailure(method);
    if (failure) {
      call.failed = failure.mode;
      faults.push({ mode: failure.mode, method, at: Date.now(), t: nowT(),
        pending_ids: method === 'getUpdates' ? waitingIds(Number(params.offset)) : [] });
      if (failure.mode === '429') {
        const n = failure.retry_after ?? 1;
        return apiError(res, 429, `Too Many Requests: retry after ${n}`, { retry_after: n });
      }
      if (failure.mode === '500') return apiError(res, 500, 'Internal Server Error');
      if (failure.mode === 'malformed') return send(res, 200, '{"ok":true,"result":[{"update_id":');
      if (failure.mode === 'html') return send(res, 502, '<html><body>502 Bad Gateway</body></html>', 'text/html');
      if (/^5\d\d$/.test(failure.mode)) {
        const names = { 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };
        return apiError(res, Number(failure.mode), names[failure.mode] ?? 'Internal Server Error');
      }
      if (failure.mode === 'drop') { req.socket.destroy(); return undefined; }
      if (failure.mode === 'blocked') return apiError(res, 403, 'Forbidden: bot was blocked by the user');
      if (failure.mode === 'stall') {
        await new Promise((r) => setTimeout(r, failure.ms ?? 5000));
        if (res.destroyed) return undefined;
      }
    }
    const ok = (result) => {
      sent.push({ method, params, result, chat_id: chatId, at: call.at, t: call.t, via });
      return send(res, 200, { ok: true, result });
    };
    switch (method) {
      case 'getMe':
        return send(res, 200, { ok: true, result: BOT });
      case 'setWebhook': {
        if (typeof params.url !== 'string' || !/^https?:\/\//.test(params.url)) return apiError(res, 400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        if (params.secret_token !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(String(params.secret_token))) return apiError(res, 400, 'Bad Request: secret token contains unallowed characters');
        webhook = { url: params.url, secret_token: params.secret_token ?? null };
        return ok(true);
      }
      case 'deleteWebhook':
        webhook = null;
        return ok(true);
      case 'getWebhookInfo':
        return send(res, 200, { ok: true, result: { url: webhook?.url ?? '', has_custom_certificate: false, pending_update_count: pending.length } });
      case 'getUpdates': {
        // Telegram refuses to be polled while a webhook is set.
        if (webhook) return apiError(res, 409, "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first");
        const off = params.offset !== undefined ? Number(params.offset) : undefined;
        const limit = Math.min(Math.max(Number(params.limit ?? 100) || 100, 1), 100);
        const timeout = Math.max(Number(params.timeout ?? 0) || 0, 0);
        if (off !== undefined && Number.isFinite(off)) confirm(off);
        // A newer long poll ends an older one, like Telegram's 409 Conflict.
        if (waiter) {
          const old = waiter; waiter = null; clearTimeout(old.timer);
          apiError(old.res, 409, 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running');
        }
        const serve = (batch) => {
          call.served = batch.map((p) => p.id);
          call.answered_t = nowT();
          send(res, 200, batchBody(batch));
        };
        const batch = takeBatch(limit);
        if (batch.length || timeout === 0) return serve(batch);
        await new Promise((resolve) => {
          const w = { res, wake: () => {
            if (waiter !== w) return;
            waiter = null; clearTimeout(w.timer);
            serve(takeBatch(limit));
            resolve();
          } };
          w.timer = setTimeout(() => {
            if (waiter !== w) return;
            waiter = null;
            serve([]);
            resolve();
          }, timeout * 1000);
          waiter = w;
          res.on('close', () => { if (waiter === w) { waiter = null; clearTimeout(w.timer); } resolve(); });
        });
        return undefined;
      }
      case 'sendMessage': {
        if (chatId === null) return apiError(res, 400, 'Bad Request: chat_id is empty');
        if (Number.isNaN(chatId)) return apiError(res, 400, 'Bad Request: chat not found');
        if (params.text === undefined || String(params.text).trim() === '') return apiError(res, 400, 'Bad Request: message text is empty');
        if (textLength(params.text) > MAX_TEXT) return apiError(res, 400, 'Bad Request: message is too long');
        const target = replyTarget(params);
        let replyTo = null;
        if (target) {
          const known = store.get(`${chatId}:${target.id}`);
          if (known && !known.deleted) replyTo = known.message;
          else if (strictReplies && !target.allowWithout) return apiError(res, 400, 'Bad Request: message to be replied not found');
        }
        const msg = { message_id: nextMsgId(chatId), from: BOT, chat: chatOf(chatId),
          date: Math.floor(Date.now() / 1000), text: String(params.text) };
        if (replyTo) msg.reply_to_message = replyTo;
        // a keyboard is recorded with the message (and in `sent` params); Telegram echoes only an
        // inline keyboard back in the Message
        let markup;
        if (params.reply_markup !== undefined) {
          try { markup = typeof params.reply_markup === 'string' ? JSON.parse(params.reply_markup) : params.reply_markup; } catch {
            return apiError(res, 400, "Bad Request: can't parse reply keyboard markup JSON object");
          }
          if (markup === null || typeof markup !== 'object' || Array.isArray(markup)) return apiError(res, 400, 'Bad Request: object expected as reply markup');
          if (markup.inline_keyboard) msg.reply_markup = markup;
        }
        store.set(`${chatId}:${msg.message_id}`, { message: { ...msg, reply_to_message: undefined }, deleted: false, by_bot: true,
          markup: markup === undefined ? undefined : JSON.stringify(markup), reply_markup: markup });
        return ok(msg);
      }
      case 'sendMessageDraft': {
        if (chatId === null) return apiError(res, 400, 'Bad Request: chat_id is empty');
        if (Number.isNaN(chatId) || chatId <= 0) return apiError(res, 400, 'Bad Request: TEXTDRAFT_PEER_INVALID');
        const draftId = Number(params.draft_id);
        if (!Number.isInteger(draftId) || draftId === 0) return apiError(res, 400, 'Bad Request: parameter "draft_id" must be non-zero');
        if (params.text !== undefined && textLength(params.text) > MAX_TEXT) return apiError(res, 400, 'Bad Request: message is too long');
        drafts.push({ chat_id: chatId, draft_id: draftId, text: params.text === undefined ? '' : String(params.text), t: call.t });
        return ok(true);
      }
      case 'editMessageText': {
        if (params.inline_message_id !== undefined) return apiError(res, 400, 'Bad Request: MESSAGE_ID_INVALID');
        if (chatId === null) return apiError(res, 400, 'Bad Request: chat_id is empty');
        if (params.text === undefined || String(params.text).trim() === '') return apiError(res, 400, 'Bad Request: text must be non-empty');
        if (textLength(params.text) > MAX_TEXT) return apiError(res, 400, 'Bad Request: MESSAGE_TOO_LONG');
        const entry = store.get(`${chatId}:${Number(params.message_id)}`);
        if (!entry || entry.deleted) return apiError(res, 400, 'Bad Request: message to edit not found');
        if (!entry.by_bot) return apiError(res, 400, "Bad Request: message can't be edited");
        const markup = params.reply_markup === undefined ? undefined : (typeof params.reply_markup === 'string' ? params.reply_markup : JSON.stringify(params.reply_markup));
        if (entry.message.text === String(params.text) && markup === entry.markup) {
          return apiError(res, 400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
        }
        entry.message = { ...entry.message, text: String(params.text), edit_date: Math.floor(Date.now() / 1000) };
        entry.markup = markup;
        return ok(entry.message);
      }
      case 'sendChatAction': {
        if (chatId === null) return apiError(res, 400, 'Bad Request: chat_id is empty');
        if (!CHAT_ACTIONS.has(String(params.action ?? ''))) return apiError(res, 400, 'Bad Request: wrong parameter action in request');
        return ok(true);
      }
      case 'deleteMessage': {
        if (chatId === null || params.message_id === undefined) return apiError(res, 400, 'Bad Request: message to delete not found');
        const entry = store.get(`${chatId}:${Number(params.message_id)}`);
        if (!entry || entry.deleted) return apiError(res, 400, 'Bad Request: message to delete not found');
        entry.deleted = true;
        return ok(true);
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
        for (let i = 0; i < n; i++) failures.push({ mode: String(b.mode ?? '500'), retry_after: b.retry_after, methods: b.methods, ms: b.ms });
        return send(res, 200, { ok: true, queued: failures.length });
      }
      if (req.method === 'POST' && path === 'token') { token = String(json()?.token ?? token); return send(res, 200, { ok: true }); }
      if (req.method === 'POST' && path === 'reset') { reset(); return send(res, 200, { ok: true }); }
      if (req.method === 'GET' && path === 'sent') return send(res, 200, sent);
      if (req.method === 'GET' && path === 'calls') return send(res, 200, calls);
      if (req.method === 'GET' && path === 'faults') return send(res, 200, faults);
      if (req.method === 'GET' && path === 'state') return send(res, 200, state());
      if (req.method === 'GET' && path === 'drafts') return send(res, 200, drafts);
      if (req.method === 'GET' && path === 'messages') return send(res, 200, [...store.values()].map((v) => ({ ...v.message, deleted: v.deleted, by_bot: v.by_bot })));
    } catch (e) {
      return send(res, 400, { ok: false, error: String(e.message) });
    }
    return send(res, 404, { ok: false, error: 'unknown control endpoint' });
  }

  function state() {
    return { offset, confirmed: offset > 0 ? offset - 1 : null,
      pending: pending.filter((p) => p.id >= offset || p.force).length,
      calls: calls.length, get_updates_calls: calls.filter((c) => c.method === 'getUpdates').length,
      long_poll_waiting: waiter !== null, failures_queued: failures.length, faults_served: faults.length, sent: sent.length,
      webhook: webhook ? { ...webhook } : null };
  }

  function reset() {
    pending = []; offset = 0; sent.length = 0; calls.length = 0; failures = []; drafts.length = 0; faults.length = 0;
  }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    if (url.pathname.startsWith('/_fake/')) {
      handleControl(req, res, url).catch((e) => send(res, 500, { ok: false, error: String(e) }));
      return;
    }
    // An optional first segment (`/edge-a/bot<token>/method`) names the client in the records.
    const m = /^(?:\/([^/]+))?\/bot([^/]+)\/([A-Za-z]+)$/.exec(url.pathname);
    if (!m) return apiError(res, 404, 'Not Found');
    if (decodeURIComponent(m[2]) !== token) return apiError(res, 401, 'Unauthorized');
    handleBot(req, res, url, m[3], m[1] ?? null).catch((e) => { if (!res.headersSent) apiError(res, 500, `fake error: ${e}`); });
  });
  server.keepAliveTimeout = 65000;

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = server.address().port;

  return {
    url: `http://${host}:${port}`, port, token: () => token,
    /** Changes the bot token the fake accepts (as POST /_fake/token does). */
    setToken: (t) => { token = String(t); },
    push, pushRaw, redeliver, state, reset, sent, calls, faults,
    /** Runs `await fn({ offset, call })` whenever a getUpdates arrives (see the header); returns its remover. */
    onPoll: (fn) => { pollHooks.push(fn); return () => { pollHooks = pollHooks.filter((h) => h !== fn); }; },
    /** Reserves n consecutive update ids for updates a test numbers itself; returns the first. */
    reserveIds: (n = 1) => { const first = nextId; nextId += n; return first; },
    fail: (spec) => { const n = spec.count ?? 1; for (let i = 0; i < n; i++) failures.push({ mode: String(spec.mode), retry_after: spec.retry_after, methods: spec.methods, ms: spec.ms }); },
    /** Drops the injected failures not used yet. */
    clearFailures: () => { failures = []; },
    /** The messages the fake knows in a chat (pushed or sent), by message id, with deleted flags. */
    messages: (chatId) => [...store.entries()].filter(([k]) => k.startsWith(`${Number(chatId)}:`))
      .map(([, v]) => ({ ...v.message, deleted: v.deleted, by_bot: v.by_bot })).sort((a, b) => a.message_id - b.message_id),
    /** Reserves the next message id of a chat for an update a test builds itself. */
    nextMessageId: (chatId) => nextMsgId(Number(chatId)),
    /** Successful sendMessage records for a chat (or all), in order. */
    sentMessages: (chatId) => sent.filter((s) => s.method === 'sendMessage' && (chatId === undefined || s.chat_id === Number(chatId))),
    drafts,
    /** The smallest gap in ms between two successful sendMessage calls to the same chat (Infinity when none). */
    minGapMs: (chatId) => {
      const byChat = new Map();
      for (const s of sent) if (s.method === 'sendMessage' && (chatId === undefined || s.chat_id === Number(chatId))) {
        if (!byChat.has(s.chat_id)) byChat.set(s.chat_id, []);
        byChat.get(s.chat_id).push(s.t);
      }
      let min = Infinity;
      for (const ts of byChat.values()) { ts.sort((a, b) => a - b); for (let i = 1; i < ts.length; i++) min = Math.min(min, ts[i] - ts[i - 1]); }
      return min;
    },
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
