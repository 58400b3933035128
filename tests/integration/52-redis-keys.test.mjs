// Redis keys of 0.5.0 (edge/src/edge_keys.h, docs/operations/scaling.md, upgrade.md): every name
// carries the hash tag {rt}, so Redis Cluster can serve the edge's multi-key commands. An
// existing standalone Redis still holds the old names ("rt:in", "rt:tg:offset", ...); the edge
// renames them (RENAMENX) when it connects, before it reads. Here a Redis is filled as a 0.4.0
// edge left it -- rt:in with its consumer group "ingest", one entry pending for a consumer that
// is gone and one not yet delivered, rt:tg:offset, rt:dead, rt:sim:update_id and a poller lease
// still held -- and a new edge is started on it: the entries are ingested from {rt}:in (the
// pending one reclaimed through the same group), polling goes on from the kept offset (an update
// at or below it is not asked for), and the old names are gone. A key whose new name exists
// already is left alone; sessions are not carried over; the simulator's counter is not used any more.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { waitFor } from '../lib/http.mjs';
import { ownRedis } from '../lib/delivery.mjs';

const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

/**
 * A Redis of the test's own, a client on it, the database, a fake Telegram and start(options): an
 * edge on them (its REDIS_URL and Telegram set); all stopped after the file, the edge checked to
 * exit 0.
 */
async function world(name) {
  const redis = await ownRedis(name);
  const r = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  const db = await pgSuper();
  const tg = await startTelegram({ port: 0 });
  let edge = null;
  cleanups.push(async () => {
    const exit = edge ? await edge.stop() : { code: 0, signal: null };
    await tg.close();
    r.disconnect();
    await db.end();
    await redis.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
  });
  const start = async ({ env = {}, ...options }) => {
    edge = await startEdge({ telegram: tg, resetOffset: false, ...options, env: { REDIS_URL: redis.url, ...env } });
    return edge;
  };
  return { redis, r, db, tg, start };
}

