// The fakes speak the real wire protocols: the fake LLM's OpenAI, DeepSeek and Anthropic streams
// parse the way a real client parses them (bytes reassembled across split UTF-8 writes), its
// auth and validation errors have the providers' shapes, and every scripted fault behaves as
// documented; the fake Telegram's sending methods answer like the Bot API. No rt-edge needed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { start as startLlm, DEFAULT_KEY } from '../fakes/llm.mjs';
import { start as startTelegram } from '../fakes/telegram.mjs';

let llm; let tg;
before(async () => {
  llm = await startLlm({ port: 0 });
  tg = await startTelegram({ port: 0, strictReplies: true });
});
after(async () => {
  await llm?.close();
  await tg?.close();
});

/**
 * POSTs JSON and collects the raw response: { status, headers, buf, writes (chunks as received),
 * error (socket error, e.g. a reset) }.
 */
function post(base, path, body, headers = {}) {
  return new Promise((resolve) => {
    const data = typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(new URL(path, base), { method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...headers } }, (res) => {
      const writes = [];
      res.on('data', (c) => writes.push(c));
      const done = (error) => resolve({ status: res.statusCode, headers: res.headers, buf: Buffer.concat(writes), writes, error });
      res.on('end', () => done(null));
      res.on('error', (e) => done(e));
      res.on('aborted', () => done(new Error('aborted')));
    });
    req.on('error', (e) => resolve({ status: 0, headers: {}, buf: Buffer.alloc(0), writes: [], error: e }));
    req.end(data);
  });
}

const bearer = (key = DEFAULT_KEY) => ({ authorization: `Bearer ${key}` });
const anthropicHeaders = (key = DEFAULT_KEY) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' });

/** Parses an SSE body the way an EventSource does: events of {event, data[]}, comments counted. */
function parseSse(text) {
  const events = []; let comments = 0;
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    const ev = { event: 'message', data: [] };
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments++;
      else if (line.startsWith('event: ')) ev.event = line.slice(7);
      else if (line.startsWith('data: ')) ev.data.push(line.slice(6));
    }
    if (ev.data.length) events.push(ev);
  }
  return { events, comments };
}

const chatBody = (text, extra = {}) => ({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true },
  messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: text }], temperature: 0.7, max_tokens: 100, ...extra });

test('OpenAI stream: role chunk, content chunks, stop, usage, [DONE]; UTF-8 split across writes', { timeout: 20000 }, async () => {
  const text = 'привет 🌍 мир';
  const r = await post(llm.url, '/v1/chat/completions', chatBody(text), bearer());
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^text\/event-stream/);
  // At least one piece as received is not valid UTF-8 on its own: a character was cut in two.
  const strict = new TextDecoder('utf-8', { fatal: true });
  const cut = r.writes.filter((w) => { try { strict.decode(w); return false; } catch { return true; } });
  assert.ok(cut.length >= 1, `a multi-byte character arrives split across reads (${r.writes.length} reads)`);
  const { events, comments } = parseSse(r.buf.toString('utf8'));
  assert.ok(comments >= 1, 'keep-alive comments between chunks');
  assert.equal(events.at(-1).data[0], '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data[0]));
  for (const c of chunks) assert.equal(c.object, 'chat.completion.chunk');
  assert.equal(chunks[0].choices[0].delta.role, 'assistant');
  const usageChunk = chunks.at(-1);
  assert.deepEqual(usageChunk.choices, []);
  assert.ok(usageChunk.usage.prompt_tokens > 0 && usageChunk.usage.completion_tokens > 0);
  assert.equal(usageChunk.usage.total_tokens, usageChunk.usage.prompt_tokens + usageChunk.usage.completion_tokens);
  assert.equal(usageChunk.usage.prompt_tokens_details.cached_tokens, 0);
  const stop = chunks.at(-2);
  assert.equal(stop.choices[0].finish_reason, 'stop');
  const content = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
  assert.equal(content, `Echo: ${text}`);
  const call = llm.calls.at(-1);
  assert.equal(call.auth, 'ok');
  assert.equal(call.headers.authorization, undefined, 'the key is not recorded');
  assert.equal(call.key_hint, DEFAULT_KEY.slice(-4));
  assert.equal(call.done, true);
  assert.equal(call.lastUser, text);
  assert.ok(call.splitWrites >= 1);
});

