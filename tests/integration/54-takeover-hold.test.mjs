// A human takes over while the model writes (rt.record_reply, admin console document: the admin
// answers by hand): the reply the model then finishes is held, not sent after the human's answer.
// The console keeps it as a failed bot message that says who took over; in a group, the message
// that showed the reply growing is deleted from Telegram.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { waitFor, sleep } from '../lib/http.mjs';
import { assertResponse } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';
import { createFakeProvider, openChat, ask, incomingPk, botAnswer, botUsernameLearned } from '../lib/delivery.mjs';

let tg; let llm; let edge; let as; let db; let provider;
before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, chunks: 5, chunkDelayMs: 20 });
  edge = await startEdge({ name: 'takeover-hold', telegram: tg });
  as = await roleClients(edge.url, ['moderator']);
  db = await pgSuper();
  provider = await createFakeProvider(as.owner, llm);
});
after(async () => {
  if (provider && edge?.alive()) await as.owner.send('DELETE', `/api/providers/${provider.id}`);
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  await llm?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** Waits until the model has started streaming the answer to `question` (its first chunk was served). */
const streaming = (question) => waitFor(() => llm.callsFor(question).length === 1, { timeoutMs: 20000, what: 'the model call' });

test('a private chat: the admin answers by hand while the model writes; only the admin\'s answer reaches the user', { timeout: 90000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const question = `slow question ${chatId}`;
  llm.script([{ match: question, chunks: 8, chunkDelayMs: 300 }]);
  const { messageId } = ask(tg, { chatId, text: question });
  const pk = await incomingPk(db, chatId, messageId);
  await streaming(question);
  const manual = await as.moderator.send('POST', '/api/messages', { chat_id: chatId, text: `a human here ${chatId}`, as: 'admin' });
  assert.equal(manual.status, 202, manual.text);

  const { message: held, res } = await botAnswer(as.owner, chatId, pk, { until: (m) => m.status === 'failed' });
  assertResponse('listMessages', res);
  assert.equal(held.text, `Echo: ${question}`, 'the model\'s text is kept for the console');
  assert.equal(held.error, `${as.moderator.admin.login} took over the chat while the model was writing`);
  assert.ok(held.llm?.tokens_out > 0, 'with its usage');
  await waitFor(() => tg.sentMessages(chatId).some((s) => String(s.params.text).includes(`a human here ${chatId}`)),
    { timeoutMs: 20000, what: 'the admin\'s message sent' });
  await sleep(1500); // a send of the held reply would have left by now
  assert.deepEqual(tg.sentMessages(chatId).filter((s) => String(s.params.text).includes('Echo:')), [], 'the model\'s reply is not sent');
});

test('a group: the message that showed the reply growing is deleted when a human takes over', { timeout: 90000 }, async () => {
  await botUsernameLearned(db);
  const chatId = -uniqueId();
  await openChat({ tg, db, api: as.owner, chatId, chatType: 'group', providerId: provider.id });
  const question = `@rt_test_bot tell me slowly ${chatId}`;
  llm.script([{ match: question, chunks: 10, chunkDelayMs: 450 }]);
  const { messageId } = ask(tg, { chatId, chatType: 'group', text: question, mention: true });
  const pk = await incomingPk(db, chatId, messageId);
  const grown = await waitFor(() => tg.sentMessages(chatId).find((s) => String(s.params.text).startsWith('Echo:')),
    { timeoutMs: 30000, what: 'the reply starts growing in the group' });
  const take = await as.moderator.send('POST', `/api/chats/${chatId}/takeover`, {});
  assert.equal(take.status, 200, take.text);

  const { message: held } = await botAnswer(as.owner, chatId, pk, { until: (m) => m.status === 'failed' });
  assert.match(held.error, /took over the chat while the model was writing/);
  await waitFor(() => tg.sent.some((s) => s.chat_id === chatId && s.method === 'deleteMessage'
    && s.params.message_id === grown.result.message_id), { timeoutMs: 20000, what: 'deleteMessage of the grown message' });
});
