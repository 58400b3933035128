// The edge learns the bot's identity from getMe and stores it (settings bot.id, bot.username),
// so rt.ingest recognises @mentions in groups: a mention with auto-reply on queues an llm.reply
// job, a plain group message queues nothing, and a mention with auto-reply off notifies admins.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { waitFor } from '../lib/http.mjs';

let tg; let edge; let db;
before(async () => {
  tg = await startTelegram({ port: 0 });
  edge = await startEdge({ name: 'bot-identity', telegram: tg });
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

const setting = async (key) => (await db.query('SELECT rt.setting($1) AS v', [key])).rows[0].v;
const jobs = async (chatId) => (await db.query(
  "SELECT kind FROM rt.outbox WHERE (payload->>'chat_id')::bigint = $1 ORDER BY id", [chatId])).rows.map((r) => r.kind);

function mention(chatId, messageId, text) {
  const u = textUpdate({ chatId, userId: chatId + 7, text, messageId, chatType: 'group' });
  const at = text.indexOf('@rt_test_bot');
  u.message.entities = [{ type: 'mention', offset: at, length: '@rt_test_bot'.length }];
  return u;
}

test('getMe fills bot.id and bot.username', { timeout: 30000 }, async () => {
  await waitFor(async () => (await setting('bot.username')) === 'rt_test_bot', { what: 'bot.username from getMe' });
  assert.equal(Number(await setting('bot.id')), 123);
});

test('a group @mention is answered only when auto-reply is on, else admins are notified', { timeout: 60000 }, async () => {
  await waitFor(async () => (await setting('bot.username')) === 'rt_test_bot', { what: 'bot.username from getMe' });
  const chatId = -uniqueId();
  tg.push([textUpdate({ chatId, userId: -chatId + 7, text: 'plain group talk', messageId: 1, chatType: 'group' })]);
  await waitFor(async () => (await db.query('SELECT 1 FROM rt.messages WHERE chat_id = $1', [chatId])).rowCount === 1,
    { what: 'first group message stored' });
  assert.deepEqual(await jobs(chatId), [], 'a plain group message queues nothing');

  // Auto-reply off (the default): the mention becomes a notification, not a job.
  tg.push([mention(chatId, 2, 'hey @rt_test_bot are you there?')]);
  await waitFor(async () => (await db.query(
    "SELECT 1 FROM rt.notifications WHERE kind = 'mention' AND chat_id = $1", [chatId])).rowCount === 1,
  { what: 'mention notification' });
  assert.deepEqual(await jobs(chatId), []);

  await db.query('UPDATE rt.chats SET autoreply = true WHERE id = $1', [chatId]);
  tg.push([mention(chatId, 3, '@rt_test_bot what do you think?')]);
  await waitFor(async () => (await jobs(chatId)).includes('llm.reply'), { what: 'llm.reply job for the mention' });
  const job = (await db.query(
    "SELECT payload FROM rt.outbox WHERE kind = 'llm.reply' AND (payload->>'chat_id')::bigint = $1", [chatId])).rows[0].payload;
  assert.equal(job.reply_to_message_id, 3);
  assert.equal(typeof job.params.temperature, 'number');
  assert.ok(Array.isArray(job.context) && job.context.length >= 1, 'the job carries the chat context');
});
