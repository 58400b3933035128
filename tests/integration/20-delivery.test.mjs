// Delivery (issue 6, docs/design/contract-delivery.md): an auto-reply written by an
// openai_compatible model on the fake LLM reaches the fake Telegram as a reply to the user's
// message, streamed into a private chat with sendMessageDraft and to the SPA as llm.delta
// frames; the bot message goes queued → sending → sent with its Telegram id, usage and cost.
// A group @mention is answered too; manual sends (as admin, with the signature, and as bot) and a
// moderation delete reach Telegram; a reply longer than 4096 characters is split into several
// messages, none cut inside a ``` block.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { openWs, waitFor, sleep } from '../lib/http.mjs';
import { assertResponse, assertSchema } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';
import { createFakeProvider, openChat, ask, replyTo, waitReply, repliesWith, incomingPk, botAnswer, setSetting,
  expectedCost, botUsernameLearned } from '../lib/delivery.mjs';

const ENV = { RT_OUTBOX_SWEEP_MS: '1000', RT_JOB_CLAIM_IDLE_MS: '3000' };
let tg; let llm; let edge; let as; let db; let ws; let provider;
before(async () => {
  tg = await startTelegram({ port: 0, strictReplies: true });
  llm = await startLlm({ port: 0, chunks: 5, chunkDelayMs: 20 });
  edge = await startEdge({ name: 'delivery', telegram: tg, env: ENV });
  as = await roleClients(edge.url, ['moderator', 'viewer']);
  db = await pgSuper();
  ws = await openWs(edge.url, as.owner.session.cookie);
  await ws.next((m) => m.type === 'hello');
  provider = await createFakeProvider(as.owner, llm);
});
after(async () => {
  await ws?.close();
  if (provider && edge?.alive()) await as.owner.send('DELETE', `/api/providers/${provider.id}`);
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  await llm?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

const STATUS_ORDER = ['queued', 'sending', 'sent'];

test('private auto-reply: model text → Telegram reply, drafts, llm.delta/llm.done, queued → sent with usage and cost', { timeout: 90000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const question = `Как дела? ✓ ${chatId}`;
  // A slow stream, so the edge has time to show drafts; 8 of the prompt tokens come from the cache.
  llm.script([{ match: question, chunks: 8, chunkDelayMs: 250, usage: { cached_tokens: 8 } }]);
  const { messageId } = ask(tg, { chatId, text: question });
  const pk = await incomingPk(db, chatId, messageId);

  const sent = await waitReply(tg, chatId, question, { timeoutMs: 45000 });
  const calls = llm.callsFor(question);
  assert.equal(calls.length, 1, 'one model call');
  const call = calls[0];
  assert.equal(sent.params.text, call.reply, 'Telegram gets exactly the model\'s text');
  assert.equal(call.reply, `Echo: ${question}`);
  assert.equal(replyTo(sent.params), messageId, 'sent as a reply to the user\'s message');
  assert.equal(sent.result.reply_to_message?.message_id, messageId);

  // The request the edge made, the real way.
  assert.equal(call.path, '/v1/chat/completions');
  assert.equal(call.auth, 'ok', 'the decrypted key was sent as a Bearer token');
  assert.equal(call.body.model, 'gpt-4o-mini');
  assert.equal(call.body.stream, true);
  assert.deepEqual(call.body.stream_options, { include_usage: true });
  assert.equal(call.body.messages[0].role, 'system');
  assert.deepEqual({ role: call.body.messages.at(-1).role, content: call.body.messages.at(-1).content }, { role: 'user', content: question });
  assert.equal(typeof call.body.temperature, 'number');

  // The stored bot message: sent, Telegram's id, the llm object with usage and cost.
  const { message: m, res } = await botAnswer(as.owner, chatId, pk);
  assertResponse('listMessages', res);
  assert.equal(m.direction, 'out');
  assert.equal(m.author_type, 'bot');
  assert.equal(m.text, call.reply);
  assert.equal(m.message_id, sent.result.message_id);
  assert.ok(m.sent_at && !Number.isNaN(Date.parse(m.sent_at)));
  assert.equal(m.error, null);
  assert.ok(m.llm, 'llm object present');
  assert.equal(m.llm.provider_id, provider.id);
  assert.equal(m.llm.provider, provider.name);
  assert.equal(m.llm.type, 'openai_compatible');
  assert.equal(m.llm.model, 'gpt-4o-mini');
  assert.equal(m.llm.demo, false);
  assert.equal(m.llm.tokens_in, call.usage.prompt_tokens);
  assert.equal(m.llm.tokens_cached, 8);
  assert.equal(m.llm.tokens_out, call.usage.completion_tokens);
  assert.equal(m.llm.estimated, false);
  assert.ok(Number.isInteger(m.llm.latency_ms) && m.llm.latency_ms >= 0);
  assert.ok(Math.abs(Number(m.llm.cost) - expectedCost(call.usage)) < 1e-8, `cost ${m.llm.cost} != ${expectedCost(call.usage)}`);

  // WebSocket: deltas in seq order that add up to the text, then llm.done, then the message sent.
  const job = (await db.query("SELECT id FROM rt.outbox WHERE kind = 'llm.reply' AND (payload->>'message_pk')::bigint = $1", [pk])).rows[0];
  assert.ok(job, 'an llm.reply job for the message');
  const jobId = Number(job.id);
  const done = await ws.next((f) => f.type === 'llm.done' && f.data?.job_id === jobId, 10000);
  assertSchema('WsEnvelope', done);
  assert.deepEqual({ ok: done.data.ok, error: done.data.error, chat_id: done.data.chat_id, draft_id: done.data.draft_id },
    { ok: true, error: null, chat_id: chatId, draft_id: null });
  const deltas = ws.frames.filter((f) => f.type === 'llm.delta' && f.data?.job_id === jobId);
  assert.ok(deltas.length >= 2, `several llm.delta frames (${deltas.length})`);
  for (const d of deltas) {
    assertSchema('WsEnvelope', d);
    assert.equal(d.data.chat_id, chatId);
    assert.equal(d.data.in_reply_to, pk);
    assert.equal(d.data.draft_id, null);
    assert.equal(d.data.provider, provider.name);
    assert.equal(d.data.demo, false);
  }
  for (let i = 1; i < deltas.length; i++) assert.ok(deltas[i].data.seq > deltas[i - 1].data.seq, 'seq increases in arrival order');
  assert.equal(deltas.map((d) => d.data.delta).join(''), call.reply, 'the deltas add up to the reply');
  assert.ok(ws.frames.indexOf(deltas.at(-1)) < ws.frames.indexOf(done), 'llm.done after the last delta');

  await ws.next((f) => f.type === 'message.updated' && f.data?.id === m.id && f.data.status === 'sent', 10000);
  const statuses = ws.frames.filter((f) => (f.type === 'message.created' || f.type === 'message.updated') && f.data?.id === m.id)
    .map((f) => f.data.status);
  assert.ok(statuses.length >= 2, `created and updated frames for the bot message (${statuses})`);
  for (let i = 1; i < statuses.length; i++) {
    assert.ok(STATUS_ORDER.indexOf(statuses[i]) >= STATUS_ORDER.indexOf(statuses[i - 1]), `statuses never go back: ${statuses}`);
  }
  assert.equal(statuses.at(-1), 'sent');

  // Streaming into the private chat: drafts before the message, each a prefix of the reply.
  const drafts = tg.drafts.filter((d) => d.chat_id === chatId);
  assert.ok(drafts.length >= 1, 'sendMessageDraft while the model writes');
  for (const d of drafts) {
    assert.ok(call.reply.startsWith(d.text), `draft "${d.text}" is a prefix of the reply`);
    assert.notEqual(d.draft_id, 0);
    assert.ok(d.t < sent.t, 'drafts come before the final message');
  }
  assert.equal(new Set(drafts.map((d) => d.draft_id)).size, 1, 'one draft id per reply');
  assert.equal(repliesWith(tg, chatId, question).length, 1, 'sent once');
});

test('the bot message is "sending" while Telegram holds the call, then "sent"', { timeout: 60000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const question = `slow telegram ${chatId}`;
  tg.fail({ mode: 'stall', ms: 3000, methods: ['sendMessage'] });
  const { messageId } = ask(tg, { chatId, text: question });
  const pk = await incomingPk(db, chatId, messageId);
  await waitFor(() => tg.calls.find((c) => c.method === 'sendMessage' && c.chat_id === chatId && c.failed === 'stall'),
    { timeoutMs: 30000, what: 'the held sendMessage' });
  const row = (await db.query("SELECT status, message_id FROM rt.messages WHERE chat_id = $1 AND in_reply_to = $2 AND direction = 'out'", [chatId, pk])).rows[0];
  assert.deepEqual({ status: row?.status, message_id: row?.message_id ?? null }, { status: 'sending', message_id: null });
  const sent = await waitReply(tg, chatId, question);
  const { message } = await botAnswer(as.owner, chatId, pk);
  assert.equal(message.message_id, sent.result.message_id);
  assert.equal(repliesWith(tg, chatId, question).length, 1);
});

test('a group @mention gets a reply to the mention; a plain group message gets none; no drafts in groups', { timeout: 60000 }, async () => {
  await botUsernameLearned(db);
  const chatId = -uniqueId();
  await openChat({ tg, db, api: as.owner, chatId, chatType: 'group', providerId: provider.id });
  const plain = `just chatting ${chatId}`;
  ask(tg, { chatId, chatType: 'group', text: plain });
  const question = `@rt_test_bot what is the answer ${chatId}?`;
  const { messageId } = ask(tg, { chatId, chatType: 'group', text: question, mention: true });
  const sent = await waitReply(tg, chatId, `answer ${chatId}`);
  assert.equal(replyTo(sent.params), messageId);
  assert.equal(sent.params.text, `Echo: ${question}`);
  await sleep(1000);
  assert.equal(llm.callsFor(plain).length, 0, 'no model call for a message without a mention');
  assert.equal(repliesWith(tg, chatId, plain).length, 0);
  assert.equal(repliesWith(tg, chatId, `answer ${chatId}`).length, 1);
  assert.equal(tg.drafts.filter((d) => d.chat_id === chatId).length, 0, 'sendMessageDraft is for private chats only');
});

test('a group watches a slow reply grow in one message: a first sendMessage, then edits, the final text edited in', { timeout: 90000 }, async () => {
  await botUsernameLearned(db);
  const chatId = -uniqueId();
  await openChat({ tg, db, api: as.owner, chatId, chatType: 'group', providerId: provider.id });
  const question = `@rt_test_bot tell me slowly ${chatId}`;
  llm.script([{ match: question, chunks: 10, chunkDelayMs: 450 }]);
  const { messageId } = ask(tg, { chatId, chatType: 'group', text: question, mention: true });
  const pk = await incomingPk(db, chatId, messageId);
  const final = `Echo: ${question}`;
  await waitFor(() => tg.sent.some((s) => s.chat_id === chatId && s.method === 'editMessageText' && s.params.text === final),
    { timeoutMs: 45000, what: 'the final text edited into the streamed message' });
  const sends = tg.sentMessages(chatId).filter((s) => String(s.params.text).startsWith('Echo:'));
  assert.equal(sends.length, 1, 'one message carries the whole reply');
  assert.ok(sends[0].params.text.length < final.length, `the first send shows the reply so far: ${sends[0].params.text}`);
  assert.equal(replyTo(sends[0].params), messageId, 'as a reply to the mention');
  const edits = tg.sent.filter((s) => s.chat_id === chatId && s.method === 'editMessageText');
  assert.ok(edits.every((e) => e.params.message_id === sends[0].result.message_id), 'every edit is of that message');
  assert.ok(edits.every((e, i) => i === 0 || e.params.text.length >= edits[i - 1].params.text.length), 'the text only grows');
  const { message: bot } = await botAnswer(as.owner, chatId, pk);
  assert.equal(bot.message_id, sends[0].result.message_id, 'the stored reply is that Telegram message');
  assert.equal(bot.text, final);
  assert.equal(tg.drafts.filter((d) => d.chat_id === chatId).length, 0, 'no sendMessageDraft in groups');
});

test('manual sends: as admin with the signature, as bot without, with reply_to_message_id', { timeout: 60000 }, async () => {
  const { chatId, firstMessageId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), autoreply: false });
  const restore = await setSetting(as.owner, 'admin.signature', '— Support team');
  try {
    const a = await as.moderator.send('POST', '/api/messages', { chat_id: chatId, text: `Здравствуйте ${chatId}`, as: 'admin' });
    assert.equal(a.status, 202, a.text);
    assertResponse('sendMessage', a);
    const sentA = await waitReply(tg, chatId, `Здравствуйте ${chatId}`);
    assert.equal(sentA.params.text, `Здравствуйте ${chatId}\n\n— Support team`);

    const b = await as.moderator.send('POST', '/api/messages', { chat_id: chatId, text: `bot says hi ${chatId}`, as: 'bot', reply_to_message_id: firstMessageId });
    assert.equal(b.status, 202, b.text);
    const sentB = await waitReply(tg, chatId, `bot says hi ${chatId}`);
    assert.equal(sentB.params.text, `bot says hi ${chatId}`, 'no signature as bot');
    assert.equal(replyTo(sentB.params), firstMessageId);

    for (const [queued, sent, author] of [[a.json, sentA, 'admin'], [b.json, sentB, 'bot']]) {
      const row = await waitFor(async () => {
        const r = await as.viewer.get(`/api/messages?chat_id=${chatId}`);
        const m = r.json.items.find((x) => x.id === queued.id);
        return m?.status === 'sent' && m;
      }, { what: `message ${queued.id} sent` });
      assert.equal(row.author_type, author);
      assert.equal(row.message_id, sent.result.message_id);
      assert.equal(row.llm, null, 'no model wrote it');
    }
    assert.equal(repliesWith(tg, chatId, `Здравствуйте ${chatId}`).length, 1);
  } finally {
    await restore();
  }
});

