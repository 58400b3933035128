// Delivery benchmark 4 (issue 6): the sender's throughput against the fake Telegram with rate
// limits off, and the outbox relay end to end (outbox row created → message status sent).
//
//   node bench/delivery/sender.mjs [--burst 5000] [--chats 1000] [--rate 50] [--seconds 8]
//
// Burst: --burst telegram.send jobs over --chats chats, queued by rt.send_message (the function
// behind POST /api/messages, as the DBA door) in ONE transaction, so they all appear at its
// commit; from that commit the relay claims them (NOTIFY rt_outbox), XADDs them to {rt}:send, and
// the sender runs rt.job_begin → sendMessage → rt.mark_sent for each. Reported: sendMessage
// calls/s reaching the fake, and messages/s from the commit to the last status sent.
// Paced: --rate messages/s for --seconds s, each its own rt.send_message transaction, and the
// per-message latency from the outbox row's commit to status sent (rt.messages.sent_at) and to
// the sendMessage at the fake.
import { start as startTelegram } from '../../tests/fakes/telegram.mjs';
import { startEdge, pgSuper, redisClient } from '../../tests/lib/stack.mjs';
import { openChats, chatIds, stats, table, saveResult, cores, load, cpuMeter, cpuLine, loopDelay, edgeLogProblems,
  pgFunctionStats, printFunctionStats, nowT, r1, r2, sleep } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const BURST = arg('--burst', 5000);
const CHATS = arg('--chats', 1000);
const RATE = arg('--rate', 50);
const SECONDS = arg('--seconds', 8);

const loadBefore = load();
console.log(`== delivery bench 4: sender throughput and relay end to end (${cores} cores, load average ${loadBefore.join(' ')})`);

const tg = await startTelegram({ port: 0 });
const edge = await startEdge({ name: 'bench-sender', telegram: tg, env: {
  RT_LOG_LEVEL: 'warn', TELEGRAM_POLL_TIMEOUT: '25',
  RT_TG_RATE_CHAT: '0', RT_TG_RATE_GROUP_PER_MIN: '0', RT_TG_RATE_GLOBAL: '0' } });
const db = await pgSuper();
await db.query('SELECT pg_stat_reset()'); // this database's counters, for the function table at the end
const redis = redisClient();
const ids = chatIds(CHATS, 3);
await openChats({ tg, db, ids, providerId: null, autoreply: false });
const meter = await cpuMeter(edge.proc.pid, redis);
const ms = (col) => `(extract(epoch FROM ${col}) * 1000)::float8`;

// sendMessage records at the fake whose text starts with prefix: their arrival times.
const arrivals = (prefix) => tg.sent.filter((s) => s.method === 'sendMessage' && String(s.params.text).startsWith(prefix)).map((s) => s.t);
async function sentCount(prefix) {
  return (await db.query(`SELECT count(*)::int n FROM rt.messages WHERE chat_id = ANY($1::bigint[]) AND direction = 'out'
    AND status = 'sent' AND text LIKE $2`, [ids, `${prefix}%`])).rows[0].n;
}
async function waitSent(prefix, n, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const c = await sentCount(prefix);
    if (c >= n) return nowT();
    if (Date.now() > end) return null;
    await sleep(100);
  }
}
const queue = (client, prefix, from, n) => client.query(`SELECT count(rt.send_message(jsonb_build_object(
    'chat_id', ($1::bigint[])[1 + (i % cardinality($1::bigint[]))], 'text', $2 || i, 'as', 'bot')))
  FROM generate_series($3::int, $3::int + $4::int - 1) i`, [ids, prefix, from, n]);

// Warm-up.
await queue(db, 'warm ', 0, 200);
await waitSent('warm ', 200, 30000);
await sleep(500);

