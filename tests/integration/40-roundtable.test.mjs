// The AI round table end to end (issue 8, docs/design/contract-roundtable.md): real PostgreSQL,
// Redis and rt-edge; the fake Telegram and one fake OpenAI-compatible server playing "ChatGPT"
// (gpt-4o-mini, Оптимист) and "DeepSeek" (deepseek-chat, Скептик).
//   /start shows the three-button keyboard; /new asks for the topic; the topic starts a debate
//   of full rounds in the admins' order, each request holding the topic, the speaker's
//   personality and the other speaker's previous turn; every post carries its speaker label;
//   the MAX_ROUNDS, token-limit, cost-limit and turn-timeout endings each say why; a model
//   answering empty twice is excluded and the chat told; /donate sends the URL button (or the
//   polite text and an admin notification without a valid URL); an admin sees the history with
//   tokens and cost per turn over REST; the edge's log has tokens and cost per turn; the .env
//   names seed the settings on the first start, and an invalid one is a warning naming it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { waitFor, sleep, openWs } from '../lib/http.mjs';
import { assertResponse } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';
import { TEXTS, debaters, put, resetSettings, say, posts, waitPost, sessionOf, callsOf, systemOf } from '../lib/roundtable.mjs';

const ENV = { RT_OUTBOX_SWEEP_MS: '1000', RT_JOB_CLAIM_IDLE_MS: '3000' };
let tg; let llm; let edge; let as; let db; let cast;
before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, debate: true, tokenizer: 'gpt', chunks: 3 });
  db = await pgSuper();
  await resetSettings(db);
  edge = await startEdge({ name: 'roundtable', telegram: tg, env: ENV });
  as = await roleClients(edge.url, ['viewer']);
  cast = await debaters(as.owner, db, llm);
});
after(async () => {
  await cast?.cleanup();
  if (db) await resetSettings(db);
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  await tg?.close();
  await llm?.close();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** /new, then the topic; returns the session row once it runs. */
async function debate(chatId, topic) {
  say(tg, chatId, '/new');
  await waitPost(tg, chatId, TEXTS.ask_topic);
  say(tg, chatId, topic);
  return sessionOf(db, chatId);
}

const turnPosts = (chatId) => posts(tg, chatId).filter((p) => p.text.startsWith(cast.speaker.chatgpt + ':\n') || p.text.startsWith(cast.speaker.deepseek + ':\n'));

test('/start shows the keyboard of three buttons', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  say(tg, chatId, '/start');
  const p = await waitPost(tg, chatId, TEXTS.welcome);
  assert.deepEqual(p.markup?.keyboard, [[{ text: TEXTS.button_new }], [{ text: TEXTS.button_stop }, { text: TEXTS.button_donate }]]);
  assert.equal(p.markup.resize_keyboard, true);
  // the button's label is the command too
  say(tg, chatId, TEXTS.button_new);
  await waitPost(tg, chatId, TEXTS.ask_topic);
  say(tg, chatId, '/stop');
  await waitPost(tg, chatId, TEXTS.ended_stopped_by_user);
});

test('/new → topic → two full rounds in the admins\' order; each request has the topic, the personality and the other\'s last turn; labelled posts; MAX_ROUNDS ending; history with tokens and cost; log lines per turn', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 2);
  const ws = await openWs(edge.url, as.owner.session.cookie); // every frame is checked against the spec
  await ws.next((m) => m.type === 'hello');
  const chatId = uniqueId();
  const topic = `Нужен ли городам бесплатный общественный транспорт? #${chatId}`;
  const s = await debate(chatId, topic);
  const end = await waitPost(tg, chatId, TEXTS.ended_rounds_done, 90000);
  assert.match(end.text, /\(2\)/);

  // the console watched each turn stream: llm.delta/llm.done carry the session and the speaker
  const ofSession = (type) => ws.frames.filter((f) => f.type === type && f.data.session_id === Number(s.id));
  const done = await waitFor(() => { const d = ofSession('llm.done'); return d.length >= 4 ? d : null; }, { what: 'four llm.done frames' });
  assert.deepEqual(done.map((f) => f.data.speaker), [cast.speaker.chatgpt, cast.speaker.deepseek, cast.speaker.chatgpt, cast.speaker.deepseek]);
  assert.ok(done.every((f) => f.data.ok === true && f.data.chat_id === chatId));
  assert.ok(ofSession('llm.delta').length >= 4 && ofSession('llm.delta').every((f) => f.data.speaker && f.data.chat_id === chatId));
  await ws.close();

  const calls = callsOf(llm, topic);
  assert.deepEqual(calls.map((c) => c.body.model), ['gpt-4o-mini', 'deepseek-chat', 'gpt-4o-mini', 'deepseek-chat'], 'ChatGPT → DeepSeek → ChatGPT → DeepSeek');
  for (const [i, c] of calls.entries()) {
    assert.equal(c.auth, 'ok');
    assert.ok(JSON.stringify(c.body.messages).includes(topic), `request ${i} holds the topic`);
    const who = c.body.model === 'gpt-4o-mini' ? 'Оптимист' : 'Скептик';
    const personality = cast.personalities[who];
    assert.ok(systemOf(c.body).includes(personality.instructions.slice(0, 40)), `request ${i}: the ${who}'s instructions are in the system prompt`);
    if (i > 0) {
      const prev = calls[i - 1].reply;
      assert.ok(JSON.stringify(c.body.messages).includes(JSON.stringify(prev).slice(1, -1)), `request ${i} holds the other speaker's previous turn`);
    }
    assert.ok(c.done, `call ${i} streamed to its end`);
  }

  // the posts: "<speaker>:\n<reply>", in order, nothing else labelled
  const tp = await waitFor(() => { const x = turnPosts(chatId); return x.length >= 4 ? x : null; }, { timeoutMs: 30000, what: 'four turn posts' });
  const expected = calls.map((c) => `${c.body.model === 'gpt-4o-mini' ? cast.speaker.chatgpt : cast.speaker.deepseek}:\n${c.reply}`);
  assert.deepEqual(tp.map((p) => p.text), expected);
  assert.ok(tp.at(-1).t < end.t, 'the ending comes after the last turn');
  assert.ok(tg.sent.some((x) => x.method === 'sendChatAction' && x.chat_id === chatId), 'typing between turns');

  // the admin's view: status, and every turn with its tokens and cost
  const res = await waitFor(async () => {
    const r = await as.viewer.get(`/api/sessions/${s.id}`);
    return r.json?.status === 'finished' ? r : null;
  }, { what: 'the session finished over REST' });
  assertResponse('getSession', res);
  const d = res.json;
  assert.equal(d.topic, topic);
  assert.equal(d.stop_reason, 'rounds_done');
  assert.equal(d.max_rounds, 2);
  assert.deepEqual(d.participants.map((p) => p.name), [cast.speaker.chatgpt, cast.speaker.deepseek]);
  const turns = d.turns.filter((m) => m.direction === 'out' && m.speaker);
  assert.equal(turns.length, 4);
  for (const [i, m] of turns.entries()) {
    assert.equal(m.text, calls[i].reply);
    assert.equal(m.session_id, Number(s.id));
    assert.equal(m.round, Math.floor(i / 2) + 1);
    assert.equal(m.llm.tokens_in, calls[i].usage.prompt_tokens, `turn ${i}: tokens in as the provider reported`);
    assert.equal(m.llm.tokens_out, calls[i].usage.completion_tokens);
    assert.ok(m.llm.cost > 0, `turn ${i} has a cost`);
  }
  const sum = (k) => turns.reduce((a, m) => a + m.llm[k], 0);
  assert.equal(d.tokens_in, sum('tokens_in'));
  assert.equal(d.tokens_out, sum('tokens_out'));
  const list = await as.viewer.get(`/api/sessions?chat_id=${chatId}`);
  assertResponse('listSessions', list);
  assert.deepEqual(list.json.items.map((x) => x.id), [Number(s.id)]);

  // the edge's log: one "llm call" line per turn with the session, tokens and cost
  const lines = edge.log().split('\n').filter((l) => l.includes('"msg":"llm call"') && l.includes(`"session_id":"${s.id}"`)).map((l) => JSON.parse(l));
  assert.equal(lines.length, 4, 'a log line per turn');
  for (const [i, l] of lines.entries()) {
    assert.equal(Number(l.tokens_in), calls[i].usage.prompt_tokens);
    assert.equal(Number(l.tokens_out), calls[i].usage.completion_tokens);
    assert.ok(Number(l.cost) > 0);
    assert.ok(l.speaker === cast.speaker.chatgpt || l.speaker === cast.speaker.deepseek);
    assert.equal(l.kind, 'llm.turn');
  }
});