test('non-streaming chat completion, DeepSeek flavour and reasoner', { timeout: 20000 }, async () => {
  const plain = await post(llm.url, '/v1/chat/completions', chatBody('hi', { stream: false, stream_options: undefined }), bearer());
  assert.equal(plain.status, 200);
  const j = JSON.parse(plain.buf);
  assert.equal(j.object, 'chat.completion');
  assert.equal(j.choices[0].message.content, 'Echo: hi');
  assert.ok(j.usage.prompt_tokens > 0);

  llm.script([{ usage: { cached_tokens: 5, prompt_tokens: 20 } }]);
  const ds = await post(llm.url, '/chat/completions', chatBody('ds', { model: 'deepseek-reasoner' }), bearer());
  const evs = parseSse(ds.buf.toString('utf8')).events;
  const chunks = evs.slice(0, -1).map((e) => JSON.parse(e.data[0]));
  assert.ok(chunks.some((c) => c.choices[0]?.delta?.reasoning_content), 'reasoning_content deltas');
  const u = chunks.at(-1).usage;
  assert.equal(u.prompt_cache_hit_tokens, 5);
  assert.equal(u.prompt_cache_miss_tokens, 15);
  assert.equal(u.prompt_tokens_details.cached_tokens, 5);
  assert.equal(llm.calls.at(-1).flavour, 'deepseek');
});

test('Anthropic stream: message_start … message_stop with pings and usage', { timeout: 20000 }, async () => {
  const body = { model: 'claude-3-5-haiku-latest', stream: true, max_tokens: 100, system: 'be brief', messages: [{ role: 'user', content: 'ciao é' }] };
  const r = await post(llm.url, '/v1/messages', body, anthropicHeaders());
  assert.equal(r.status, 200);
  const { events } = parseSse(r.buf.toString('utf8'));
  const names = events.map((e) => e.event);
  assert.equal(names[0], 'message_start');
  assert.ok(names.includes('ping'));
  assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
  const start = JSON.parse(events[0].data[0]);
  assert.ok(start.message.usage.input_tokens > 0);
  assert.equal(start.message.usage.cache_read_input_tokens, 0);
  const text = events.filter((e) => e.event === 'content_block_delta').map((e) => JSON.parse(e.data[0]).delta.text).join('');
  assert.equal(text, 'Echo: ciao é');
  const md = JSON.parse(events.at(-2).data[0]);
  assert.equal(md.delta.stop_reason, 'end_turn');
  assert.ok(md.usage.output_tokens > 0);

  const noVersion = await post(llm.url, '/v1/messages', body, { 'x-api-key': DEFAULT_KEY });
  assert.equal(noVersion.status, 400);
  assert.equal(JSON.parse(noVersion.buf).error.type, 'invalid_request_error');
  const badKey = await post(llm.url, '/v1/messages', body, anthropicHeaders('sk-ant-wrong'));
  assert.equal(badKey.status, 401);
  assert.deepEqual(JSON.parse(badKey.buf).error, { type: 'authentication_error', message: 'invalid x-api-key' });
});

test('auth and validation errors have the providers\' shapes', { timeout: 20000 }, async () => {
  const none = await post(llm.url, '/v1/chat/completions', chatBody('x'));
  assert.equal(none.status, 401);
  assert.equal(JSON.parse(none.buf).error.type, 'invalid_request_error');
  const bad = await post(llm.url, '/v1/chat/completions', chatBody('x'), bearer('sk-wrong-1234'));
  assert.equal(bad.status, 401);
  assert.equal(JSON.parse(bad.buf).error.code, 'invalid_api_key');
  assert.ok(!bad.buf.toString().includes('sk-wrong-1234'), 'the full key is never echoed');
  const ds = await post(llm.url, '/chat/completions', chatBody('x', { model: 'deepseek-chat' }), bearer('sk-wrong-1234'));
  assert.equal(JSON.parse(ds.buf).error.type, 'authentication_error');
  const o3 = await post(llm.url, '/v1/chat/completions', chatBody('x', { model: 'o3-mini', max_tokens: undefined }), bearer());
  assert.equal(o3.status, 400);
  assert.equal(JSON.parse(o3.buf).error.param, 'temperature');
  const gpt5 = await post(llm.url, '/v1/chat/completions', chatBody('x', { model: 'gpt-5-mini', temperature: undefined }), bearer());
  assert.equal(gpt5.status, 400);
  assert.equal(JSON.parse(gpt5.buf).error.param, 'max_tokens');
  const ok5 = await post(llm.url, '/v1/chat/completions', chatBody('x', { model: 'gpt-5-mini', temperature: undefined, max_tokens: undefined, max_completion_tokens: 50 }), bearer());
  assert.equal(ok5.status, 200);
  const junk = await post(llm.url, '/v1/chat/completions', '{not json', bearer());
  assert.equal(junk.status, 400);
});

