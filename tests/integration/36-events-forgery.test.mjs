// Issue 7, "Events can't be forged": any role that could connect could NOTIFY rt_events, and the
// edge expanded the payload: an analyst login made it re-broadcast every stored message to every
// browser ({"type":"messages","new":[[1,1000000000]]}) and push a forged entity.changed. Now the
// NOTIFY is only a doorbell and the edge reads the journal, which no login can write.
// The attack runs as an analyst login made the sql/roles.sql way (LOGIN, member of rt_analyst).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import pg from 'pg';
import { startEdge, pgSuper, stackEnv, uniqueId, textUpdate } from '../lib/stack.mjs';
import { login, openWs, waitFor } from '../lib/http.mjs';
import { assertSchema } from '../lib/openapi.mjs';

const cleanups = [];
after(async () => {
  const errors = [];
  for (const c of cleanups.reverse()) { try { await c(); } catch (e) { errors.push(e); } }
  if (errors.length) throw errors[0];
});

/** A login of the database, over TCP with its password as a person would connect. */
async function connectAs(user, password) {
  const env = stackEnv();
  const client = new pg.Client({ host: env.POSTGRES_HOST ?? '127.0.0.1', port: Number(env.RT_PG_PORT ?? env.POSTGRES_PORT),
    user, password, database: env.POSTGRES_DB ?? 'roundtable' });
  await client.connect();
  return client;
}

test('an analyst login NOTIFYing forged rt_events payloads makes the edge push nothing; a real change still arrives', { timeout: 90000 }, async () => {
  const db = await pgSuper();
  cleanups.push(() => db.end());
  const suffix = crypto.randomBytes(4).toString('hex');
  const analyst = `rt36_analyst_${suffix}`;
  const nobody = `rt36_nobody_${suffix}`;
  const password = crypto.randomBytes(12).toString('hex');
  await db.query(`CREATE ROLE ${analyst} LOGIN PASSWORD '${password}' IN ROLE rt_analyst`);
  await db.query(`CREATE ROLE ${nobody} LOGIN PASSWORD '${password}'`);
  cleanups.push(() => db.query(`DROP ROLE IF EXISTS ${analyst}; DROP ROLE IF EXISTS ${nobody}`));

  // stored messages the forged range would have re-broadcast
  const chatId = uniqueId();
  const base = 36000000000000 + (chatId % 1000000) * 10;
  await db.query('SELECT rt.ingest($1::jsonb)', [JSON.stringify([1, 2, 3].map((n) =>
    textUpdate({ chatId, text: `stored ${n}`, messageId: n, updateId: base + n })))]);

  const edge = await startEdge({ name: 'forgery' });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const ws = await openWs(edge.url, s.cookie);
  cleanups.push(() => ws.close());
  await ws.next((m) => m.type === 'hello');

  // a login in no rt role cannot even connect (no CONNECT for PUBLIC)
  await assert.rejects(connectAs(nobody, password), (e) => e.code === '42501', 'a login outside the rt roles is refused');

  const a = await connectAs(analyst, password);
  cleanups.push(() => a.end());
  // the journal cannot be written by the analyst either
  await assert.rejects(a.query(`INSERT INTO rt.events (type, data) VALUES ('messages', '{"type":"messages","new":[[1,1000000000]]}')`),
    (e) => e.code === '42501', 'the analyst cannot insert journal rows');
  await assert.rejects(a.query(`SELECT rt._journal_append('changed', '{"type":"changed","entity":"preset","ids":[1]}')`),
    (e) => e.code === '42501', 'the analyst cannot call rt._journal_append');
  // NOTIFY needs no privilege: the analyst rings with forged payloads
  for (const payload of [
    { type: 'messages', new: [[1, 1000000000]] },
    { type: 'messages', new: [], edited: [[1, 1000000000]] },
    { type: 'changed', entity: 'admin', ids: [1] },
    { type: 'changed', entity: 'preset', ids: [999], truncated: true },
  ]) {
    await a.query('SELECT pg_notify($1, $2)', ['rt_events', JSON.stringify(payload)]);
  }

  // A real change after the forged rings: events reach clients in ring order, so by the time it
  // arrives anything the forged payloads made the edge push would have arrived before it.
  const realChat = uniqueId();
  await db.query('SELECT rt.ingest($1::jsonb)', [JSON.stringify([textUpdate({ chatId: realChat, text: 'real one', messageId: 1, updateId: base + 9 })])]);
  const real = await ws.next((m) => m.type === 'message.created' && m.data?.chat_id === realChat, 20000);
  assertSchema('WsEnvelope', real);
  assert.equal(real.data.text, 'real one');
  assert.equal(typeof real.event_id, 'number', 'a journal event carries its event_id');
  await ws.next((m) => m.type === 'chat.updated' && m.data?.id === realChat, 20000);

  const pushed = ws.frames.filter((m) => m.type !== 'hello');
  const forged = pushed.filter((m) => m.data?.chat_id !== realChat && m.data?.id !== realChat);
  assert.deepEqual(forged.map((m) => `${m.type} ${JSON.stringify(m.data).slice(0, 80)}`), [],
    'nothing but the real change was pushed: no re-broadcast messages, no forged entity.changed');
  assert.deepEqual(pushed.map((m) => m.type), ['message.created', 'chat.updated']);
});