test('a user\'s message during the debate is an interjection: the next speaker sees it, labelled with the user\'s name; no auto-reply', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 1);
  const chatId = uniqueId();
  const topic = `Interjections ${chatId}`;
  llm.script([{ model: 'gpt-4o-mini', match: topic, chunks: 10, chunkDelayMs: 200 }]);
  await debate(chatId, topic);
  await waitFor(() => callsOf(llm, topic).length === 1, { what: 'the first turn asked' });
  const words = `А как же велосипеды? ${chatId}`;
  say(tg, chatId, words);
  await waitPost(tg, chatId, TEXTS.ended_rounds_done, 60000);
  const [first, second] = callsOf(llm, topic);
  assert.ok(!JSON.stringify(first.body).includes(words));
  const seen = second.body.messages.find((m) => typeof m.content === 'string' && m.content.includes(words));
  assert.ok(seen, 'DeepSeek\'s request holds the interjection');
  assert.match(seen.content, /Tester \(участник чата\)/);
  assert.equal(llm.calls.filter((c) => c.lastUser === words).length, 0, 'no auto-reply to it');
});

test('a console-only session over REST: created (201), started, debated with no chat, watched over the WebSocket (chat_id null), its history over REST', { timeout: 120000 }, async () => {
  const ws = await openWs(edge.url, as.owner.session.cookie);
  await ws.next((m) => m.type === 'hello');
  const topic = `Console only ${uniqueId()}`;
  const denied = await as.viewer.send('POST', '/api/sessions', { topic });
  assertResponse('createSession', denied);
  assert.equal(denied.status, 403);
  const bad = await as.owner.send('POST', '/api/sessions', { topic, colour: 'red' });
  assertResponse('createSession', bad);
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'colour');
  const c = await as.owner.send('POST', '/api/sessions', { topic, max_rounds: 1 });
  assertResponse('createSession', c);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.status, 'awaiting_topic');
  assert.equal(c.json.chat_id, null);
  const st = await as.owner.send('POST', `/api/sessions/${c.json.id}/start`);
  assertResponse('startSession', st);
  assert.equal(st.status, 200, st.text);
  assert.equal(st.json.status, 'running');
  const d = await waitFor(async () => {
    const r = await as.viewer.get(`/api/sessions/${c.json.id}`);
    return r.json?.status === 'finished' ? r : null;
  }, { timeoutMs: 60000, what: 'the console session finished' });
  assertResponse('getSession', d);
  assert.equal(d.json.stop_reason, 'rounds_done');
  const turns = d.json.turns.filter((m) => m.speaker && m.direction === 'out');
  assert.deepEqual(turns.map((m) => m.speaker), [cast.speaker.chatgpt, cast.speaker.deepseek]);
  assert.ok(turns.every((m) => m.chat_id === null && m.llm.cost > 0));
  const done = ws.frames.filter((f) => f.type === 'llm.done' && f.data.session_id === c.json.id);
  assert.equal(done.length, 2);
  assert.ok(done.every((f) => f.data.chat_id === null && f.data.ok));
  await ws.close();
  const again = await as.owner.send('POST', `/api/sessions/${c.json.id}/start`);
  assertResponse('startSession', again);
  assert.equal(again.status, 409);
});

