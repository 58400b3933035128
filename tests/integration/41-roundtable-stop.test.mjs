// Stopping a round table (issue 8, docs/design/contract-roundtable.md "The edge"): /stop while a
// model is streaming aborts the HTTP transfer at once (the fake sees the connection closed long
// before the stream would end) and nothing more is posted for that session, in a private chat
// and in a group (whose streamed message is deleted); an admin's stop over REST does the same;
// and a turn whose deadline passes while no edge runs is reaped (timeout) once an edge is back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { waitFor, sleep } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';
import { TEXTS, debaters, put, resetSettings, say, posts, waitPost, sessionOf, callsOf } from '../lib/roundtable.mjs';

const ENV = { RT_OUTBOX_SWEEP_MS: '1000', RT_JOB_CLAIM_IDLE_MS: '3000' };
const SLOW = { chunks: 80, chunkDelayMs: 250 }; // 20 s of streaming
let tg; let llm; let edge; let as; let db; let cast;
before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, debate: true, chunks: 3 });
  db = await pgSuper();
  await resetSettings(db);
  edge = await startEdge({ name: 'roundtable-stop', telegram: tg, env: ENV });
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

const labelled = (chatId) => posts(tg, chatId).filter((p) => p.text.startsWith(`${cast.speaker.chatgpt}:`) || p.text.startsWith(`${cast.speaker.deepseek}:`));

/** A debate whose first turn (ChatGPT) streams slowly; resolves once some of it has streamed. */
async function slowDebate(chatId, topic, { chatType = 'private', userId = chatId } = {}) {
  llm.script([{ model: 'gpt-4o-mini', match: topic, ...SLOW }]);
  say(tg, chatId, '/new', { chatType, userId });
  await waitPost(tg, chatId, TEXTS.ask_topic);
  say(tg, chatId, topic, { chatType, userId });
  const s = await sessionOf(db, chatId);
  const call = await waitFor(() => callsOf(llm, topic).find((c) => c.chunksSent >= 3), { timeoutMs: 30000, what: 'the first turn streaming' });
  return { s, call };
}

async function assertNothingMore(chatId, topic, endT) {
  await sleep(3000); // longer than a sweep and a send: anything queued would have gone
  assert.equal(callsOf(llm, topic).length, 1, 'no further turn was asked for');
  assert.deepEqual(labelled(chatId).map((p) => p.text), [], 'no turn of the session was posted');
  assert.ok(posts(tg, chatId).every((p) => p.t <= endT), 'nothing was posted after the ending');
}

test('/stop mid-stream in a private chat: the transfer is aborted at once, nothing more is posted', { timeout: 90000 }, async (t) => {
  const chatId = uniqueId();
  const topic = `Stop me ${chatId}`;
  const { s, call } = await slowDebate(chatId, topic);
  const drafts = tg.sent.filter((x) => x.method === 'sendMessageDraft' && x.chat_id === chatId);
  await waitFor(() => tg.sent.some((x) => x.method === 'sendMessageDraft' && x.chat_id === chatId), { what: 'a draft of the streaming turn' });
  const stopAt = performance.timeOrigin + performance.now();
  say(tg, chatId, '/stop');
  const end = await waitPost(tg, chatId, TEXTS.ended_stopped_by_user, 20000);
  await waitFor(() => call.closedAt !== null, { timeoutMs: 5000, what: 'the transfer closed' });
  assert.equal(call.aborted, true, 'the edge closed the transfer');
  assert.equal(call.done, false);
  assert.ok(call.chunksSent < SLOW.chunks, `the stream was cut (${call.chunksSent} of ${SLOW.chunks} chunks)`);
  assert.ok(call.closedAt - stopAt < 5000, `closed ${Math.round(call.closedAt - stopAt)} ms after /stop`);
  t.diagnostic(`/stop → transfer closed: ${Math.round(call.closedAt - stopAt)} ms (the update travels fake Telegram → poll → ingest → SQL → journal → edge)`);
  const row = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
  assert.deepEqual({ ...row }, { status: 'stopped', stop_reason: 'stopped_by_user' });
  const draftsAtEnd = tg.sent.filter((x) => x.method === 'sendMessageDraft' && x.chat_id === chatId).length;
  await assertNothingMore(chatId, topic, end.t);
  assert.equal(tg.sent.filter((x) => x.method === 'sendMessageDraft' && x.chat_id === chatId).length, draftsAtEnd, 'no draft after the stop');
  assert.ok(drafts.every((x) => String(x.params.text).startsWith(`${cast.speaker.chatgpt}:\n`)), 'drafts carry the speaker label');
  // the edge said so
  assert.ok(edge.log().split('\n').some((l) => l.includes('turn cancelled') && l.includes(`"session_id":"${s.id}"`)));
});