test('scripted faults: 500, 429 + Retry-After, drop, truncate, malformed, stall, match', { timeout: 30000 }, async () => {
  llm.script([{ status: 500 }, { status: 429, retryAfter: 2 }, { drop: true }, { truncateAfter: 1, chunks: 4 }, { malformed: true, chunks: 3 }]);
  const e500 = await post(llm.url, '/v1/chat/completions', chatBody('f1'), bearer());
  assert.equal(e500.status, 500);
  assert.equal(JSON.parse(e500.buf).error.type, 'server_error');
  const e429 = await post(llm.url, '/v1/chat/completions', chatBody('f2'), bearer());
  assert.equal(e429.status, 429);
  assert.equal(e429.headers['retry-after'], '2');
  assert.equal(JSON.parse(e429.buf).error.code, 'rate_limit_exceeded');
  const drop = await post(llm.url, '/v1/chat/completions', chatBody('f3'), bearer());
  assert.ok(drop.error, 'socket destroyed');
  const trunc = await post(llm.url, '/v1/chat/completions', chatBody('f4 truncated please'), bearer());
  assert.ok(!trunc.buf.toString().includes('[DONE]'));
  assert.ok(!trunc.buf.toString().includes('"finish_reason":"stop"'));
  const mal = await post(llm.url, '/v1/chat/completions', chatBody('f5 malformed'), bearer());
  const datas = parseSse(mal.buf.toString()).events.map((e) => e.data[0]);
  assert.ok(datas.some((d) => { if (d === '[DONE]') return false; try { JSON.parse(d); return false; } catch { return true; } }), 'one data line is not JSON');
  assert.equal(datas.at(-1), '[DONE]');

  // A matched entry waits for its request; others pass by.
  llm.script([{ match: 'needle', status: 503 }]);
  const other = await post(llm.url, '/v1/chat/completions', chatBody('hay'), bearer());
  assert.equal(other.status, 200);
  const needle = await post(llm.url, '/v1/chat/completions', chatBody('a needle'), bearer());
  assert.equal(needle.status, 503);

  // A stall after headers: the client gives up, the fake records it as aborted.
  llm.script([{ stallMs: 3000 }]);
  const t0 = Date.now();
  await new Promise((resolve) => {
    const data = JSON.stringify(chatBody('stall'));
    const req = http.request(new URL('/v1/chat/completions', llm.url), { method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data), ...bearer() } }, (res) => {
      assert.equal(res.statusCode, 200);
      setTimeout(() => { req.destroy(); resolve(); }, 300);
    });
    req.on('error', () => {});
    req.end(data);
  });
  const stalled = llm.calls.at(-1);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(stalled.aborted, true);
  assert.ok(stalled.closedAt - stalled.t < 2000 && Date.now() - t0 < 2500);
});