test('personalities over REST: create 201, a clashing title 409, get, patch with its version (stale 409), list, delete 204 then 404; viewers read only', { timeout: 60000 }, async () => {
  const title = `Историк ${uniqueId()}`;
  const c = await as.owner.send('POST', '/api/personalities', { title, instructions: 'Ищи примеры в прошлом.', style: 'Спокойно.' });
  assertResponse('createPersonality', c);
  assert.equal(c.status, 201, c.text);
  const clash = await as.owner.send('POST', '/api/personalities', { title: title.toUpperCase() });
  assertResponse('createPersonality', clash);
  assert.equal(clash.status, 409);
  assert.equal((await as.viewer.send('POST', '/api/personalities', { title: `x${title}` })).status, 403);
  const got = await as.viewer.get(`/api/personalities/${c.json.id}`);
  assertResponse('getPersonality', got);
  assert.deepEqual(got.json, c.json);
  const u = await as.owner.send('PATCH', `/api/personalities/${c.json.id}`, { version: c.json.version, style: 'Коротко.' });
  assertResponse('updatePersonality', u);
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.style, 'Коротко.');
  const stale = await as.owner.send('PATCH', `/api/personalities/${c.json.id}`, { version: c.json.version, style: 'x' });
  assertResponse('updatePersonality', stale);
  assert.equal(stale.status, 409);
  const list = await as.viewer.get(`/api/personalities?q=${encodeURIComponent(title)}`);
  assertResponse('listPersonalities', list);
  assert.deepEqual(list.json.items.map((x) => x.id), [c.json.id]);
  const del = await as.owner.send('DELETE', `/api/personalities/${c.json.id}`);
  assertResponse('deletePersonality', del);
  assert.equal(del.status, 204);
  const gone = await as.viewer.get(`/api/personalities/${c.json.id}`);
  assertResponse('getPersonality', gone);
  assert.equal(gone.status, 404);
});

