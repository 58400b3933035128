// Poison updates (issue 7): an update rt.ingest fails on, whatever the SQLSTATE class (42 and 53
// were retried forever), goes to {rt}:dead with its reason after RT_INGEST_MAX_DELIVERIES failures
// and ingest goes on; decision 009's update-by-update fallback isolates one bad update in a batch;
// and a Redis SIGKILL in the middle of ingest loses no stored message.
//
// Each test runs its own Redis (durable like the stack's) so {rt}:in and {rt}:dead start empty and a
// killed Redis disturbs no other suite; the edges run without a Telegram token (no poller) and
// the updates are XADDed to {rt}:in as the poller would.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import Redis from 'ioredis';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { waitFor, sleep } from '../lib/http.mjs';
import { ownRedis } from '../lib/delivery.mjs';

const MAX_DELIVERIES = 3;
const cleanups = [];
after(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function setup(name, env = {}, { startNow = true } = {}) {
  const redis = await ownRedis(name);
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  client.on('error', () => {}); // while the test's Redis is killed
  const db = await pgSuper();
  const ctx = { redis, client, db, edge: null };
  ctx.start = async () => {
    ctx.edge = await startEdge({ name, env: { REDIS_URL: redis.url, RT_INGEST_MAX_DELIVERIES: String(MAX_DELIVERIES), ...env } });
    return ctx.edge;
  };
  cleanups.push(async () => {
    const exit = ctx.edge ? await ctx.edge.stop() : { code: 0, signal: null };
    client.disconnect();
    await db.end();
    await redis.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${ctx.edge?.logPath})`);
  });
  if (startNow) await ctx.start();
  return ctx;
}

let updateSeq = 0;
/** An update with a fresh update_id for chatId; returns { id, json }. */
function update(chatId, text) {
  const id = 880000000000 + (process.pid % 10000) * 100000 + (++updateSeq) * 7;
  return { id, json: JSON.stringify(textUpdate({ chatId, text, messageId: updateSeq, updateId: id })) };
}

const xadd = (client, u) => client.xadd('{rt}:in', '*', 'u', u.json);

async function storedTexts(db, chatId) {
  const r = await db.query('SELECT text FROM rt.messages WHERE chat_id = $1 ORDER BY id', [chatId]);
  return r.rows.map((x) => x.text);
}

/** {rt}:dead entries as objects of their fields. */
async function deadLetters(client) {
  const entries = await client.xrange('{rt}:dead', '-', '+');
  return entries.map(([id, f]) => {
    const o = { id };
    for (let i = 0; i < f.length; i += 2) o[f[i]] = f[i + 1];
    return o;
  });
}

test('class 53 from one update (rethrown by rt.ingest as transient): that update goes to {rt}:dead after RT_INGEST_MAX_DELIVERIES failures with its SQLSTATE, the others of its batch and later ones are stored', { timeout: 120000 }, async () => {
  const ctx = await setup('poison-53', {}, { startNow: false });
  const chatId = uniqueId();
  const poisonText = `poison-53-${chatId}`;
  await ctx.db.query(`CREATE OR REPLACE FUNCTION public.rt_test_poison_53() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.text LIKE 'poison-53-%' THEN
        RAISE EXCEPTION 'test: out of memory for this update' USING ERRCODE = '53200';
      END IF;
      RETURN NEW;
    END $$`);
  await ctx.db.query('CREATE TRIGGER rt_test_poison_53 BEFORE INSERT ON rt.messages FOR EACH ROW EXECUTE FUNCTION public.rt_test_poison_53()');
  try {
    // one batch: XADDed before the edge reads anything
    const good1 = update(chatId, 'before the poison');
    const poison = update(chatId, poisonText);
    const good2 = update(chatId, 'after the poison');
    for (const u of [good1, poison, good2]) await xadd(ctx.client, u);
    const edge = await ctx.start();

    const dead = await waitFor(async () => (await deadLetters(ctx.client)).find((d) => d.u === poison.json), { timeoutMs: 60000, what: 'the poison update in {rt}:dead' });
    assert.equal(dead.stream, '{rt}:in');
    assert.match(dead.err, /SQLSTATE 53200/);
    assert.match(dead.err, /out of memory for this update/);
    await waitFor(async () => (await storedTexts(ctx.db, chatId)).length === 2, { timeoutMs: 30000, what: 'the two good updates stored' });
    assert.deepEqual(await storedTexts(ctx.db, chatId), ['before the poison', 'after the poison']);

    // ingest goes on: a later update is stored, nothing is left pending
    await xadd(ctx.client, update(chatId, 'later'));
    await waitFor(async () => (await storedTexts(ctx.db, chatId)).includes('later'), { timeoutMs: 30000, what: 'a later update stored' });
    await waitFor(async () => (await ctx.client.xpending('{rt}:in', 'ingest'))[0] === 0, { timeoutMs: 10000, what: 'nothing pending in {rt}:in' });
    assert.equal((await deadLetters(ctx.client)).length, 1, 'only the poison update is dead-lettered');
    const failures = edge.log().split('\n').filter((l) => l.includes('update failed; retrying it after a backoff') && l.includes('53200'));
    assert.equal(failures.length, MAX_DELIVERIES - 1, `retried ${MAX_DELIVERIES - 1} times before {rt}:dead:\n${failures.join('\n')}`);
  } finally {
    await ctx.db.query('DROP TRIGGER IF EXISTS rt_test_poison_53 ON rt.messages');
    await ctx.db.query('DROP FUNCTION IF EXISTS public.rt_test_poison_53()');
  }
});

test('class 42 (EXECUTE on rt.ingest revoked): the update goes to {rt}:dead with 42501 after RT_INGEST_MAX_DELIVERIES failures; once restored, later updates are stored', { timeout: 120000 }, async () => {
  const ctx = await setup('poison-42');
  const chatId = uniqueId();
  const fn = 'rt.ingest(jsonb)';
  const { rows: [acl] } = await ctx.db.query(`SELECT EXISTS (SELECT 1 FROM pg_proc p, aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a
      WHERE p.oid = $1::regprocedure AND a.grantee = 0 AND a.privilege_type = 'EXECUTE') AS public`, [fn]);
  await ctx.db.query(`REVOKE EXECUTE ON FUNCTION ${fn} FROM rt_edge, PUBLIC`);
  let restored = false;
  const restore = async () => {
    if (restored) return;
    restored = true;
    await ctx.db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO rt_edge`);
    if (acl.public) await ctx.db.query(`GRANT EXECUTE ON FUNCTION ${fn} TO PUBLIC`);
  };
  try {
    const victim = update(chatId, 'sent while rt.ingest was revoked');
    await xadd(ctx.client, victim);
    const dead = await waitFor(async () => (await deadLetters(ctx.client)).find((d) => d.u === victim.json), { timeoutMs: 60000, what: 'the update in {rt}:dead' });
    assert.match(dead.err, /SQLSTATE 42501/);
    assert.match(dead.err, /permission denied/);
    await restore();
    await xadd(ctx.client, update(chatId, 'after the grant'));
    await waitFor(async () => (await storedTexts(ctx.db, chatId)).includes('after the grant'), { timeoutMs: 30000, what: 'a later update stored' });
    assert.deepEqual(await storedTexts(ctx.db, chatId), ['after the grant'], 'the dead-lettered update is not stored');
  } finally {
    await restore();
  }
});