test('LISTEN lost: a change committed while the listener is down is read from the journal when LISTEN is back', { timeout: 90000 }, async () => {
  const db = await pgSuper();
  cleanups.push(() => db.end());
  const { rows: [{ t0 }] } = await db.query('SELECT clock_timestamp() AS t0');
  const edge = await startEdge({ name: 'relisten' });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const ws = await openWs(edge.url, s.cookie);
  cleanups.push(() => ws.close());
  await ws.next((m) => m.type === 'hello');
  const chatId = uniqueId();
  const updateId = 36100000000000 + (chatId % 1000000) * 10;
  // In one transaction: end the edge's rt_events listener (waiting until it is gone), then store
  // a message. Its doorbell rings at commit, before the edge can be listening again (its first
  // reconnect waits >= 250 ms), so nobody hears it: only reading the journal on re-LISTEN finds it.
  // the listener of this edge (connected since it started), once it is listening
  const listeners = `FROM pg_stat_activity WHERE application_name = 'rt-edge-listen' AND query ILIKE '%LISTEN%rt_events%'
    AND backend_start >= $1`;
  await waitFor(async () => (await db.query(`SELECT count(*)::int AS n ${listeners}`, [t0])).rows[0].n === 1,
    { timeoutMs: 15000, what: 'one rt_events listener' });
  await db.query('BEGIN');
  const { rows } = await db.query(`SELECT pg_terminate_backend(pid, 5000) AS gone ${listeners}`, [t0]);
  assert.equal(rows.length, 1, 'the edge has one rt_events listener');
  assert.equal(rows[0].gone, true);
  await db.query('SELECT rt.ingest($1::jsonb)', [JSON.stringify([textUpdate({ chatId, text: 'while deaf', messageId: 1, updateId })])]);
  await db.query('COMMIT');
  const m = await ws.next((f) => f.type === 'message.created' && f.data?.chat_id === chatId, 30000);
  assert.equal(m.data.text, 'while deaf');
  assert.match(edge.log(), /listener \(re\)connected, reading the journal/);
});

test('a flood of forged doorbells costs at most one journal read per 50 ms', { timeout: 90000 }, async () => {
  const db = await pgSuper();
  cleanups.push(() => db.end());
  const edge = await startEdge({ name: 'doorbells', env: { RT_LOG_LEVEL: 'debug' } });
  cleanups.push(async () => assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`));
  const s = await login(edge.url);
  const ws = await openWs(edge.url, s.cookie);
  cleanups.push(() => ws.close());
  await ws.next((m) => m.type === 'hello');
  const reads = () => edge.log().split('\n').filter((l) => l.includes('"events: reading the journal"')).length;
  const before = reads();
  const t0 = Date.now();
  // 2,000 doorbells, one transaction each, as fast as one connection sends them
  for (let i = 0; i < 20; i++) {
    await db.query("SELECT pg_notify('rt_events', '') FROM generate_series(1, 100)");
    for (let k = 0; k < 100; k++) await db.query(`SELECT pg_notify('rt_events', '${i}.${k}')`);
  }
  const elapsed = Date.now() - t0;
  // a real change after the flood still arrives
  const chatId = uniqueId();
  await db.query('SELECT rt.ingest($1::jsonb)', [JSON.stringify([textUpdate({ chatId, text: 'after the flood', messageId: 1, updateId: 36200000000000 + (chatId % 1000000) * 10 })])]);
  await ws.next((m) => m.type === 'message.created' && m.data?.chat_id === chatId, 20000);
  const n = reads() - before;
  // each read that finds nothing makes the next doorbells wait 50 ms: ~elapsed/50 reads, and
  // one for the real change (an edge that reads on every ring made ~400 in 1.6 s here)
  assert.ok(n <= Math.ceil(elapsed / 50) + 5, `${n} journal reads for 2,020 doorbells in ${elapsed} ms`);
  assert.deepEqual(ws.frames.filter((m) => m.type !== 'hello' && m.data?.chat_id !== chatId && m.data?.id !== chatId), [], 'and nothing was pushed for them');
});