// ---- burst ---------------------------------------------------------------------------------------
console.log(`burst: ${BURST} telegram.send jobs over ${CHATS} chats, committed at once …`);
await db.query('BEGIN');
const tq = nowT();
await queue(db, 'burst ', 0, BURST);
const queueS = (nowT() - tq) / 1000;
const cpu0 = meter.snapshot();
const lag = loopDelay();
lag.start();
await db.query('COMMIT');
const tCommit = nowT();
const tDone = await waitSent('burst ', BURST, 300000);
const cpuBurst = meter.delta(cpu0, meter.snapshot());
const lagBurst = lag.stop();
const arr = arrivals('burst ').sort((a, b) => a - b);
// status sent is rt.mark_sent's transaction (rt.outbox.done_at; rt.messages.sent_at is Telegram's date, in seconds)
const burstRow = (await db.query(`SELECT ${ms('min(o.started_at)')} AS first_begin, ${ms('max(o.done_at)')} AS last_sent
  FROM rt.messages m JOIN rt.outbox o ON o.kind = 'telegram.send' AND (o.payload->>'message_pk')::bigint = m.id
  WHERE m.chat_id = ANY($1::bigint[]) AND m.direction = 'out' AND m.text LIKE 'burst %'`, [ids])).rows[0];
const inner = (lo, hi) => { const a = arr[Math.floor(arr.length * lo)]; const b = arr[Math.floor(arr.length * hi) - 1]; return (b - a) / 1000; };
const burst = {
  jobs: BURST, chats: CHATS, queue_s: r2(queueS),
  sent: tDone ? BURST : await sentCount('burst '),
  // end to end: commit → every message's status sent (tDone is our poll; the DB's last sent_at is exact)
  end_to_end_s: tDone ? r2((tDone - tCommit) / 1000) : null,
  end_to_end_per_s: burstRow.last_sent ? Math.round(BURST / ((burstRow.last_sent - tCommit) / 1000)) : null,
  // the sender: sendMessage calls reaching the fake, first to last and over the middle 80 %
  sendmessage_calls: arr.length,
  sender_per_s: arr.length > 1 ? Math.round(arr.length / ((arr[arr.length - 1] - arr[0]) / 1000)) : null,
  sender_steady_per_s: arr.length > 100 ? Math.round((arr.length * 0.8) / inner(0.1, 0.9)) : null,
  commit_to_first_send_ms: arr.length ? r1(arr[0] - tCommit) : null,
  cpu_s: cpuBurst, bench_event_loop_delay: lagBurst,
  cpu_us_per_message: Object.fromEntries(['edge', 'postgres', 'redis', 'client'].map((k) => [k, Math.round((cpuBurst[k] * 1e6) / BURST)])),
};
await sleep(1000);

// ---- paced ----------------------------------------------------------------------------------------
const total = RATE * SECONDS;
console.log(`paced: ${RATE} messages/s for ${SECONDS} s, one rt.send_message transaction each …`);
const clients = await Promise.all([0, 1, 2, 3].map(() => pgSuper()));
const committedAt = new Map(); // text → the time its transaction's commit returned
const due = [];                // indices whose time has come, not yet queued
let k = 0;
let producing = true;
// four connections take due messages in order, one transaction each; falling behind shows as a
// lower achieved rate
const workers = clients.map(async (c) => {
  while (producing || due.length) {
    const i = due.shift();
    if (i === undefined) { await sleep(1); continue; }
    const text = `paced ${i}`;
    await c.query(`SELECT rt.send_message(jsonb_build_object('chat_id', $1::bigint, 'text', $2::text, 'as', 'bot'))`, [ids[i % ids.length], text]);
    committedAt.set(text, nowT());
  }
});
const t0 = performance.now();
const cpu1 = meter.snapshot();
while (k < total) {
  const n = Math.min(total, Math.floor(((performance.now() - t0) / 1000) * RATE) + 1);
  for (; k < n; k++) due.push(k);
  await sleep(2);
}
producing = false;
await Promise.all(workers);
const pacedSeconds = (performance.now() - t0) / 1000;
await waitSent('paced ', total, 60000);
const cpuPaced = meter.delta(cpu1, meter.snapshot());
const rows = (await db.query(`SELECT m.text, ${ms('o.done_at')} AS sent_at, ${ms('o.created_at')} AS created, ${ms('o.relayed_at')} AS relayed,
    ${ms('o.started_at')} AS started, ${ms('o.done_at')} AS done
  FROM rt.messages m JOIN rt.outbox o ON o.kind = 'telegram.send' AND (o.payload->>'message_pk')::bigint = m.id
  WHERE m.chat_id = ANY($1::bigint[]) AND m.direction = 'out' AND m.text LIKE 'paced %'`, [ids])).rows;
