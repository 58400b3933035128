// (g) SIGKILL rt-edge in the middle of a 2,000-update burst, restart it: exactly 2,000 distinct
// messages, nothing lost, nothing duplicated (checked in SQL as the superuser).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { waitFor, sleep } from '../lib/http.mjs';

const TOTAL = 2000;
let tg; let db; const edges = [];
before(async () => {
  tg = await startTelegram({ port: 0 });
  db = await pgSuper();
});
after(async () => {
  for (const e of edges) await e.stop();
  await db?.end();
  await tg.close();
});

test(`SIGKILL during a ${TOTAL}-update burst loses and duplicates nothing`, { timeout: 240000 }, async () => {
  const chatId = uniqueId();
  const env = { RT_INGEST_CLAIM_IDLE_MS: '1000' }; // reclaim the dead consumer's entries quickly
  const first = await startEdge({ name: 'crash-1', telegram: tg, env });
  edges.push(first);
  const count = async () => (await db.query('SELECT count(*)::int n FROM rt.messages WHERE chat_id = $1', [chatId])).rows[0].n;

  // The burst: 2,000 updates in chunks of 50, a few ms apart, while the edge ingests.
  let pushed = 0;
  const burst = (async () => {
    while (pushed < TOTAL) {
      const chunk = [];
      for (let i = 0; i < 50 && pushed < TOTAL; i++, pushed++) {
        chunk.push(textUpdate({ chatId, text: `burst ${pushed}`, messageId: pushed + 1, chatType: 'group', userId: chatId + 1 }));
      }
      tg.push(chunk);
      await sleep(5);
    }
  })();

  // Kill it once some, but not all, are stored.
  await waitFor(async () => (await count()) >= 200, { timeoutMs: 60000, intervalMs: 20, what: '200 stored before the kill' });
  const killedAt = await count();
  const exit = await first.kill();
  assert.equal(exit.signal, 'SIGKILL');
  await burst;
  assert.ok(killedAt < TOTAL, `killed mid-burst (stored ${killedAt} of ${TOTAL})`);

  const second = await startEdge({ name: 'crash-2', telegram: tg, env, resetOffset: false });
  edges.push(second);
  await waitFor(async () => (await count()) >= TOTAL, { timeoutMs: 120000, intervalMs: 200, what: `${TOTAL} stored after the restart` });
  await sleep(2500); // anything duplicated by a late redelivery would land now

  const r = await db.query(`SELECT count(*)::int AS n, count(DISTINCT message_id)::int AS d, count(DISTINCT update_id)::int AS u,
                                   min(message_id)::int AS lo, max(message_id)::int AS hi
                              FROM rt.messages WHERE chat_id = $1`, [chatId]);
  assert.deepEqual(r.rows[0], { n: TOTAL, d: TOTAL, u: TOTAL, lo: 1, hi: TOTAL }, `killed at ${killedAt}`);
  const texts = await db.query("SELECT count(DISTINCT text)::int n FROM rt.messages WHERE chat_id = $1 AND text LIKE 'burst %'", [chatId]);
  assert.equal(texts.rows[0].n, TOTAL);
  assert.equal(tg.state().pending, 0, 'every update confirmed to Telegram');
  const stop = await second.stop();
  assert.deepEqual(stop, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${second.logPath})`);
});