test('an upgraded edge renames the 0.4.0 keys: the pending and undelivered entries of rt:in are ingested from {rt}:in and polling continues from rt:tg:offset', { timeout: 120000 }, async () => {
  const { r, db, tg, start } = await world('keys');

  const chatId = uniqueId();
  const offset = tg.reserveIds(10) + 5; // the last update id the old edge confirmed
  const u = (id, text) => JSON.stringify(textUpdate({ chatId, text, messageId: id - offset + 100, updateId: id }));

  // The Redis of a 0.4.0 edge: A was delivered to its consumer and never acked (the edge died),
  // B was stored but not yet delivered; both were confirmed to Telegram (ids <= the offset).
  await r.xgroup('CREATE', 'rt:in', 'ingest', '$', 'MKSTREAM');
  await r.xadd('rt:in', '*', 'u', u(offset - 1, 'A pending in rt:in'));
  const read = await r.xreadgroup('GROUP', 'ingest', 'old-edge-1', 'COUNT', 10, 'STREAMS', 'rt:in', '>');
  assert.equal(read[0][1].length, 1);
  await r.xadd('rt:in', '*', 'u', u(offset, 'B waiting in rt:in'));
  assert.equal((await r.xpending('rt:in', 'ingest'))[0], 1, 'one entry pending before the upgrade');
  await r.set('rt:tg:offset', String(offset));
  await r.set('rt:tg:poller', 'old-edge-1', 'PX', 60000); // the old lease: the new edge does not wait for it
  await r.xadd('rt:dead', '*', 'stream', 'rt:in', 'id', '1-0', 'u', '{}', 'err', 'old dead letter');
  await r.set('rt:sim:update_id', '4321');
  await r.set('rt:session:0ld5e551on', '{"admin_id":1}', 'EX', 600);
  // rt:llm and {rt}:llm both exist (as after an edge of each version ran): the old one is left alone
  await r.xadd('rt:llm', '*', 'job', '1');
  await r.xadd('{rt}:llm', '*', 'job', '2');

  // Telegram still has an update at the offset (confirmed before: must not be asked for again)
  // and a new one after it.
  const asked = [];
  tg.onPoll(({ offset: o }) => { asked.push(o); });
  tg.pushRaw(u(offset, 'stale: at the confirmed offset'));
  tg.pushRaw(u(offset + 1, 'C new from Telegram'));

  const edge = await start({ name: 'keys', env: { RT_INGEST_CLAIM_IDLE_MS: '500' } });

  const texts = async () => (await db.query('SELECT text FROM rt.messages WHERE chat_id = $1 ORDER BY text', [chatId])).rows.map((x) => x.text);
  await waitFor(async () => (await texts()).length >= 3, { timeoutMs: 60000, what: `A, B and C stored (log ${edge.logPath})` });
  await waitFor(async () => (await r.get('{rt}:tg:offset')) === String(offset + 1), { timeoutMs: 15000, what: 'C confirmed in {rt}:tg:offset' });
  await waitFor(async () => (await r.xpending('{rt}:in', 'ingest'))[0] === 0, { timeoutMs: 15000, what: 'nothing pending in {rt}:in' });
  assert.deepEqual(await texts(), ['A pending in rt:in', 'B waiting in rt:in', 'C new from Telegram'], 'the update at the old offset is not ingested');
  assert.equal(asked[0], offset + 1, `the first getUpdates asks from the kept offset (asked ${asked.join(',')})`);
  assert.ok(asked.every((o) => o > offset), 'never below the kept offset');

  // The stream kept its group: the old consumer is still listed in it, its entry was reclaimed.
  const consumers = (await r.call('XINFO', 'CONSUMERS', '{rt}:in', 'ingest')).map((c) => c[1]);
  assert.ok(consumers.includes('old-edge-1'), `the group moved with the stream: ${consumers}`);
  assert.equal(await r.xlen('{rt}:dead'), 1, 'rt:dead renamed with its entry');
  for (const k of ['rt:in', 'rt:tg:offset', 'rt:dead']) assert.equal(await r.exists(k), 0, `${k} renamed`);
  // the simulator's old counter is no longer used (its ids come from rt.sim_ids): left as it was
  assert.equal(await r.get('rt:sim:update_id'), '4321');
  assert.equal(await r.exists('{rt}:sim:update_id'), 0);
  // both names existed: nothing overwritten, the old one left and logged
  assert.equal(await r.xlen('rt:llm'), 1);
  assert.equal(await r.xlen('{rt}:llm'), 1);
  assert.match(edge.log(), /redis key of an older release left alone: its new name exists too.*"from":"rt:llm"/);
  assert.match(edge.log(), /redis key renamed to its 0\.5\.0 name.*"from":"rt:in"/);
  // sessions are not migrated: admins log in again
  assert.equal(await r.exists('{rt}:session:0ld5e551on'), 0);
  assert.equal(await r.exists('rt:session:0ld5e551on'), 1, 'left to expire');
  // the old lease was not taken over: the new edge holds its own
  assert.equal(await r.get('rt:tg:poller'), 'old-edge-1');
  assert.ok(await r.get('{rt}:tg:poller'), 'the new edge holds {rt}:tg:poller');
});

test('every key an edge writes in a fresh Redis carries the {rt} tag and is one of edge_keys.h\'s names', { timeout: 60000 }, async () => {
  const { r, db, tg, start } = await world('keys-fresh');
  const edge = await start({ name: 'keys-fresh' });
  const chatId = uniqueId();
  const id = tg.push([textUpdate({ chatId, text: 'tagged', messageId: 1 })])[0];
  await waitFor(async () => (await r.get('{rt}:tg:offset')) === String(id), { timeoutMs: 20000, what: 'the update confirmed' });
  await waitFor(async () => (await db.query('SELECT 1 FROM rt.messages WHERE chat_id = $1', [chatId])).rowCount === 1, { timeoutMs: 20000, what: 'the update stored' });
  const keys = await r.keys('*');
  assert.ok(keys.includes('{rt}:in') && keys.includes('{rt}:tg:poller'), keys.join(', '));
  const groups = (await r.xinfo('GROUPS', '{rt}:in')).map((g) => Object.fromEntries(g.reduce((a, v, i) => (i % 2 ? a[a.length - 1].push(v) : a.push([v]), a), [])));
  assert.notEqual(groups.find((g) => g.name === 'ingest')?.['last-delivered-id'] ?? '0-0', '0-0', 'the update went through {rt}:in to its group');
  // each key is one of edge_keys.h's names (an XADD to a mangled name such as "{rt}:" fails here)
  const known = /^\{rt\}:(in|dead|llm|send|tg:offset|tg:poller|tg:slot:-?\d+|session:[0-9a-f]+|admin_sessions:\d+|login:(account:[0-9a-f]{64}|addr:.+))$/;
  assert.deepEqual(keys.filter((k) => !known.test(k)), [], 'every key is a name of edge_keys.h, in the tag');
});