test('a model answering empty twice is excluded and the chat told; the other finishes the rounds', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 3);
  const chatId = uniqueId();
  const topic = `Empty replies ${chatId}`;
  llm.script([{ model: 'deepseek-chat', match: topic, reply: '', times: 2 }]);
  await debate(chatId, topic);
  const told = await waitPost(tg, chatId, TEXTS.excluded, 60000);
  assert.ok(told.text.includes(cast.speaker.deepseek), told.text);
  await waitPost(tg, chatId, 'Обсуждение завершено', 60000);
  const calls = callsOf(llm, topic);
  assert.equal(calls.filter((c) => c.body.model === 'deepseek-chat').length, 2, 'DeepSeek is not asked again');
  assert.ok(calls.filter((c) => c.body.model === 'gpt-4o-mini').length >= 2);
  assert.ok(!turnPosts(chatId).some((p) => p.text.startsWith(cast.speaker.deepseek)), 'no empty turn is posted');
});

test('a model failing for good (HTTP 401) is excluded with the reason and the chat told; the debate goes on without it', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 2);
  const chatId = uniqueId();
  const topic = `Broken key ${chatId}`;
  llm.script([{ model: 'deepseek-chat', match: topic, status: 401 }]);
  const s = await debate(chatId, topic);
  const told = await waitPost(tg, chatId, TEXTS.excluded, 60000);
  assert.ok(told.text.includes(cast.speaker.deepseek) && told.text.includes('401'), told.text);
  await waitPost(tg, chatId, TEXTS.ended_rounds_done, 60000);
  const calls = callsOf(llm, topic);
  assert.equal(calls.filter((c) => c.body.model === 'deepseek-chat').length, 1, 'a 401 is not retried');
  assert.equal(calls.filter((c) => c.body.model === 'gpt-4o-mini').length, 2, 'ChatGPT speaks in both rounds');
  const d = (await as.viewer.get(`/api/sessions/${s.id}`)).json;
  const ds = d.participants.find((p) => p.name === cast.speaker.deepseek);
  assert.equal(ds.status, 'excluded');
  assert.match(ds.excluded_reason, /401/);
});

