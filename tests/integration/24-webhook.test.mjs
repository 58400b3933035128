// Webhook mode: with TELEGRAM_WEBHOOK_SECRET the edge announces its URL with setWebhook, never
// polls, and takes updates on POST /api/telegram/webhook only with the right
// X-Telegram-Bot-Api-Secret-Token (403 otherwise); it answers 200 only once the update is stored
// in {rt}:in. Bad bodies get problem+json naming the problem; a duplicate update is stored once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { request, login, waitFor } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';

const SECRET = 'hook_Secret-123';
const HOOK = '/api/telegram/webhook';
let tg; let edge; let db;

before(async () => {
  tg = await startTelegram({ port: 0 });
  edge = await startEdge({
    name: 'webhook', telegram: tg,
    env: { TELEGRAM_WEBHOOK_SECRET: SECRET, TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/api/telegram/webhook' },
  });
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

const hook = (body, headers = {}) => request(edge.url, 'POST', HOOK, {
  body: typeof body === 'string' ? body : JSON.stringify(body),
  headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET, ...headers },
});

test('the edge announces its webhook with the secret and never polls getUpdates', { timeout: 30000 }, async () => {
  await waitFor(() => tg.state().webhook !== null, { what: 'setWebhook' });
  assert.deepEqual(tg.state().webhook, { url: 'https://bot.example.org/api/telegram/webhook', secret_token: SECRET });
  await new Promise((r) => setTimeout(r, 1500));
  assert.equal(tg.state().get_updates_calls, 0, 'no getUpdates in webhook mode');
});

// Telegram's update ids never repeat; this suite takes its own growing range.
let nextUpdateId = 2e12 + (Date.now() % 1e8) * 1000;
const update = (chatId, text) => textUpdate({ chatId, userId: chatId, text, messageId: 1, updateId: nextUpdateId++ });

test('a wrong or missing secret token is 403 and stores nothing', { timeout: 30000 }, async () => {
  const chatId = uniqueId();
  const u = update(chatId, 'forged update');
  for (const headers of [{ 'X-Telegram-Bot-Api-Secret-Token': 'wrong' }, { 'X-Telegram-Bot-Api-Secret-Token': `${SECRET}x` },
    { 'X-Telegram-Bot-Api-Secret-Token': SECRET.slice(0, -1) }, { 'X-Telegram-Bot-Api-Secret-Token': '' }]) {
    const res = await hook(u, headers);
    assertProblem(res, 403);
    assertResponse('telegramWebhook', res);
  }
  const bare = await request(edge.url, 'POST', HOOK, { json: u });
  assertProblem(bare, 403);
  await new Promise((r) => setTimeout(r, 500));
  const { rows } = await db.query('SELECT count(*)::int AS n FROM rt.messages WHERE chat_id = $1', [chatId]);
  assert.equal(rows[0].n, 0, 'a forged update never reaches the history');
});

test('bad bodies: 400 naming the problem, 415 for another content type', { timeout: 30000 }, async () => {
  for (const [body, field] of [['{"update_id": 1,', null], ['[1,2]', null], ['{"message": {}}', 'update_id'],
    ['{"update_id": "7"}', 'update_id'], ['{"update_id": -5}', 'update_id'], ['"\\ud800"', null]]) {
    const res = await hook(body);
    assertProblem(res, 400);
    assertResponse('telegramWebhook', res);
    if (field) assert.equal(res.json.field, field, `${body} → ${res.text}`);
  }
  const bad = Buffer.from([0x7b, 0x22, 0x75, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]); // {"u\xff\xfe":1}
  const utf = await request(edge.url, 'POST', HOOK, { body: bad, headers: { 'content-type': 'application/json', 'X-Telegram-Bot-Api-Secret-Token': SECRET } });
  assertProblem(utf, 400);
  const form = await hook('update_id=1', { 'content-type': 'application/x-www-form-urlencoded' });
  assertProblem(form, 415);
  assertResponse('telegramWebhook', form);
});

test('a good update: 200 once stored, the message is in the history; a duplicate is stored once', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  const u = update(chatId, 'hello over the webhook');
  const res = await hook(u);
  assert.equal(res.status, 200, res.text);
  assertResponse('telegramWebhook', res);
  const again = await hook(u); // Telegram re-delivers when it did not see our 200
  assert.equal(again.status, 200, again.text);
  await waitFor(async () => (await db.query('SELECT count(*)::int AS n FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].n === 1,
    { what: 'the webhook update in rt.messages' });
  await new Promise((r) => setTimeout(r, 500));
  const { rows } = await db.query('SELECT text FROM rt.messages WHERE chat_id = $1', [chatId]);
  assert.deepEqual(rows.map((r) => r.text), ['hello over the webhook'], 'one row for two deliveries');
  const s = await login(edge.url);
  const list = await request(edge.url, 'GET', `/api/messages?chat_id=${chatId}`, { cookie: s.cookie });
  assert.equal(list.json.items[0].text, 'hello over the webhook');
});

test('without webhook mode the route is 404', { timeout: 30000 }, async () => {
  const plain = await startEdge({ name: 'webhook-off' });
  try {
    const res = await request(plain.url, 'POST', HOOK, { json: { update_id: 1 }, headers: { 'X-Telegram-Bot-Api-Secret-Token': SECRET } });
    assertProblem(res, 404);
  } finally {
    assert.deepEqual(await plain.stop(), { code: 0, signal: null }, `log ${plain.logPath}`);
  }
});
