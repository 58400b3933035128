// Fake LLM provider on node:http, speaking the real wire protocols:
//   OpenAI chat completions   POST …/chat/completions   (`/v1/chat/completions`, or
//                             `/chat/completions` for DeepSeek's base URL without /v1)
//   DeepSeek flavour          same route, selected by a model name starting with "deepseek" (or the
//                             `flavour` option): usage gains prompt_cache_hit/miss_tokens and
//                             deepseek-reasoner streams reasoning_content deltas first
//   Anthropic Messages        POST …/messages (event-stream with message_start … message_stop)
// plus /_fake/ control endpoints. Everything a test needs to provoke is scriptable per request.
//
// Module:
//   const llm = await start({ port: 0 })   → { url, port, close(), calls, script(entries),
//                                              configure(defaults), setKeys(keys), reset(), state() }
//   llm.url is the server root; an OpenAI-style base_url is `${llm.url}/v1`, DeepSeek-style
//   `${llm.url}`, Anthropic-style `${llm.url}/v1`.
// CLI:
//   node tests/fakes/llm.mjs [--port 8090] [--key sk-fake-...]
//
// start() options (all optional; `configure()` and POST /_fake/config change the defaults later):
//   port (0), host ('127.0.0.1'),
//   keys: [valid API keys] (default [DEFAULT_KEY]); every flavour accepts the same keys,
//   chunks (4): content chunks per reply; or chunkSize: code points per chunk (wins over chunks),
//   chunkDelayMs (0): pause before every content chunk,
//   keepAlive (true): `: keep-alive` comment lines between chunks (Anthropic: `ping` events),
//   splitUtf8 (true): every SSE event that holds a multi-byte character is written in two TCP
//     writes split inside that character (the socket has Nagle off and waits splitDelayMs (3)
//     between the writes, so the halves travel in separate segments),
//   reply (req) => text: the reply text (default `Echo: <last user message>`),
//   cachedTokens (0): the cached part of the prompt reported in usage,
//   debate (false): the round table's default reply instead of the echo: `debateReply` below,
//     one voice per model ("ChatGPT" for gpt-*, "DeepSeek" for deepseek-*), quoting the topic
//     (the first user message) and the previous speaker (the last user message after it),
//     different every turn (the model's own earlier turns are counted from the request),
//   tokenizer ('chars'): how usage is counted when not scripted: 'chars' (about four characters
//     a token) or 'gpt' (the gpt-tokenizer package's o200k counts, as the real APIs report them).
//
// Script entries (script([...]) or POST /_fake/script with an array or {entries:[…]}): each entry
// is used by exactly one request, in order. An entry with `match` (substring of the last user
// message) or `model` (exact model) only applies to a request that fits it; `times: n` queues it
// n times. Fields (combine freely):
//   status: N              answer HTTP N with the provider's real error JSON (401, 429, 500, 529 …)
//   retryAfter: s          with a status: `Retry-After: s` header (and the rate-limit body on 429)
//   stallMs: N             send the 200 headers, then nothing for N ms, then the normal reply
//                          (if the client is still there)
//   stallBeforeHeaders     with stallMs: send nothing at all (not even headers) for N ms
//   stallAfterChunks: k    with stallMs: send k content chunks first, then stall
//   truncateAfter: k       send k content chunks then destroy the socket (no finish, usage, [DONE])
//   malformed: true        one `data:` line that is not JSON (after `malformedAt` (1) chunks);
//                          the stream then goes on normally
//   streamError: true      after `errorAt` (1) chunks, the provider's in-stream error event, then end
//   drop: true             destroy the socket before answering anything
//   reply: 'text'          this reply text instead of the echo
//   chunks, chunkSize, chunkDelayMs, keepAlive, splitUtf8   per-request overrides
//   usage: {prompt_tokens, completion_tokens, cached_tokens}   reported usage overrides
//   (an empty reply: `reply: ''` streams no content at all, then finishes normally)
//   (a slow stream: `chunks: 40, chunkDelayMs: 100` sends a token every 100 ms)
//   noUsage: true          no usage at all (even when stream_options.include_usage asks for it)
//   finishReason: 'length' the finish reason (Anthropic stop_reason is mapped: length→max_tokens)
//   flavour: 'openai'|'deepseek'|'anthropic'   force the flavour of the answer
//
// Each request is recorded in `calls` (and GET /_fake/calls): { id, method, path, flavour, model,
// headers (lower-case; authorization, x-api-key, cookie removed), auth ('ok'|'missing'|'bad'),
// key_hint (last 4 characters of the key sent, or null), body (parsed JSON or null), lastUser,
// at (Date.now()), t (high-resolution epoch ms), entry (the script entry used or null), status,
// reply (text sent), usage (as reported), chunksSent, done (the stream ended normally), aborted
// (the client closed before the end), closedAt (t of that close) }.
import http from 'node:http';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const DEFAULT_KEY = 'sk-fake-valid-key-0000';