test('the token limit ends the session after the turn that reaches it, saying why', { timeout: 90000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 5);
  await put(as.owner, 'roundtable.max_tokens', 10);
  try {
    const chatId = uniqueId();
    const topic = `Token limit ${chatId}`;
    const s = await debate(chatId, topic);
    await waitPost(tg, chatId, TEXTS.ended_token_limit);
    assert.equal(callsOf(llm, topic).length, 1);
    const row = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
    assert.deepEqual({ ...row }, { status: 'finished', stop_reason: 'token_limit' });
  } finally {
    await put(as.owner, 'roundtable.max_tokens', null);
  }
});

test('the cost limit ends the session, saying why', { timeout: 90000 }, async () => {
  await put(as.owner, 'roundtable.max_cost', 0.000001);
  try {
    const chatId = uniqueId();
    const topic = `Cost limit ${chatId}`;
    const s = await debate(chatId, topic);
    await waitPost(tg, chatId, TEXTS.ended_cost_limit);
    assert.equal(callsOf(llm, topic).length, 1);
    const row = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
    assert.deepEqual({ ...row }, { status: 'finished', stop_reason: 'cost_limit' });
  } finally {
    await put(as.owner, 'roundtable.max_cost', null);
  }
});

test('a turn slower than TURN_TIMEOUT_SEC ends the session with timeout: the transfer is aborted, the turn not posted', { timeout: 90000 }, async (t) => {
  await put(as.owner, 'roundtable.turn_timeout_sec', 5);
  try {
    const chatId = uniqueId();
    const topic = `Slow model ${chatId}`;
    llm.script([{ model: 'gpt-4o-mini', match: topic, chunks: 60, chunkDelayMs: 500 }]); // 30 s
    const s = await debate(chatId, topic);
    const end = await waitPost(tg, chatId, TEXTS.ended_timeout, 30000);
    const [call] = callsOf(llm, topic);
    await waitFor(() => call.closedAt !== null, { timeoutMs: 5000, what: 'the slow transfer closed' });
    assert.equal(call.aborted, true, 'the edge closed the slow transfer');
    assert.ok(call.closedAt - call.t < 9000, `closed ${Math.round(call.closedAt - call.t)} ms after it began (deadline 5 s)`);
    t.diagnostic(`turn deadline 5 s: the slow transfer was closed ${Math.round(call.closedAt - call.t)} ms after it began`);
    const row = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
    assert.deepEqual({ ...row }, { status: 'failed', stop_reason: 'timeout' });
    await sleep(2500);
    assert.equal(turnPosts(chatId).length, 0, 'the unfinished turn is never posted');
    assert.ok(posts(tg, chatId).every((p) => p.t <= end.t), 'nothing after the ending');
  } finally {
    await put(as.owner, 'roundtable.turn_timeout_sec', 60);
  }
});

