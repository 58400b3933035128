// Ingest benchmark: XADDs Telegram updates straight into rt:in of the running stack and measures
// (1) sustained updates/s from XADD to row committed and to WS message.created received, with
// 20,000 updates as fast as possible, and (2) p50/p99 latency XADD → WS at a paced 1,000/s.
//   node bench/ingest/ingest.mjs [--burst 20000] [--rate 1000] [--seconds 10]
// Run through `make bench` (starts the test stack and rt-edge).
import { performance } from 'node:perf_hooks';
import { startEdge, pgSuper, redisClient, ROOT } from '../../tests/lib/stack.mjs';
import { login, openWs, sleep } from '../../tests/lib/http.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const BURST = arg('--burst', 20000);
const RATE = arg('--rate', 1000);
const SECONDS = arg('--seconds', 10);

const runBase = 7e12 + Math.floor((Date.now() / 1000) % 1e7) * 100000;
const chatBase = 1e12 + Math.floor(Math.random() * 1e9);

function update(seq, tag) {
  const chatId = chatBase + (seq % 100);
  return JSON.stringify({ update_id: runBase + seq, message: {
    message_id: seq + 1, date: Math.floor(Date.now() / 1000),
    from: { id: chatId, is_bot: false, first_name: 'Bench', username: `bench${chatId % 100}` },
    chat: { id: chatId, type: 'private', first_name: 'Bench' }, text: `${tag} ${seq}` } });
}

const edgeBin = process.env.RT_EDGE_BIN ?? `${ROOT}/edge/build/rt-edge`;
process.env.RT_EDGE_BIN = edgeBin;
const edge = await startEdge({ name: 'bench', env: { RT_LOG_LEVEL: 'warn', RT_WS_MAX_QUEUE: '200000' } });
const redis = redisClient();
const db = await pgSuper();
const s = await login(edge.url);
const ws = await openWs(edge.url, s.cookie);
await ws.next((m) => m.type === 'hello');

// Every message.created frame of this run: seq → receive time.
const wsSeen = new Map();
let onFrame = null;
ws.ws.on('message', (data) => {
  const now = performance.now();
  const str = data.toString('utf8');
  if (!str.includes('"message.created"')) return;
  const m = JSON.parse(str);
  const uid = m.data?.update_id;
  if (uid >= runBase && uid < runBase + 100000 && !wsSeen.has(uid - runBase)) {
    wsSeen.set(uid - runBase, now);
    if (onFrame) onFrame(uid - runBase, now);
  }
});
ws.frames.length = 0;

const committed = async (lo, hi) => (await db.query('SELECT count(*)::int n FROM rt.update_keys WHERE update_id BETWEEN $1 AND $2', [runBase + lo, runBase + hi])).rows[0].n;

// ---- (1) burst ------------------------------------------------------------------------------
console.log(`burst: ${BURST} updates via XADD rt:in …`);
const t0 = performance.now();
for (let i = 0; i < BURST; i += 500) {
  const p = redis.pipeline();
  for (let k = i; k < Math.min(i + 500, BURST); k++) p.xadd('rt:in', '*', 'u', update(k, 'burst'));
  await p.exec();
}
const tXadd = performance.now() - t0;
let tDb = null;
let tWs = null;
const deadline = Date.now() + 300000;
while ((tDb === null || tWs === null) && Date.now() < deadline) {
  if (tDb === null && (await committed(0, BURST - 1)) >= BURST) tDb = performance.now() - t0;
  if (tWs === null && [...wsSeen.keys()].filter((k) => k < BURST).length >= BURST) tWs = performance.now() - t0;
  await sleep(20);
}
const burst = {
  updates: BURST,
  xadd_ms: Math.round(tXadd),
  committed_ms: tDb && Math.round(tDb), committed_per_s: tDb && Math.round(BURST / (tDb / 1000)),
  ws_ms: tWs && Math.round(tWs), ws_per_s: tWs && Math.round(BURST / (tWs / 1000)),
  ws_received: [...wsSeen.keys()].filter((k) => k < BURST).length,
};
console.log(`  XADD done in ${burst.xadd_ms} ms; all committed after ${burst.committed_ms} ms (${burst.committed_per_s}/s); all on WS after ${burst.ws_ms} ms (${burst.ws_per_s}/s)`);

await sleep(1000);

// ---- (2) paced latency ------------------------------------------------------------------------
const total = RATE * SECONDS;
const first = 50000;
console.log(`paced: ${RATE} updates/s for ${SECONDS} s (${total} updates), latency XADD → WS message.created …`);
const sentAt = new Map();
const lat = [];
onFrame = (seq, now) => { const t = sentAt.get(seq); if (t !== undefined) lat.push(now - t); };
const tick = 10;
const perTick = RATE * tick / 1000;
const start = performance.now();
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE) + perTick);
  if (due > sent) {
    const p = redis.pipeline();
    const batch = [];
    for (; sent < due; sent++) { p.xadd('rt:in', '*', 'u', update(first + sent, 'paced')); batch.push(first + sent); }
    const t = performance.now();
    for (const seq of batch) sentAt.set(seq, t);
    await p.exec();
  }
  await sleep(tick / 2);
}
const pacedDeadline = Date.now() + 60000;
while (lat.length < total && Date.now() < pacedDeadline) await sleep(50);
lat.sort((a, b) => a - b);
const pct = (p) => lat.length ? Math.round(lat[Math.min(lat.length - 1, Math.floor(p / 100 * lat.length))] * 10) / 10 : null;
const paced = { rate: RATE, seconds: SECONDS, sent: total, received: lat.length, p50_ms: pct(50), p90_ms: pct(90), p99_ms: pct(99), max_ms: pct(100),
  achieved_rate: Math.round(total / ((performance.now() - start) / 1000)) };
console.log(`  received ${paced.received}/${total}; p50 ${paced.p50_ms} ms, p90 ${paced.p90_ms} ms, p99 ${paced.p99_ms} ms, max ${paced.max_ms} ms`);

console.log(JSON.stringify({ bench: 'ingest', burst, paced }));
await ws.close();
await redis.quit();
await db.end();
await edge.stop();
const ok = burst.committed_per_s >= 10000 && paced.p99_ms !== null && paced.p99_ms < 50;
console.log(ok ? 'targets met (>= 10,000 updates/s, p99 < 50 ms)' : 'targets NOT met (>= 10,000 updates/s, p99 < 50 ms)');
process.exit(0);
