// Helpers for the delivery suites (20-29): a provider on the fake LLM created over REST, chats
// opened through the fake Telegram with auto-reply on, questions pushed with Telegram-like
// per-chat message ids, waiting for replies, and a Redis server of a suite's own (to SIGKILL it
// without disturbing the shared stack).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { DEFAULT_KEY } from '../fakes/llm.mjs';
import { stackEnv, freePort, textUpdate } from './stack.mjs';
import { uniq } from './api.mjs';
import { waitFor, sleep } from './http.mjs';

/** Prices used by the suites' fake providers (USD per 1M tokens). */
export const PRICES = { input_per_m: 2.5, cached_input_per_m: 1.25, output_per_m: 10 };

/** The USD cost the contract defines: (in - cached) * input + cached * cached_input + out * output, per 1M. */
export function expectedCost({ prompt_tokens: pin, completion_tokens: pout, prompt_tokens_details: d }, prices = PRICES) {
  const cached = d?.cached_tokens ?? 0;
  return ((pin - cached) * prices.input_per_m + cached * prices.cached_input_per_m + pout * prices.output_per_m) / 1e6;
}

/**
 * Creates a provider on the fake LLM over REST (api: an admin-or-better client from api.mjs) and
 * returns its JSON. Defaults: openai_compatible at `${llm.url}/v1`, gpt-4o-mini, the fake's
 * valid key, enabled, position 900 (after the seeded ones, so other suites never default to it).
 */
export async function createFakeProvider(api, llm, overrides = {}) {
  const body = { name: `fake-${uniq()}`, type: 'openai_compatible', base_url: `${llm.url}/v1`, model_id: 'gpt-4o-mini',
    api_key: DEFAULT_KEY, enabled: true, position: 900, prices: PRICES, ...overrides };
  const res = await api.send('POST', '/api/providers', body);
  assert.equal(res.status, 201, `create provider: ${res.text}`);
  return res.json;
}

/** Waits until the edge has stored the fake's bot identity from getMe (what group mentions match). */
export function botUsernameLearned(db) {
  return waitFor(async () => (await db.query("SELECT rt.setting('bot.username') AS v")).rows[0].v === 'rt_test_bot',
    { what: 'bot.username from getMe' });
}

/** A private chat's or a group's first message through the fake, then the chat switched on. */
export async function openChat({ tg, db, api, chatId, chatType = 'private', userId, providerId, autoreply = true, text = 'hello' }) {
  userId ??= chatType === 'private' ? chatId : Math.abs(chatId) + 3;
  const messageId = tg.nextMessageId(chatId);
  tg.push([textUpdate({ chatId, userId, text, messageId, chatType, username: `u${Math.abs(chatId)}`, firstName: 'Tester' })]);
  await waitFor(async () => (await db.query('SELECT 1 FROM rt.chats WHERE id = $1', [chatId])).rowCount === 1,
    { timeoutMs: 20000, what: `chat ${chatId} stored` });
  if (autoreply || providerId !== undefined) {
    const patch = { autoreply, ...(providerId !== undefined ? { provider_id: providerId } : {}) };
    const res = await api.send('PATCH', `/api/chats/${chatId}`, patch);
    assert.equal(res.status, 200, `PATCH chat ${chatId}: ${res.text}`);
  }
  return { chatId, userId, firstMessageId: messageId };
}

/**
 * Pushes a user's text message; returns { messageId, at }. mention: true adds a mention entity
 * for every "@rt_test_bot" in the text (the fake's bot username).
 */
export function ask(tg, { chatId, userId, text, chatType = 'private', mention = false }) {
  userId ??= chatType === 'private' ? chatId : Math.abs(chatId) + 3;
  const messageId = tg.nextMessageId(chatId);
  const u = textUpdate({ chatId, userId, text, messageId, chatType, username: `u${Math.abs(chatId)}`, firstName: 'Tester' });
  if (mention) {
    u.message.entities = [];
    for (let at = text.indexOf('@rt_test_bot'); at >= 0; at = text.indexOf('@rt_test_bot', at + 1)) {
      u.message.entities.push({ type: 'mention', offset: at, length: '@rt_test_bot'.length });
    }
  }
  const [updateId] = tg.push([u]);
  return { messageId, updateId, at: performance.timeOrigin + performance.now() };
}