test('decision 009: a write the checks do not foresee fails one update of a batch; the update-by-update fallback rejects only it and stores the rest', { timeout: 60000 }, async () => {
  const ctx = await setup('fallback-009', {}, { startNow: false });
  const chatId = uniqueId();
  await ctx.db.query(`CREATE OR REPLACE FUNCTION public.rt_test_bad_009() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW.text LIKE 'bad-009-%' THEN RAISE EXCEPTION 'test: this row is refused'; END IF;
      RETURN NEW;
    END $$`);
  await ctx.db.query('CREATE TRIGGER rt_test_bad_009 BEFORE INSERT ON rt.messages FOR EACH ROW EXECUTE FUNCTION public.rt_test_bad_009()');
  try {
    const texts = ['one', 'two', `bad-009-${chatId}`, 'four', 'five'];
    const ups = texts.map((t) => update(chatId, t));
    for (const u of ups) await xadd(ctx.client, u); // one batch: queued before the edge starts
    await ctx.start();
    await waitFor(async () => (await storedTexts(ctx.db, chatId)).length === 4, { timeoutMs: 30000, what: 'the four good updates stored' });
    assert.deepEqual(await storedTexts(ctx.db, chatId), ['one', 'two', 'four', 'five']);
    const rej = await ctx.db.query('SELECT error, sqlstate FROM rt.ingest_rejects WHERE update_id = $1', [ups[2].id]);
    assert.equal(rej.rows.length, 1, 'the bad update is a reject');
    assert.equal(rej.rows[0].sqlstate, 'P0001');
    assert.match(rej.rows[0].error, /this row is refused/);
    await waitFor(async () => (await ctx.client.xpending('{rt}:in', 'ingest'))[0] === 0, { timeoutMs: 10000, what: 'the batch acked' });
    assert.deepEqual(await deadLetters(ctx.client), [], 'a reject is not a dead letter');
  } finally {
    await ctx.db.query('DROP TRIGGER IF EXISTS rt_test_bad_009 ON rt.messages');
    await ctx.db.query('DROP FUNCTION IF EXISTS public.rt_test_bad_009()');
  }
});