test('fake Telegram: per-chat ids, replies, drafts, edits, actions, deletes and faults', { timeout: 20000 }, async () => {
  const api = (method, params) => post(tg.url, `/bot123:TEST/${method}`, params).then((r) => ({ status: r.status, json: JSON.parse(r.buf) }));
  const chat = 555001;
  tg.push([{ message: { message_id: 7, from: { id: chat, is_bot: false, first_name: 'A' }, chat: { id: chat, type: 'private', first_name: 'A' }, date: 1, text: 'q' } }]);
  const m1 = await api('sendMessage', { chat_id: chat, text: 'answer', reply_parameters: { message_id: 7 } });
  assert.equal(m1.status, 200);
  assert.equal(m1.json.result.message_id, 8, 'ids follow the chat\'s own messages');
  assert.equal(m1.json.result.reply_to_message.message_id, 7);
  assert.equal(m1.json.result.from.is_bot, true);
  const other = await api('sendMessage', { chat_id: chat + 1, text: 'x' });
  assert.equal(other.json.result.message_id, 1, 'another chat has its own counter');
  assert.equal((await api('sendMessage', { chat_id: chat, text: 'x', reply_to_message_id: 999 })).json.description, 'Bad Request: message to be replied not found');
  assert.equal((await api('sendMessage', { chat_id: chat, text: '' })).json.description, 'Bad Request: message text is empty');
  assert.equal((await api('sendMessage', { chat_id: chat, text: 'x'.repeat(4097) })).json.description, 'Bad Request: message is too long');
  assert.equal((await api('sendMessage', { chat_id: chat, text: 'я'.repeat(4096) })).status, 200, '4096 characters are fine');
  assert.deepEqual((await api('sendMessageDraft', { chat_id: chat, draft_id: 42, text: 'partial' })).json, { ok: true, result: true });
  assert.equal(tg.drafts.at(-1).text, 'partial');
  assert.equal((await api('sendMessageDraft', { chat_id: -100, draft_id: 42, text: 'x' })).status, 400);
  assert.equal((await api('editMessageText', { chat_id: chat, message_id: 8, text: 'answer' })).json.description,
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message');
  const edited = await api('editMessageText', { chat_id: chat, message_id: 8, text: 'answer v2' });
  assert.equal(edited.json.result.text, 'answer v2');
  assert.ok(edited.json.result.edit_date);
  assert.equal((await api('sendChatAction', { chat_id: chat, action: 'typing' })).json.result, true);
  assert.equal((await api('sendChatAction', { chat_id: chat, action: 'dancing' })).status, 400);
  assert.equal((await api('deleteMessage', { chat_id: chat, message_id: 7 })).json.result, true);
  assert.equal((await api('deleteMessage', { chat_id: chat, message_id: 7 })).json.description, 'Bad Request: message to delete not found');
  assert.equal((await api('deleteMessage', { chat_id: chat, message_id: 12345 })).status, 400);

  tg.fail({ mode: '429', retry_after: 3, methods: ['sendMessage'] });
  const limited = await api('sendMessage', { chat_id: chat, text: 'y' });
  assert.deepEqual(limited.json, { ok: false, error_code: 429, description: 'Too Many Requests: retry after 3', parameters: { retry_after: 3 } });
  tg.fail({ mode: '502', methods: ['sendMessage'] });
  assert.equal((await api('sendMessage', { chat_id: chat, text: 'y' })).status, 502);
  tg.fail({ mode: 'drop', methods: ['sendMessage'] });
  const dropped = await post(tg.url, '/bot123:TEST/sendMessage', { chat_id: chat, text: 'y' });
  assert.ok(dropped.error, 'connection dropped');
  const via = await post(tg.url, '/edge-a/bot123:TEST/sendMessage', { chat_id: chat, text: 'via' });
  assert.equal(via.status, 200);
  assert.equal(tg.sentMessages(chat).at(-1).via, 'edge-a');
  assert.ok(tg.sentMessages(chat).every((s) => typeof s.t === 'number' && s.chat_id === chat));
  assert.ok(tg.minGapMs(chat) >= 0);
});

test('fake Telegram: a served fault is recorded with the updates it withheld (GET /_fake/faults); served ids per poll; onPoll runs first', { timeout: 20000 }, async () => {
  const get = (path) => new Promise((resolve, reject) => http.get(new URL(path, tg.url), (res) => {
    const chunks = []; res.on('data', (c) => chunks.push(c)); res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  }).on('error', reject));
  const poll = (offset) => post(tg.url, '/bot123:TEST/getUpdates', { offset, timeout: 0 }).then((r) => JSON.parse(r.buf));
  const before = (await get('/_fake/faults')).length;
  const [id] = tg.push([{ message: { message_id: 1, date: 1, chat: { id: 42, type: 'private' }, text: 'x' } }]);
  const seen = [];
  const off = tg.onPoll(({ offset }) => { seen.push(offset); });
  await post(tg.url, '/_fake/fail', { mode: 'malformed', methods: ['getUpdates'] });
  const bad = await post(tg.url, '/bot123:TEST/getUpdates', { offset: id, timeout: 0 });
  assert.equal(bad.buf.toString(), '{"ok":true,"result":[{"update_id":');
  const faults = (await get('/_fake/faults')).slice(before);
  assert.deepEqual(faults.map((f) => [f.mode, f.method, f.pending_ids]), [['malformed', 'getUpdates', [id]]]);
  assert.equal((await get('/_fake/state')).faults_served, before + 1);
  const good = await poll(id);
  assert.deepEqual(good.result.map((u) => u.update_id), [id], 'the withheld update is served by the next poll');
  assert.deepEqual(tg.calls.at(-1).served, [id]);
  await poll(id + 1);
  assert.deepEqual(tg.calls.at(-1).served, []);
  assert.deepEqual(seen, [id, id, id + 1], 'the hook saw every poll with its offset');
  off();
});