test('/stop mid-stream in a group: the streamed message is deleted, nothing more is posted', { timeout: 90000 }, async () => {
  const chatId = -uniqueId();
  const userId = Math.abs(chatId) + 3;
  const topic = `Group stop ${chatId}`;
  const { s, call } = await slowDebate(chatId, topic, { chatType: 'group', userId });
  // the group sees the turn grow in one message, labelled
  const streamed = await waitFor(() => labelled(chatId)[0], { timeoutMs: 20000, what: 'the streamed group message' });
  assert.ok(streamed.text.startsWith(`${cast.speaker.chatgpt}:\n`));
  say(tg, chatId, '/stop', { chatType: 'group', userId });
  const end = await waitPost(tg, chatId, TEXTS.ended_stopped_by_user, 20000);
  await waitFor(() => call.closedAt !== null, { timeoutMs: 5000, what: 'the transfer closed' });
  assert.equal(call.aborted, true);
  await waitFor(() => tg.messages(chatId).find((m) => m.message_id === streamed.result.message_id)?.deleted,
    { timeoutMs: 10000, what: 'the streamed message deleted' });
  const row = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
  assert.equal(row.stop_reason, 'stopped_by_user');
  await sleep(3000);
  assert.equal(callsOf(llm, topic).length, 1);
  assert.equal(labelled(chatId).length, 1, 'only the (deleted) streamed message');
  assert.ok(posts(tg, chatId).every((p) => p.t <= end.t));
});

test('an admin\'s stop over REST aborts the transfer too; stopping again is a 409; viewers cannot stop', { timeout: 90000 }, async (t) => {
  const chatId = uniqueId();
  const topic = `Admin stop ${chatId}`;
  const { s, call } = await slowDebate(chatId, topic);
  const denied = await as.viewer.send('POST', `/api/sessions/${s.id}/stop`);
  assertResponse('stopSession', denied);
  assertProblem(denied, 403);
  const stopAt = performance.timeOrigin + performance.now();
  const res = await as.owner.send('POST', `/api/sessions/${s.id}/stop`);
  assertResponse('stopSession', res);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.status, 'stopped');
  assert.equal(res.json.stop_reason, 'stopped_by_admin');
  await waitFor(() => call.closedAt !== null, { timeoutMs: 5000, what: 'the transfer closed' });
  assert.equal(call.aborted, true);
  assert.ok(call.closedAt - stopAt < 5000, `closed ${Math.round(call.closedAt - stopAt)} ms after the stop`);
  t.diagnostic(`REST stop → transfer closed: ${Math.round(call.closedAt - stopAt)} ms`);
  const end = await waitPost(tg, chatId, TEXTS.ended_stopped_by_admin, 20000);
  const again = await as.owner.send('POST', `/api/sessions/${s.id}/stop`);
  assertResponse('stopSession', again);
  assertProblem(again, 409);
  await assertNothingMore(chatId, topic, end.t);
});

test('the reaper ends a turn that timed out while no edge ran', { timeout: 120000 }, async () => {
  await put(as.owner, 'roundtable.turn_timeout_sec', 5);
  try {
    const chatId = uniqueId();
    const topic = `Edge down ${chatId}`;
    const { s } = await slowDebate(chatId, topic);
    await edge.kill(); // SIGKILL mid-turn: no edge to time the turn out
    const deadline = (await db.query('SELECT turn_deadline FROM rt.sessions WHERE id = $1', [s.id])).rows[0].turn_deadline;
    await waitFor(async () => (await db.query('SELECT now() > $1::timestamptz AS past', [deadline])).rows[0].past,
      { timeoutMs: 15000, intervalMs: 250, what: 'the turn deadline passed' });
    await sleep(500);
    assert.equal((await db.query('SELECT status FROM rt.sessions WHERE id = $1', [s.id])).rows[0].status, 'running', 'nothing ended it without an edge');
    edge = await startEdge({ name: 'roundtable-stop-2', telegram: tg, resetOffset: false, env: ENV });
    as = await roleClients(edge.url, ['viewer']); // the new edge listens on another port
    const row = await waitFor(async () => {
      const r = (await db.query('SELECT status, stop_reason FROM rt.sessions WHERE id = $1', [s.id])).rows[0];
      return r.status !== 'running' ? r : null;
    }, { timeoutMs: 15000, what: 'the session reaped' });
    assert.deepEqual({ ...row }, { status: 'failed', stop_reason: 'timeout' });
    await waitPost(tg, chatId, TEXTS.ended_timeout, 20000);
    const got = await as.viewer.get(`/api/sessions/${s.id}`);
    assertResponse('getSession', got);
    assert.equal(got.json.stop_reason, 'timeout');
    assert.equal(labelled(chatId).length, 0, 'the unfinished turn was never posted');
  } finally {
    await put(as.owner, 'roundtable.turn_timeout_sec', 60).catch(() => {});
  }
});