const arrByText = new Map(tg.sent.filter((s) => s.method === 'sendMessage' && String(s.params.text).startsWith('paced ')).map((s) => [s.params.text, s.t]));
const lat = { sent: [], telegram: [], claim: [], relay: [], begin_to_telegram: [] };
for (const r of rows) {
  const c = committedAt.get(r.text);
  if (c === undefined || r.sent_at === null) continue;
  lat.sent.push(r.sent_at - c);
  if (arrByText.has(r.text)) lat.telegram.push(arrByText.get(r.text) - c);
  lat.claim.push(r.relayed - c);
  lat.relay.push(r.started - r.relayed);
  if (arrByText.has(r.text)) lat.begin_to_telegram.push(arrByText.get(r.text) - r.started);
}
await Promise.all(clients.map((c) => c.end()));
const paced = { rate: RATE, seconds: SECONDS, queued: total, achieved_rate: Math.round(total / pacedSeconds), sent: lat.sent.length,
  commit_to_sent_ms: stats(lat.sent), commit_to_telegram_ms: stats(lat.telegram), commit_to_claim_ms: stats(lat.claim),
  claim_to_begin_ms: stats(lat.relay), begin_to_telegram_ms: stats(lat.begin_to_telegram), cpu_s: cpuPaced };

const exit = await edge.stop();
// PostgreSQL time by function over this whole run (track_functions = pl, set by run.sh for the
// bench database; the edge's backends flush their counters when it stops)
await sleep(300);
const fnStats = await pgFunctionStats(db);
const result = { machine: { cores, load_before: loadBefore, load_after: load() }, burst, paced, pg_functions: fnStats,
  edge_exit: exit, edge_log_problems: edgeLogProblems(edge) };
const B = burst;
table(`4. Sender and relay throughput, fake Telegram, rate limits off — burst of ${BURST} telegram.send jobs over ${CHATS} chats`,
  ['measure', 'value'], [
    ['relay end to end: commit → last status sent, messages/s', B.end_to_end_per_s],
    ['sender: sendMessage calls/s at the fake, first to last', B.sender_per_s],
    ['sender: sendMessage calls/s, middle 80 %', B.sender_steady_per_s],
    ['commit → first sendMessage, ms', B.commit_to_first_send_ms],
    ['messages sent', `${B.sent}/${BURST}`],
    ['CPU µs per message: rt-edge / postgres / redis', `${B.cpu_us_per_message.edge} / ${B.cpu_us_per_message.postgres} / ${B.cpu_us_per_message.redis}`],
  ]);
console.log(`   ${cpuLine(B.cpu_s)}`);
console.log(`   (queueing the ${BURST} rows in one transaction took ${B.queue_s} s, before the clock started)`);
const pRow = (name, s) => [name, s.n, s.p50, s.p95, s.p99, s.max];
table(`   paced: ${paced.achieved_rate} messages/s for ${SECONDS} s (${paced.sent}/${total} sent), per message from its transaction's commit (ms)`,
  ['measure', 'n', 'p50', 'p95', 'p99', 'max'], [
    pRow('commit → status sent (rt.mark_sent\'s transaction)', paced.commit_to_sent_ms),
    pRow('commit → sendMessage at the fake', paced.commit_to_telegram_ms),
    pRow('  commit → rt.outbox_claim starts', paced.commit_to_claim_ms),
    pRow('  rt.outbox_claim → rt.job_begin starts', paced.claim_to_begin_ms),
    pRow('  rt.job_begin starts → sendMessage at the fake', paced.begin_to_telegram_ms),
  ]);
console.log(`   ${cpuLine(paced.cpu_s)}`);
printFunctionStats('PostgreSQL time by function during bench 4 (includes this bench\'s own rt.send_message calls)', fnStats);
if (Object.keys(result.edge_log_problems).length) console.log(`   edge warnings/errors: ${JSON.stringify(result.edge_log_problems)}`);
console.log(`machine: ${cores} cores, load average before ${loadBefore.join(' ')}, after ${result.machine.load_after.join(' ')}`);
saveResult('sender', result);

await db.end();
await redis.quit();
await tg.close();
process.exit(0);