test('a moderation delete calls deleteMessage for the Telegram message', { timeout: 60000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), autoreply: false });
  const { messageId } = ask(tg, { chatId, text: `please remove this ${chatId}` });
  const pk = await incomingPk(db, chatId, messageId);
  const res = await as.moderator.send('POST', `/api/messages/${pk}/delete`);
  assert.equal(res.status, 200, res.text);
  assertResponse('deleteMessage', res);
  const del = await waitFor(() => tg.sent.find((s) => s.method === 'deleteMessage' && s.chat_id === chatId),
    { timeoutMs: 30000, what: 'deleteMessage' });
  assert.equal(Number(del.params.message_id), messageId);
  assert.equal(tg.messages(chatId).find((x) => x.message_id === messageId)?.deleted, true);
  await waitFor(async () => (await db.query(
    "SELECT 1 FROM rt.outbox WHERE kind = 'telegram.delete' AND (payload->>'message_pk')::bigint = $1 AND done_at IS NOT NULL", [pk])).rowCount === 1,
  { what: 'the telegram.delete job done' });
  assert.equal(tg.sent.filter((s) => s.method === 'deleteMessage' && s.chat_id === chatId).length, 1);
});

test('a reply over 4096 characters is split into several messages, none cut inside a ``` block', { timeout: 90000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const token = `long answer ${chatId}`;
  const prose = (n, seed) => Array.from({ length: n }, (_, i) => `Предложение ${seed}-${i} о круглом столе.`).join(' ');
  const code = Array.from({ length: 70 }, (_, i) => `  const value${i} = compute(${i}); // строка ${i}`).join('\n');
  // Prose to ~3000 chars, then a ~3000-char code block across the 4096 mark, then more prose.
  const long = `${prose(85, 'a')}\n\n\`\`\`js\n${code}\n\`\`\`\n\n${prose(45, 'b')}`;
  assert.ok(long.length > 7000 && long.indexOf('```') < 4096 && long.lastIndexOf('```') > 4096, 'the fence straddles 4096');
  llm.script([{ match: token, reply: long, chunkSize: 500 }]);
  const { messageId } = ask(tg, { chatId, text: token });
  const pk = await incomingPk(db, chatId, messageId);
  const { message } = await botAnswer(as.owner, chatId, pk, { timeoutMs: 60000 });
  const parts = tg.sentMessages(chatId);
  assert.ok(parts.length >= 2, `split into ${parts.length} messages`);
  for (const p of parts) {
    const text = String(p.params.text);
    assert.ok(text.length <= 4096, `part of ${text.length} characters`);
    assert.equal((text.match(/```/g) ?? []).length % 2, 0, `a part is cut inside a code block:\n${text.slice(0, 200)}…${text.slice(-200)}`);
  }
  const squash = (s) => s.replace(/\s+/g, '');
  assert.equal(squash(parts.map((p) => p.params.text).join('')), squash(long), 'the parts add up to the reply');
  assert.equal(replyTo(parts[0].params), messageId, 'the first part answers the user');
  const ids = parts.map((p) => p.result.message_id);
  assert.ok(ids.includes(message.message_id), 'the stored message_id is one of the parts');
  assert.equal(message.text, long);
  const keys = (await db.query('SELECT message_id FROM rt.message_keys WHERE chat_id = $1 AND message_pk = $2 ORDER BY message_id', [chatId, message.id])).rows
    .map((r) => Number(r.message_id));
  assert.deepEqual(keys, [...ids].sort((a, b) => a - b), 'every part is recognised as the bot message (replies to any part)');
});

test('telegram.streaming off: no drafts, the reply still arrives', { timeout: 60000 }, async () => {
  const restore = await setSetting(as.owner, 'telegram.streaming', false);
  try {
    const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
    const question = `no streaming please ${chatId}`;
    llm.script([{ match: question, chunks: 6, chunkDelayMs: 200 }]);
    ask(tg, { chatId, text: question });
    const sent = await waitReply(tg, chatId, question);
    assert.equal(sent.params.text, `Echo: ${question}`);
    assert.equal(tg.drafts.filter((d) => d.chat_id === chatId).length, 0);
  } finally {
    await restore();
  }
});