const REASONING_MODEL = /^(o[1-9]|gpt-5)/;
const nowT = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Text of one chat message's content (a string, or an array of {type:'text', text} parts). */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((p) => (typeof p === 'string' ? p : p?.type === 'text' ? p.text ?? '' : '')).join('');
  return '';
}

function lastUserText(body) {
  const msgs = Array.isArray(body?.messages) ? body.messages : [];
  for (let i = msgs.length - 1; i >= 0; i--) if (msgs[i]?.role === 'user') return contentText(msgs[i].content);
  return '';
}

/** A deterministic token estimate (about four characters per token). */
const charTokens = (text) => Math.max(1, Math.ceil([...String(text)].length / 4));
let gptTokenizer = null; // the gpt-tokenizer module, loaded when a fake asks for it
let tokens = charTokens;
function useTokenizer(kind) {
  tokens = kind === 'gpt' && gptTokenizer ? (text) => Math.max(1, gptTokenizer.countTokens(String(text))) : charTokens;
}
function promptTokens(body) {
  let n = 3;
  if (typeof body?.system === 'string') n += tokens(body.system) + 4;
  else if (Array.isArray(body?.system)) n += tokens(contentText(body.system)) + 4;
  for (const m of Array.isArray(body?.messages) ? body.messages : []) n += 4 + tokens(contentText(m?.content));
  return n;
}

// ---- the round table's voices ----------------------------------------------------------------

const VOICES = {
  ChatGPT: [
    'Public budgets could fund this gradually, starting with pilot districts next spring.',
    'Evidence from Lisbon and Tallinn shows ridership grows when fares drop sharply.',
    'Teachers, nurses and students would gain most, since commuting eats their wages.',
    'A phased rollout lets planners measure congestion before committing billions.',
    'Cleaner air alone might repay much of the investment within a decade.',
    'Partnerships with employers can share costs without raising household taxes.',
    'Digital ticketing data would reveal which routes deserve extra frequency.',
    'Rural links matter too: villages deserve buses that arrive more than twice daily.',
  ],
  DeepSeek: [
    'Who pays when maintenance backlogs explode after the novelty fades?',
    'Crowded carriages at rush hour suggest capacity, not price, limits usage.',
    'Several cities reversed similar schemes once deficits reached uncomfortable levels.',
    'Measured outcomes are thin; most reports come from advocates, not auditors.',
    'Opportunity cost deserves scrutiny: hospitals and schools compete for identical funds.',
    'Fraud, vandalism and unreliable schedules rarely appear in glossy forecasts.',
    'Suburban drivers may simply ignore trains that skip their neighbourhoods entirely.',
    'Without independent audits, any success claim remains an untested hypothesis.',
  ],
};

const clip = (text, n = 120) => { const cps = [...String(text).replace(/\s+/g, ' ').trim()]; return cps.length > n ? `${cps.slice(0, n).join('')}…` : cps.join(''); };

/**
 * The round table's reply of the model in `body`: "<Voice> (turn k) on «<topic>»: <a point of
 * its own for turn k> Replying to «<the previous speaker's words>».", k counted from the
 * assistant messages of the request (its own earlier turns), so two turns of one model never
 * repeat each other. topic: the first user message; previous: the last user message after it.
 */
export function debateReply(body) {
  const model = String(body?.model ?? '');
  const voice = model.startsWith('deepseek') ? 'DeepSeek' : 'ChatGPT';
  const msgs = Array.isArray(body?.messages) ? body.messages : [];
  const users = msgs.filter((m) => m?.role === 'user').map((m) => contentText(m.content));
  const own = msgs.filter((m) => m?.role === 'assistant').length;
  const topic = users[0] ?? '';
  const prev = users.length > 1 ? users[users.length - 1] : null;
  const point = VOICES[voice][own % VOICES[voice].length];
  return `${voice} (turn ${own + 1}) on «${clip(topic, 160)}»: ${point}${prev ? ` Replying to «${clip(prev)}».` : ' I open the debate.'}`;
}