test('Redis SIGKILLed during ingest and restarted: every update it had taken is stored once, none dead-lettered', { timeout: 180000 }, async () => {
  const ctx = await setup('redis-kill-ingest', { RT_INGEST_BATCH: '10', RT_INGEST_CLAIM_IDLE_MS: '2000' });
  const chatId = uniqueId();
  const total = 3000;
  const ups = Array.from({ length: total }, (_, i) => update(chatId, `burst ${i}`));
  for (let i = 0; i < total; i += 500) {
    const p = ctx.client.pipeline();
    for (const u of ups.slice(i, i + 500)) p.xadd('{rt}:in', '*', 'u', u.json);
    const res = await p.exec();
    assert.ok(res.every(([err]) => !err), 'every XADD acknowledged (appendfsync always: durable)');
  }
  // kill while entries are still unread or pending
  const count = async () => Number((await ctx.db.query('SELECT count(*) FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].count);
  await waitFor(async () => (await count()) >= 100, { timeoutMs: 30000, intervalMs: 20, what: 'ingest under way' });
  await ctx.redis.kill();
  const storedAtKill = await count();
  assert.ok(storedAtKill < total, `the kill landed during ingest (${storedAtKill} of ${total} stored)`);
  await sleep(1500);
  assert.ok(ctx.edge.alive(), 'rt-edge survives losing Redis');
  await ctx.redis.start();
  await waitFor(async () => (await count()) === total, { timeoutMs: 120000, intervalMs: 200, what: `all ${total} updates stored` });
  const distinct = await ctx.db.query('SELECT count(DISTINCT update_id) AS n, count(*) AS rows FROM rt.messages WHERE chat_id = $1', [chatId]);
  assert.equal(Number(distinct.rows[0].n), total);
  assert.equal(Number(distinct.rows[0].rows), total, 'no update stored twice');
  await waitFor(async () => (await ctx.client.xpending('{rt}:in', 'ingest'))[0] === 0, { timeoutMs: 30000, what: 'nothing left pending' });
  assert.deepEqual(await deadLetters(ctx.client), [], 'nothing dead-lettered');
  console.log(`# Redis SIGKILL with ${storedAtKill} of ${total} stored; after the restart all ${total} stored once`);
});