/** The reply target of a sendMessage call (reply_parameters or reply_to_message_id), or null. */
export function replyTo(params) {
  let rp = params.reply_parameters;
  if (typeof rp === 'string') { try { rp = JSON.parse(rp); } catch { rp = null; } }
  if (rp?.message_id !== undefined) return Number(rp.message_id);
  return params.reply_to_message_id !== undefined ? Number(params.reply_to_message_id) : null;
}

/** Waits for a successful sendMessage to chatId whose text contains needle; returns its record. */
export function waitReply(tg, chatId, needle, { timeoutMs = 30000 } = {}) {
  return waitFor(() => tg.sentMessages(chatId).find((s) => String(s.params.text).includes(needle)),
    { timeoutMs, intervalMs: 50, what: `a reply in chat ${chatId} containing "${needle}"` });
}

/** Successful sendMessage records to chatId whose text contains needle. */
export const repliesWith = (tg, chatId, needle) => tg.sentMessages(chatId).filter((s) => String(s.params.text).includes(needle));

/** rt.messages id of an incoming message, once stored. */
export async function incomingPk(db, chatId, messageId, timeoutMs = 20000) {
  return waitFor(async () => (await db.query(
    "SELECT id FROM rt.messages WHERE chat_id = $1 AND message_id = $2 AND direction = 'in'", [chatId, messageId])).rows[0]?.id,
  { timeoutMs, what: `message ${chatId}/${messageId} stored` }).then(Number);
}

/** The bot's answer to message pk through REST (Message JSON), once `until(message)` holds. */
export async function botAnswer(api, chatId, pk, { until = (m) => m.status === 'sent', timeoutMs = 30000 } = {}) {
  let res;
  const m = await waitFor(async () => {
    res = await api.get(`/api/messages?chat_id=${chatId}&limit=200`);
    const found = res.json?.items?.find((x) => x.in_reply_to === pk && x.direction === 'out');
    return found && until(found) ? found : null;
  }, { timeoutMs, intervalMs: 100, what: `the bot's answer to message ${pk} in chat ${chatId}` });
  return { message: m, res };
}

/** Current value of a setting through REST, and a function that puts it back. */
export async function setSetting(api, key, value) {
  const list = await api.get('/api/settings');
  assert.equal(list.status, 200, list.text);
  const items = Array.isArray(list.json) ? list.json : list.json.items;
  const before = items.find((s) => s.key === key);
  const res = await api.send('PUT', `/api/settings/${key}`, { value });
  assert.equal(res.status, 200, `PUT /api/settings/${key}: ${res.text}`);
  return async () => {
    const r = await api.send('PUT', `/api/settings/${key}`, { value: before ? before.value : null });
    assert.equal(r.status, 200, `restore ${key}: ${r.text}`);
  };
}

/**
 * A redis-server of the suite's own on a free port, durable like the stack's (appendonly,
 * appendfsync always), so a test can SIGKILL and restart it. Returns { url, port, dir, proc,
 * kill(), start(), stop() }.
 */
export async function ownRedis(name = 'redis') {
  const env = stackEnv();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(env.RT_HOME, `${name}-`));
  const r = { port, dir, url: `redis://127.0.0.1:${port}/0`, proc: null };
  r.start = async () => {
    r.proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes',
      '--appendfsync', 'always', '--save', '', '--logfile', path.join(dir, 'redis.log')], { stdio: 'ignore' });
    const { default: Redis } = await import('ioredis');
    await waitFor(async () => {
      const c = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      c.on('error', () => {}); // refused while redis-server starts: retried by waitFor
      try { await c.connect(); return (await c.ping()) === 'PONG'; } catch { return false; } finally { c.disconnect(); }
    }, { timeoutMs: 10000, what: `redis on ${port}` });
  };
  r.kill = async () => {
    if (!r.proc || r.proc.exitCode !== null) return;
    const exited = new Promise((res) => r.proc.once('exit', res));
    r.proc.kill('SIGKILL');
    await exited;
  };
  r.stop = async () => { await r.kill(); fs.rmSync(dir, { recursive: true, force: true }); };
  await r.start();
  return r;
}

export { sleep };
