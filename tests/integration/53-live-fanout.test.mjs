// Live frames across edges (edge/src/edge_fanout.h, docs/operations/scaling.md): the llm.delta and
// llm.done frames of a model call come from the one edge that runs it; over the Redis channel
// {rt}:live they reach the consoles of every edge, each frame once, in order. What another party
// publishes there is relayed only when it looks like a frame; garbage is dropped and no edge
// stops.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { start as startLlm } from '../fakes/llm.mjs';
import { startEdge, pgSuper, redisClient, uniqueId } from '../lib/stack.mjs';
import { openWs, sleep } from '../lib/http.mjs';
import { roleClients } from '../lib/api.mjs';
import { createFakeProvider, openChat, ask, waitReply } from '../lib/delivery.mjs';

const CHANNEL = '{rt}:live';
let tg; let llm; let a; let b; let as; let db; let redis; let wsA; let wsB; let provider;

before(async () => {
  tg = await startTelegram({ port: 0 });
  llm = await startLlm({ port: 0, chunks: 5, chunkDelayMs: 20 });
  a = await startEdge({ name: 'fanout-a', telegram: tg });
  b = await startEdge({ name: 'fanout-b', telegram: tg, resetOffset: false });
  as = await roleClients(a.url, []);
  db = await pgSuper();
  redis = redisClient();
  // one session (kept in Redis) serves both edges, as behind a load balancer
  wsA = await openWs(a.url, as.owner.session.cookie);
  wsB = await openWs(b.url, as.owner.session.cookie);
  await wsA.next((m) => m.type === 'hello');
  await wsB.next((m) => m.type === 'hello');
  provider = await createFakeProvider(as.owner, llm);
});

after(async () => {
  await wsA?.close();
  await wsB?.close();
  if (provider && a?.alive()) await as.owner.send('DELETE', `/api/providers/${provider.id}`);
  await db?.end();
  redis?.disconnect();
  const exits = [a ? await a.stop() : null, b ? await b.stop() : null];
  await tg?.close();
  await llm?.close();
  for (const exit of exits.filter(Boolean)) assert.deepEqual(exit, { code: 0, signal: null }, 'rt-edge exits 0 on SIGTERM');
});

const deltasOf = (ws, jobId) => ws.frames.filter((f) => f.type === 'llm.delta' && f.data?.job_id === jobId);

test('a reply streamed by one edge reaches the consoles of both edges, every delta once and in order', { timeout: 90000 }, async () => {
  const { chatId } = await openChat({ tg, db, api: as.owner, chatId: uniqueId(), providerId: provider.id });
  const question = `fan out ${chatId}`;
  llm.script([{ match: question, chunks: 6, chunkDelayMs: 150 }]);
  ask(tg, { chatId, text: question });
  await waitReply(tg, chatId, question, { timeoutMs: 45000 });
  const reply = llm.callsFor(question)[0].reply;

  const doneA = await wsA.next((f) => f.type === 'llm.done' && f.data?.chat_id === chatId, 15000);
  const doneB = await wsB.next((f) => f.type === 'llm.done' && f.data?.chat_id === chatId, 15000);
  assert.equal(doneA.data.job_id, doneB.data.job_id, 'the same call');
  assert.deepEqual(doneB.data, doneA.data, 'llm.done is the same frame on both edges');
  const jobId = doneA.data.job_id;
  for (const [name, ws] of [['edge a', wsA], ['edge b', wsB]]) {
    const deltas = deltasOf(ws, jobId);
    assert.ok(deltas.length >= 2, `${name}: several llm.delta frames (${deltas.length})`);
    const seqs = deltas.map((d) => d.data.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `${name}: in order`);
    assert.equal(new Set(seqs).size, seqs.length, `${name}: no frame twice`);
    assert.equal(deltas.map((d) => d.data.delta).join(''), reply, `${name}: the deltas add up to the reply`);
    assert.ok(ws.frames.indexOf(deltas.at(-1)) < ws.frames.indexOf(ws === wsA ? doneA : doneB), `${name}: llm.done last`);
  }
  assert.deepEqual(deltasOf(wsB, jobId).map((d) => d.data), deltasOf(wsA, jobId).map((d) => d.data), 'the same frames');
});

test('{rt}:live: a frame of another edge is relayed to every console; garbage is dropped and no edge stops', { timeout: 30000 }, async () => {
  const sample = wsA.frames.find((f) => f.type === 'llm.delta');
  assert.ok(sample, 'a delta of the test before');
  const marker = `relayed ${uniqueId()}`;
  const frame = { ...sample, data: { ...sample.data, delta: marker } };
  const before = [wsA.frames.length, wsB.frames.length];
  for (const garbage of ['', 'short', '0123456789abcdef', '0123456789abcdefnot json', '0123456789abcdef[1]',
    `0123456789abcdef${JSON.stringify(frame).slice(0, -1)}`, Buffer.from([0xff, 0xfe, 0x7b, 0x7d])]) {
    await redis.publish(CHANNEL, garbage);
  }
  const receivers = await redis.publish(CHANNEL, `0123456789abcdef${JSON.stringify(frame)}`);
  assert.ok(receivers >= 2, `both edges subscribe (${receivers} subscribers)`);
  const gotA = await wsA.next((f) => f.type === 'llm.delta' && f.data?.delta === marker, 10000);
  const gotB = await wsB.next((f) => f.type === 'llm.delta' && f.data?.delta === marker, 10000);
  assert.deepEqual(gotA, frame);
  assert.deepEqual(gotB, frame);
  await sleep(300);
  for (const [ws, from] of [[wsA, before[0]], [wsB, before[1]]]) {
    const deltas = ws.frames.slice(from).filter((f) => f.type === 'llm.delta');
    assert.deepEqual(deltas.map((f) => f.data.delta), [marker], 'only the frame came through');
  }
  for (const edge of [a, b]) {
    assert.ok(edge.alive(), 'the edge runs');
    const res = await fetch(new URL('/readyz', edge.url));
    assert.equal(res.status, 200);
  }
});