/** Splits text into pieces of whole code points: `size` code points each, or `count` pieces. */
function splitText(text, { count, size }) {
  const cps = [...text];
  if (!cps.length) return [];
  const per = size > 0 ? size : Math.max(1, Math.ceil(cps.length / Math.max(1, count)));
  const out = [];
  for (let i = 0; i < cps.length; i += per) out.push(cps.slice(i, i + per).join(''));
  return out;
}

const hint = (key) => (key ? String(key).slice(-4) : null);
const rid = (prefix, n = 24) => prefix + crypto.randomBytes(n).toString('base64url').slice(0, n);

// ---- provider error bodies ------------------------------------------------------------------

function openaiError(status, { model, retryAfter, key, flavour, message, param = null, code = null, type } = {}) {
  if (message) return { error: { message, type: type ?? 'invalid_request_error', param, code } };
  if (flavour === 'deepseek') {
    if (status === 401) return { error: { message: `Authentication Fails, Your api key: ****${hint(key) ?? ''} is invalid`, type: 'authentication_error', param: null, code: 'invalid_request_error' } };
    if (status === 429) return { error: { message: 'Rate Limit Reached', type: 'rate_limit_reached_error', param: null, code: 'rate_limit_reached' } };
    if (status === 402) return { error: { message: 'Insufficient Balance', type: 'unknown_error', param: null, code: 'invalid_request_error' } };
    if (status === 503) return { error: { message: 'Server overloaded, please try again later.', type: 'server_overloaded', param: null, code: null } };
    if (status >= 500) return { error: { message: 'Server Error', type: 'internal_server_error', param: null, code: null } };
  }
  if (status === 401) {
    return key
      ? { error: { message: `Incorrect API key provided: ${String(key).slice(0, 3)}*******${hint(key)}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } }
      : { error: { message: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.", type: 'invalid_request_error', param: null, code: null } };
  }
  if (status === 429) {
    return { error: { message: `Rate limit reached for ${model ?? 'gpt-4o-mini'} in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in ${retryAfter ?? 20}s. Visit https://platform.openai.com/account/rate-limits to learn more.`, type: 'requests', param: null, code: 'rate_limit_exceeded' } };
  }
  if (status === 503) return { error: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', param: null, code: null } };
  if (status >= 500) return { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } };
  if (status === 404) return { error: { message: `The model \`${model}\` does not exist or you do not have access to it.`, type: 'invalid_request_error', param: null, code: 'model_not_found' } };
  return { error: { message: 'Invalid request.', type: 'invalid_request_error', param: null, code: null } };
}

function anthropicError(status, { message, type } = {}) {
  const types = { 400: 'invalid_request_error', 401: 'authentication_error', 403: 'permission_error', 404: 'not_found_error',
    413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error', 529: 'overloaded_error' };
  const messages = { 401: 'invalid x-api-key', 403: 'Your API key does not have permission to use the specified resource.',
    404: 'The requested resource could not be found.', 429: 'Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage. Please reduce the prompt length or the maximum tokens requested, or try again later.',
    500: 'Internal server error', 529: 'Overloaded' };
  return { type: 'error', error: { type: type ?? types[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error'), message: message ?? messages[status] ?? 'Invalid request' }, request_id: rid('req_') };
}

// ---- the server -----------------------------------------------------------------------------

export async function start(opts = {}) {
  if (typeof opts === 'number') opts = { port: opts };
  const host = opts.host ?? '127.0.0.1';
  let keys = new Set(opts.keys ?? [opts.key ?? DEFAULT_KEY]);
  const defaults = { chunks: 4, chunkSize: 0, chunkDelayMs: 0, keepAlive: true, splitUtf8: true, splitDelayMs: 3, cachedTokens: 0, reply: null,
    debate: false, tokenizer: 'chars' };
  const configure = (o = {}) => {
    for (const k of Object.keys(defaults)) if (o[k] !== undefined) defaults[k] = o[k];
    useTokenizer(defaults.tokenizer);
    return { ...defaults, reply: defaults.reply ? 'function' : null };
  };
  if ((opts.tokenizer ?? 'chars') === 'gpt' && !gptTokenizer) gptTokenizer = await import('gpt-tokenizer');
  configure(opts);
  let queue = [];           // script entries not used yet
  const calls = [];
  let seq = 0;
  const sockets = new Set();

  function script(entries) {
    for (const e of Array.isArray(entries) ? entries : [entries]) {
      const n = Math.max(1, Number(e?.times ?? 1));
      for (let i = 0; i < n; i++) queue.push({ ...e, times: undefined });
    }
    return queue.length;
  }

  function takeEntry(lastUser, model) {
    const i = queue.findIndex((e) => (e.match === undefined || lastUser.includes(String(e.match))) &&
      (e.model === undefined || e.model === model));
    if (i < 0) return null;
    const [e] = queue.splice(i, 1);
    return e;
  }

  function reset() {
    queue = []; calls.length = 0;
  }

  function state() {
    return { calls: calls.length, script_queued: queue.length, in_flight: calls.filter((c) => c.closedAt === null).length, defaults: configure() };
  }

  // -- writing --------------------------------------------------------------------------------
  /** Writes one SSE event; with splitUtf8 a multi-byte character is cut across two TCP writes. */
  async function writeEvent(res, text, o, call) {
    if (res.destroyed || res.writableEnded) return false;
    const buf = Buffer.from(text, 'utf8');
    let cut = -1;
    if (o.splitUtf8) {
      for (let i = 1; i < buf.length; i++) if ((buf[i] & 0xc0) === 0x80) { cut = i; break; }
    }
    if (cut > 0) {
      res.write(buf.subarray(0, cut));
      await sleep(o.splitDelayMs);
      if (res.destroyed) return false;
      res.write(buf.subarray(cut));
      call.splitWrites = (call.splitWrites ?? 0) + 1;
    } else {
      res.write(buf);
    }
    return true;
  }

  function sendJson(res, status, body, headers = {}) {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function errorHeaders(flavour, entry) {
    const h = flavour === 'anthropic' ? { 'request-id': rid('req_') } : { 'x-request-id': rid('req_') };
    if (entry?.retryAfter !== undefined) h['retry-after'] = String(entry.retryAfter);
    if (entry?.status === 429 && flavour !== 'anthropic') {
      Object.assign(h, { 'x-ratelimit-limit-requests': '3', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-reset-requests': `${entry.retryAfter ?? 20}s` });
    }
    if (entry?.status === 429 && flavour === 'anthropic') {
      Object.assign(h, { 'anthropic-ratelimit-requests-limit': '50', 'anthropic-ratelimit-requests-remaining': '0' });
    }
    return h;
  }

  // -- OpenAI / DeepSeek ----------------------------------------------------------------------
  async function chatCompletions(req, res, call, body, entry) {
    const flavour = call.flavour;
    const model = String(body.model);
    const o = { ...defaults, ...pick(entry, ['chunks', 'chunkSize', 'chunkDelayMs', 'keepAlive', 'splitUtf8', 'splitDelayMs']) };
    const text = entry?.reply ?? (defaults.reply ? String(defaults.reply({ body, lastUser: call.lastUser, flavour, path: call.path }))
      : defaults.debate ? debateReply(body) : `Echo: ${call.lastUser}`);
    const reasoning = flavour === 'deepseek' && /reasoner/.test(model) ? `Thinking about: ${call.lastUser}` : null;
    const created = Math.floor(Date.now() / 1000);
    const id = flavour === 'deepseek' ? crypto.randomUUID() : rid('chatcmpl-', 29);
    const fingerprint = flavour === 'deepseek' ? 'fp_fake_prod0820_fp8_kvcache' : 'fp_fake0001';
    const finish = entry?.finishReason ?? 'stop';
    const promptT = entry?.usage?.prompt_tokens ?? promptTokens(body);
    const cached = Math.min(promptT, entry?.usage?.cached_tokens ?? o.cachedTokens ?? defaults.cachedTokens);
    const completionT = entry?.usage?.completion_tokens ?? tokens(text) + (reasoning ? tokens(reasoning) : 0);
    const usage = { prompt_tokens: promptT, completion_tokens: completionT, total_tokens: promptT + completionT,
      prompt_tokens_details: { cached_tokens: cached } };
    if (flavour === 'deepseek') {
      usage.prompt_cache_hit_tokens = cached;
      usage.prompt_cache_miss_tokens = promptT - cached;
      if (reasoning) usage.completion_tokens_details = { reasoning_tokens: tokens(reasoning) };
    } else {
      usage.completion_tokens_details = { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 };
      usage.prompt_tokens_details.audio_tokens = 0;
    }
    call.reply = text;

    if (!body.stream) {
      call.usage = entry?.noUsage ? null : usage;
      const msg = { role: 'assistant', content: text, refusal: null };
      if (reasoning) msg.reasoning_content = reasoning;
      const out = { id, object: 'chat.completion', created, model, choices: [{ index: 0, message: msg, logprobs: null, finish_reason: finish }],
        ...(entry?.noUsage ? {} : { usage }), system_fingerprint: fingerprint };
      if (entry?.stallMs) await sleep(entry.stallMs);
      call.status = 200; call.done = true;
      return sendJson(res, 200, out, { 'x-request-id': rid('req_'), 'openai-processing-ms': '42' });
    }

    const includeUsage = !entry?.noUsage && body.stream_options?.include_usage === true;
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: fingerprint };
    const chunk = (delta, finishReason = null) => `data: ${JSON.stringify({ ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) })}\n\n`;
    const headers = { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive',
      'x-request-id': rid('req_'), ...(flavour === 'openai' ? { 'openai-processing-ms': '42' } : {}) };

    if (entry?.stallMs && entry.stallBeforeHeaders) { await sleep(entry.stallMs); if (res.destroyed) return; }
    res.socket?.setNoDelay(true);
    res.writeHead(200, headers);
    res.flushHeaders();
    call.status = 200;
    if (entry?.stallMs && !entry.stallBeforeHeaders && entry.stallAfterChunks === undefined) { await sleep(entry.stallMs); if (res.destroyed) return; }

    const pieces = splitText(text, { count: o.chunks, size: o.chunkSize });
    const events = [];
    // The first chunk carries the role, as OpenAI's does.
    events.push({ kind: 'meta', data: chunk(flavour === 'deepseek' ? { role: 'assistant', content: '' } : { role: 'assistant', content: '', refusal: null }) });
    if (reasoning) for (const r of splitText(reasoning, { count: 2 })) events.push({ kind: 'meta', data: chunk({ content: null, reasoning_content: r }) });
    for (const p of pieces) events.push({ kind: 'content', data: chunk(reasoning ? { content: p, reasoning_content: null } : { content: p }) });

    let sent = 0;
    for (const ev of events) {
      if (ev.kind === 'content') {
        if (entry?.truncateAfter !== undefined && sent >= entry.truncateAfter) { call.truncated = true; res.destroy(); return; }
        if (entry?.stallMs && entry.stallAfterChunks !== undefined && sent === entry.stallAfterChunks) { await sleep(entry.stallMs); if (res.destroyed) return; }
        if (entry?.malformed && sent === (entry.malformedAt ?? 1)) { await writeEvent(res, `data: {"id":"${id}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"\n\n`, o, call); }
        if (entry?.streamError && sent === (entry.errorAt ?? 1)) {
          await writeEvent(res, `data: ${JSON.stringify(openaiError(500, { flavour }))}\n\n`, o, call);
          call.streamError = true;
          res.end();
          return;
        }
        if (o.chunkDelayMs) await sleep(o.chunkDelayMs);
        if (o.keepAlive && sent > 0) await writeEvent(res, ': keep-alive\n\n', o, call);
      }
      if (!(await writeEvent(res, ev.data, o, call))) return;
      if (ev.kind === 'content') { sent++; call.chunksSent = sent; }
    }
    if (entry?.truncateAfter !== undefined && sent >= entry.truncateAfter && entry.truncateAfter >= pieces.length) { call.truncated = true; res.destroy(); return; }
    await writeEvent(res, chunk({}, finish), o, call);
    if (includeUsage) {
      await writeEvent(res, `data: ${JSON.stringify({ ...base, choices: [], usage })}\n\n`, o, call);
      call.usage = usage;
    } else call.usage = null;
    await writeEvent(res, 'data: [DONE]\n\n', o, call);
    call.done = true;
    res.end();
  }

  // -- Anthropic ------------------------------------------------------------------------------
  async function messages(req, res, call, body, entry) {
    const model = String(body.model);
    const o = { ...defaults, ...pick(entry, ['chunks', 'chunkSize', 'chunkDelayMs', 'keepAlive', 'splitUtf8', 'splitDelayMs']) };
    const text = entry?.reply ?? (defaults.reply ? String(defaults.reply({ body, lastUser: call.lastUser, flavour: 'anthropic', path: call.path })) : `Echo: ${call.lastUser}`);
    const id = rid('msg_01', 22);
    const promptT = entry?.usage?.prompt_tokens ?? promptTokens(body);
    const cached = Math.min(promptT, entry?.usage?.cached_tokens ?? o.cachedTokens ?? defaults.cachedTokens);
    const outT = entry?.usage?.completion_tokens ?? tokens(text);
    // Anthropic's input_tokens excludes the tokens read from the cache.
    const inUsage = { input_tokens: promptT - cached, cache_creation_input_tokens: 0, cache_read_input_tokens: cached };
    const stop = { length: 'max_tokens', stop: 'end_turn' }[entry?.finishReason ?? 'stop'] ?? entry.finishReason;
    call.reply = text;

    if (!body.stream) {
      call.usage = { ...inUsage, output_tokens: outT };
      if (entry?.stallMs) await sleep(entry.stallMs);
      call.status = 200; call.done = true;
      return sendJson(res, 200, { id, type: 'message', role: 'assistant', model, content: [{ type: 'text', text }],
        stop_reason: stop, stop_sequence: null, usage: { ...inUsage, output_tokens: outT } }, { 'request-id': rid('req_') });
    }

    const ev = (name, data) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
    if (entry?.stallMs && entry.stallBeforeHeaders) { await sleep(entry.stallMs); if (res.destroyed) return; }
    res.socket?.setNoDelay(true);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'request-id': rid('req_') });
    res.flushHeaders();
    call.status = 200;
    if (entry?.stallMs && !entry.stallBeforeHeaders && entry.stallAfterChunks === undefined) { await sleep(entry.stallMs); if (res.destroyed) return; }

    await writeEvent(res, ev('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model, content: [],
      stop_reason: null, stop_sequence: null, usage: { ...inUsage, output_tokens: 1 } } }), o, call);
    await writeEvent(res, ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }), o, call);
    await writeEvent(res, ev('ping', { type: 'ping' }), o, call);
    let sent = 0;
    for (const p of splitText(text, { count: o.chunks, size: o.chunkSize })) {
      if (entry?.truncateAfter !== undefined && sent >= entry.truncateAfter) { call.truncated = true; res.destroy(); return; }
      if (entry?.stallMs && entry.stallAfterChunks !== undefined && sent === entry.stallAfterChunks) { await sleep(entry.stallMs); if (res.destroyed) return; }
      if (entry?.malformed && sent === (entry.malformedAt ?? 1)) await writeEvent(res, 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"\n\n', o, call);
      if (entry?.streamError && sent === (entry.errorAt ?? 1)) {
        await writeEvent(res, ev('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), o, call);
        call.streamError = true;
        res.end();
        return;
      }
      if (o.chunkDelayMs) await sleep(o.chunkDelayMs);
      if (o.keepAlive && sent > 0) await writeEvent(res, ev('ping', { type: 'ping' }), o, call);
      if (!(await writeEvent(res, ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }), o, call))) return;
      sent++; call.chunksSent = sent;
    }
    if (entry?.truncateAfter !== undefined) { call.truncated = true; res.destroy(); return; }
    await writeEvent(res, ev('content_block_stop', { type: 'content_block_stop', index: 0 }), o, call);
    // Without usage (noUsage) the message_delta carries none, like a proxy that strips it.
    await writeEvent(res, ev('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null },
      ...(entry?.noUsage ? {} : { usage: { output_tokens: outT } }) }), o, call);
    await writeEvent(res, ev('message_stop', { type: 'message_stop' }), o, call);
    call.usage = entry?.noUsage ? null : { ...inUsage, output_tokens: outT };
    call.done = true;
    res.end();
  }

  // -- dispatch -------------------------------------------------------------------------------
  async function handleApi(req, res, url, kind) {
    const raw = await readBody(req);
    const call = { id: ++seq, method: req.method, path: url.pathname, flavour: kind === 'messages' ? 'anthropic' : 'openai', model: null,
      headers: redact(req.headers), auth: 'missing', key_hint: null, body: null, lastUser: '', at: Date.now(), t: nowT(),
      entry: null, status: null, reply: null, usage: null, chunksSent: 0, done: false, aborted: false, closedAt: null };
    calls.push(call);
    res.on('close', () => {
      call.closedAt = nowT();
      if (!call.done) call.aborted = true;
    });
    let body = null;
    try { body = raw.length ? JSON.parse(raw.toString('utf8')) : null; } catch { call.raw = raw.toString('utf8').slice(0, 2000); }
    call.body = body;
    call.model = typeof body?.model === 'string' ? body.model : null;
    call.lastUser = lastUserText(body);
    if (kind === 'chat' && call.model?.startsWith('deepseek')) call.flavour = 'deepseek';

    // Scripted faults that precede everything (even auth) apply first, so a test can script a
    // drop or a 500 regardless of what the request looks like.
    const entry = takeEntry(call.lastUser, call.model);
    call.entry = entry;
    if (entry?.flavour) call.flavour = entry.flavour;
    const flavour = call.flavour;
    if (entry?.drop) { call.dropped = true; req.socket.destroy(); return; }

    // Authentication, the real way.
    let key = null;
    if (flavour === 'anthropic') {
      key = req.headers['x-api-key'] ?? null;
    } else {
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      key = m ? m[1].trim() : null;
    }
    call.key_hint = hint(key);
    call.auth = key === null ? 'missing' : keys.has(key) ? 'ok' : 'bad';
    if (call.auth !== 'ok') {
      call.status = 401;
      if (flavour === 'anthropic') return sendJson(res, 401, anthropicError(401, key === null ? { message: 'x-api-key header is required' } : {}), errorHeaders(flavour));
      return sendJson(res, 401, openaiError(401, { key, flavour }), { ...errorHeaders(flavour), ...(flavour === 'openai' ? { 'www-authenticate': 'Bearer realm="OpenAI API"' } : {}) });
    }
    if (flavour === 'anthropic' && !req.headers['anthropic-version']) {
      call.status = 400;
      return sendJson(res, 400, anthropicError(400, { message: 'anthropic-version: header is required' }), errorHeaders(flavour));
    }

    if (entry?.status) {
      if (entry.stallMs && entry.stallBeforeHeaders) await sleep(entry.stallMs);
      call.status = entry.status;
      const body2 = flavour === 'anthropic' ? anthropicError(entry.status) : openaiError(entry.status, { model: call.model, retryAfter: entry.retryAfter, key, flavour });
      return sendJson(res, entry.status, body2, errorHeaders(flavour, entry));
    }

    // Request validation, as the providers answer it.
    const bad = (message, param, code = null, type) => {
      call.status = 400;
      return flavour === 'anthropic'
        ? sendJson(res, 400, anthropicError(400, { message }), errorHeaders(flavour))
        : sendJson(res, 400, openaiError(400, { message, param, code, type }), errorHeaders(flavour));
    };
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      return flavour === 'anthropic'
        ? bad('There was an error parsing the body of your request: invalid JSON')
        : bad("We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)", null);
    }
    if (typeof body.model !== 'string' || !body.model) return flavour === 'anthropic' ? bad('model: Field required') : bad('you must provide a model parameter', null);
    if (!Array.isArray(body.messages) || body.messages.length === 0) {
      return flavour === 'anthropic' ? bad('messages: Field required') : bad("[] is too short - 'messages'", 'messages', 'empty_array');
    }
    if (flavour === 'anthropic') {
      if (!Number.isInteger(body.max_tokens)) return bad('max_tokens: Field required');
      if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 1)) return bad('temperature: Input should be less than or equal to 1');
      if (body.messages.some((m) => m?.role === 'system')) return bad('messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.');
      return messages(req, res, call, body, entry);
    }
    if (REASONING_MODEL.test(body.model)) {
      if (body.max_tokens !== undefined) return bad("Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", 'max_tokens', 'unsupported_parameter');
      if (body.temperature !== undefined) return bad(`Unsupported value: 'temperature' does not support ${body.temperature} with this model. Only the default (1) value is supported.`, 'temperature', 'unsupported_value');
    }
    if (body.temperature !== undefined && (typeof body.temperature !== 'number' || body.temperature < 0 || body.temperature > 2)) {
      return bad(`Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${body.temperature} instead.`, 'temperature', 'decimal_above_max_value');
    }
    if (body.stream_options !== undefined && body.stream !== true) return bad('The \'stream_options\' parameter is only allowed when \'stream\' is enabled.', 'stream_options');
    return chatCompletions(req, res, call, body, entry);
  }

  async function handleControl(req, res, url) {
    const path = url.pathname.slice('/_fake/'.length);
    const raw = req.method === 'POST' ? await readBody(req) : Buffer.alloc(0);
    const json = () => JSON.parse(raw.toString('utf8') || 'null');
    try {
      if (req.method === 'POST' && path === 'script') {
        const b = json();
        return sendJson(res, 200, { ok: true, queued: script(Array.isArray(b) ? b : b?.entries ?? [b]) });
      }
      if (req.method === 'POST' && path === 'config') {
        const c = json() ?? {};
        if (c.tokenizer === 'gpt' && !gptTokenizer) gptTokenizer = await import('gpt-tokenizer');
        return sendJson(res, 200, { ok: true, defaults: configure(c) });
      }
      if (req.method === 'POST' && path === 'keys') { setKeys(json()?.keys ?? []); return sendJson(res, 200, { ok: true }); }
      if (req.method === 'POST' && path === 'reset') { reset(); return sendJson(res, 200, { ok: true }); }
      if (req.method === 'GET' && path === 'calls') return sendJson(res, 200, calls);
      if (req.method === 'GET' && path === 'state') return sendJson(res, 200, state());
    } catch (e) {
      return sendJson(res, 400, { ok: false, error: String(e.message) });
    }
    return sendJson(res, 404, { ok: false, error: 'unknown control endpoint' });
  }

  function setKeys(list) { keys = new Set(list); }

  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://fake');
    const fail = (e) => { if (!res.headersSent) sendJson(res, 500, { ok: false, error: `fake error: ${e}` }); else res.destroy(); };
    if (url.pathname.startsWith('/_fake/')) { handleControl(req, res, url).catch(fail); return; }
    if (req.method === 'GET' && /\/models$/.test(url.pathname)) {
      // the model list, authenticated the real way (Bearer, or Anthropic's x-api-key), recorded
      // in `calls` like the API calls (a provider's "test connection" reads it)
      const anthropic = req.headers['x-api-key'] !== undefined;
      const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
      const key = anthropic ? req.headers['x-api-key'] : m ? m[1].trim() : null;
      const call = { id: ++seq, method: req.method, path: url.pathname, flavour: anthropic ? 'anthropic' : 'openai', model: null,
        headers: redact(req.headers), auth: key === null ? 'missing' : keys.has(key) ? 'ok' : 'bad', key_hint: hint(key), body: null,
        lastUser: '', at: Date.now(), t: nowT(), entry: null, status: 200, reply: null, usage: null, chunksSent: 0, done: true,
        aborted: false, closedAt: null };
      calls.push(call);
      if (call.auth !== 'ok') {
        call.status = 401;
        if (anthropic) return sendJson(res, 401, anthropicError(401), errorHeaders('anthropic'));
        return sendJson(res, 401, openaiError(401, { key, flavour: 'openai' }), errorHeaders('openai'));
      }
      const data = [{ id: 'gpt-4o-mini', object: 'model', created: 1721172741, owned_by: 'system' }];
      if (anthropic) return sendJson(res, 200, { data: [{ type: 'model', id: 'claude-3-5-haiku-latest', display_name: 'Claude Haiku' }], has_more: false });
      return sendJson(res, 200, { object: 'list', data });
    }
    if (req.method === 'POST' && /\/chat\/completions$/.test(url.pathname)) { handleApi(req, res, url, 'chat').catch(fail); return; }
    if (req.method === 'POST' && /\/messages$/.test(url.pathname)) { handleApi(req, res, url, 'messages').catch(fail); return; }
    return sendJson(res, 404, { error: { message: `Invalid URL (${req.method} ${url.pathname})`, type: 'invalid_request_error', param: null, code: null } });
  });
  server.keepAliveTimeout = 65000;
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = server.address().port;
  const url = `http://${host}:${port}`;

  return {
    url, port, calls, script, configure, setKeys, reset, state,
    /** OpenAI-style base URL (`…/v1`); DeepSeek-style is `url` itself. */
    baseUrl: `${url}/v1`,
    /** Calls whose last user message contains `text`. */
    callsFor: (text) => calls.filter((c) => c.lastUser.includes(text)),
    close: () => new Promise((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

function pick(o, names) {
  const out = {};
  if (!o) return out;
  for (const n of names) if (o[n] !== undefined) out[n] = o[n];
  return out;
}

function redact(headers) {
  const out = { ...headers };
  for (const h of ['authorization', 'x-api-key', 'cookie', 'proxy-authorization']) delete out[h];
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
  const fake = await start({ port: Number(arg('--port', process.env.PORT ?? 8090)), key: arg('--key', process.env.FAKE_LLM_KEY ?? DEFAULT_KEY) });
  console.log(JSON.stringify({ msg: 'fake llm listening', url: fake.url, openai_base_url: fake.baseUrl, deepseek_base_url: fake.url }));
  const stop = () => fake.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