test('offline demo: with no real provider the demo model plays each personality, distinct labelled speakers answering each other, no strike', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.max_rounds', 3);
  await db.query('UPDATE rt.providers SET enabled = false WHERE id = ANY($1)', [[cast.chatgpt.id, cast.deepseek.id]]);
  try {
    const chatId = uniqueId();
    const topic = `Нужна ли школьная форма? ${chatId}`;
    const s = await debate(chatId, topic);
    await waitPost(tg, chatId, TEXTS.ended_rounds_done, 90000);
    const demoPosts = posts(tg, chatId).filter((p) => p.text.startsWith('demo · '));
    assert.equal(demoPosts.length, 6, demoPosts.map((p) => p.text).join('\n---\n'));
    const speakers = demoPosts.map((p) => p.text.slice(0, p.text.indexOf(':\n')));
    assert.deepEqual(speakers.slice(0, 2), ['demo · Оптимист', 'demo · Скептик']);
    for (const p of demoPosts) {
      const body = p.text.slice(p.text.indexOf(':\n') + 2);
      assert.ok(body.startsWith('[демо] '), 'labelled as the demo, in Russian for a Russian topic');
      assert.ok(body.includes('Нужна ли школьная форма?'), 'names the topic');
    }
    assert.equal(new Set(demoPosts.map((p) => p.text)).size, 6, 'no two turns alike');
    assert.ok(!posts(tg, chatId).some((p) => p.text.includes(TEXTS.excluded)), 'nobody struck out');
    const row = (await db.query('SELECT stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
    assert.equal(row.stop_reason, 'rounds_done');
  } finally {
    await db.query('UPDATE rt.providers SET enabled = true WHERE id = ANY($1)', [[cast.chatgpt.id, cast.deepseek.id]]);
  }
});

test('/donate: the URL button; without a valid URL the polite text and an error notification for the admins', { timeout: 60000 }, async () => {
  const chatId = uniqueId();
  await put(as.owner, 'payment.url', 'https://example.org/donate?from=bot');
  say(tg, chatId, '/donate');
  const p = await waitPost(tg, chatId, TEXTS.donate);
  assert.deepEqual(p.markup, { inline_keyboard: [[{ text: TEXTS.donate_button, url: 'https://example.org/donate?from=bot' }]] });
  assert.deepEqual(p.result.reply_markup, p.markup, 'Telegram shows the inline button');

  await put(as.owner, 'payment.url', null);
  const before = Number((await db.query("SELECT coalesce(max(id), 0) AS m FROM rt.notifications")).rows[0].m);
  say(tg, chatId, TEXTS.button_donate);
  const polite = await waitPost(tg, chatId, TEXTS.donate_unavailable);
  assert.equal(polite.markup?.inline_keyboard, undefined);
  const n = await waitFor(async () => (await db.query("SELECT kind, payload::text AS d FROM rt.notifications WHERE id > $1 AND kind = 'error'", [before])).rows
    .find((r) => r.d.includes('payment.url')), { what: 'an error notification naming payment.url' });
  assert.ok(n);
});

test('the .env names seed the settings on the first start; an invalid one is a warning naming it, never stored; without a bot token the bot texts reach the simulator', { timeout: 60000 }, async () => {
  // the suite's edge (with a bot token) goes first, so the simulator's edge alone sends below
  const exit = await edge.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
  edge = null;
  await resetSettings(db);
  const second = await startEdge({ name: 'roundtable-seed', env: { ...ENV, MAX_ROUNDS: '7', TURN_TIMEOUT_SEC: '45', PAYMENT_URL: 'ftp://not-http.example', ROUNDTABLE_MAX_COST: '2.5' } });
  try {
    const setting = async (k) => (await db.query('SELECT value FROM rt.settings WHERE key = $1', [k])).rows[0]?.value;
    await waitFor(async () => (await setting('roundtable.max_rounds')) !== undefined, { what: 'MAX_ROUNDS seeded' });
    assert.equal(Number(await setting('roundtable.max_rounds')), 7);
    assert.equal(Number(await setting('roundtable.turn_timeout_sec')), 45);
    assert.equal(Number(await setting('roundtable.max_cost')), 2.5);
    assert.equal(await setting('payment.url'), undefined, 'the invalid URL is not stored');
    const warn = await waitFor(() => second.log().split('\n').find((l) => l.includes('"variable":"PAYMENT_URL"')), { what: 'a warning naming PAYMENT_URL' });
    assert.match(warn, /"level":"warn"/);
    assert.ok(!warn.includes('ftp://not-http.example'), 'the value itself is not logged');

    // without a bot token the simulator is Telegram: /start's keyboard message reaches it (sent)
    const sim = (await roleClients(second.url, [])).owner;
    const chatId = uniqueId();
    const res = await sim.send('POST', '/api/simulator/messages', { chat_id: chatId, user_id: chatId, first_name: 'Sim', text: '/start' });
    assert.equal(res.status, 202, res.text);
    const m = await waitFor(async () => (await sim.get(`/api/messages?chat_id=${chatId}&limit=50`)).json?.items
      ?.find((x) => x.direction === 'out' && x.text.startsWith(TEXTS.welcome) && x.status === 'sent'), { what: 'the welcome in the simulator' });
    assert.ok(m.message_id > 0, 'a simulated Telegram id');
  } finally {
    const exit = await second.stop();
    assert.deepEqual(exit, { code: 0, signal: null });
    await resetSettings(db);
  }
});
