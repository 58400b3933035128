// Ingest benchmark: XADDs Telegram updates straight into {rt}:in of the running stack and measures
// (1) sustained updates/s from XADD to row committed and to WS message.created received, with
// 20,000 updates as fast as possible, and (2) p50/p99 latency XADD → WS at a paced 1,000/s.
//   node bench/ingest/ingest.mjs [--burst 20000] [--rate 1000] [--seconds 10] [--batch N]
// --batch sets RT_INGEST_BATCH of the edge it starts (default: the edge's own default).
// Run through `make bench` (starts the test stack and rt-edge).
//
// The client shares the machine with what it measures, so it stays cheap: the burst's updates
// are serialised before the clock starts, XADDs go in pipelines of 500, WS frames are never JSON-parsed (the update_id is read from the raw bytes), commit
// progress is probed with a point lookup of the last update_id before the one full count.
// Besides the rates it prints the core count, the load average before and after (other work on
// the machine skews every figure), and the CPU seconds each process spent during the burst, so
// a reader can tell a slow pipeline from a busy machine; from those it derives a labelled
// estimate of what idle cores would allow. The pass/fail line judges measured figures only.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { startEdge, pgSuper, redisClient, stackEnv, ROOT } from '../../tests/lib/stack.mjs';
import { login, openWs, sleep } from '../../tests/lib/http.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const BURST = arg('--burst', 20000);
const RATE = arg('--rate', 1000);
const SECONDS = arg('--seconds', 10);
const BATCH = arg('--batch', null);
const PACED_FIRST = Math.max(50000, BURST); // seq of the first paced update
const SPAN = PACED_FIRST + RATE * SECONDS;

const runBase = 7e12 + Math.floor((Date.now() / 1000) % 1e7) * 100000;
const chatBase = 1e12 + Math.floor(Math.random() * 1e9);
if (SPAN > 100000) throw new Error('--burst and --rate x --seconds must stay within 100,000 update ids per run');

function update(seq, tag) {
  const chatId = chatBase + (seq % 100);
  return JSON.stringify({ update_id: runBase + seq, message: {
    message_id: seq + 1, date: Math.floor(Date.now() / 1000),
    from: { id: chatId, is_bot: false, first_name: 'Bench', username: `bench${chatId % 100}` },
    chat: { id: chatId, type: 'private', first_name: 'Bench' }, text: `${tag} ${seq}` } });
}

// ---- machine and process accounting ----------------------------------------------------------
const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);
const TICK = 100; // USER_HZ on Linux
function procCpu(pid) { // seconds of CPU (user + system) a process has used, or 0 when gone
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch { return 0; }
}
function childrenOf(ppid) {
  const out = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(s.slice(s.lastIndexOf(')') + 2).split(' ')[1]) === ppid) out.push(Number(d));
    } catch { /* gone */ }
  }
  return out;
}
function postmasterPid() {
  try { return Number(fs.readFileSync(path.join(stackEnv().RT_HOME, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]); } catch { return null; }
}

const edgeBin = process.env.RT_EDGE_BIN ?? `${ROOT}/edge/build/rt-edge`;
process.env.RT_EDGE_BIN = edgeBin;
const edgeEnv = { RT_LOG_LEVEL: 'warn', RT_WS_MAX_QUEUE: '200000' };
if (BATCH) edgeEnv.RT_INGEST_BATCH = String(BATCH);
const edge = await startEdge({ name: 'bench', env: edgeEnv });
const redis = redisClient();
const db = await pgSuper();
const s = await login(edge.url);
const ws = await openWs(edge.url, s.cookie);
await ws.next((m) => m.type === 'hello');
const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || null;
const pmPid = postmasterPid();

// From here on frames are not parsed (openWs's own listener would JSON.parse and keep every
// frame): a message.created frame is recognised and its update_id read from the raw bytes.
ws.ws.removeAllListeners('message');
const seenAt = new Float64Array(SPAN).fill(-1); // seq → receive time of its first message.created
let burstSeen = 0;
let tBurstWs = null;
let onFrame = null;
let t0 = 0;
const CREATED = Buffer.from('"message.created"');
const UID = Buffer.from('"update_id":');
ws.ws.on('message', (data) => {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
  if (buf.indexOf(CREATED) < 0) return;
  let i = buf.indexOf(UID);
  if (i < 0) return;
  i += UID.length;
  while (buf[i] === 0x20) i++;
  let uid = 0;
  for (; buf[i] >= 0x30 && buf[i] <= 0x39; i++) uid = uid * 10 + (buf[i] - 0x30);
  const seq = uid - runBase;
  if (seq < 0 || seq >= SPAN || seenAt[seq] >= 0) return;
  const now = performance.now();
  seenAt[seq] = now;
  if (seq < BURST && ++burstSeen === BURST) tBurstWs = now - t0;
  if (onFrame) onFrame(seq, now);
});

const isCommitted = async (seq) => (await db.query('SELECT 1 FROM rt.update_keys WHERE update_id = $1', [runBase + seq])).rowCount === 1;
const committed = async (lo, hi) => (await db.query('SELECT count(*)::int n FROM rt.update_keys WHERE update_id BETWEEN $1 AND $2', [runBase + lo, runBase + hi])).rows[0].n;

function cpuSnapshot() {
  const pg = pmPid ? [pmPid, ...childrenOf(pmPid)] : [];
  return {
    edge: procCpu(edge.proc.pid),
    pgPids: new Map(pg.map((p) => [p, procCpu(p)])),
    redis: redisPid ? procCpu(redisPid) : 0,
    client: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
  };
}
function cpuDelta(a, b) {
  // Postgres backends come and go: sum each process's growth (one started since counts from 0)
  let pg = 0;
  let pgBusiest = 0;
  for (const [p, after] of b.pgPids) {
    const d = after - (a.pgPids.get(p) ?? 0);
    pg += d;
    pgBusiest = Math.max(pgBusiest, d);
  }
  const r = (x) => Math.round(x * 100) / 100;
  return { edge: r(b.edge - a.edge), postgres: r(pg), postgres_busiest_backend: r(pgBusiest), redis: r(b.redis - a.redis), client: r(b.client - a.client) };
}

// ---- (1) burst ------------------------------------------------------------------------------
const loadBefore = load();
console.log(`machine: ${cores} cores, load average ${loadBefore.join(' ')}`);
console.log(`burst: ${BURST} updates via XADD {rt}:in …`);
const burstUpdates = Array.from({ length: BURST }, (_, k) => update(k, 'burst')); // outside the clock
const cpu0 = cpuSnapshot();
t0 = performance.now();
for (let i = 0; i < BURST; i += 500) {
  const p = redis.pipeline();
  for (let k = i; k < Math.min(i + 500, BURST); k++) p.xadd('{rt}:in', '*', 'u', burstUpdates[k]);
  await p.exec();
}
const tXadd = performance.now() - t0;
let tDb = null;
const deadline = Date.now() + 300000;
while ((tDb === null || tBurstWs === null) && Date.now() < deadline) {
  // the last update committed is the cheap sign; the full count confirms every one is
  if (tDb === null && (await isCommitted(BURST - 1)) && (await committed(0, BURST - 1)) >= BURST) tDb = performance.now() - t0;
  await sleep(tDb === null ? 5 : 20);
}
const cpu1 = cpuSnapshot();
const burstCpu = cpuDelta(cpu0, cpu1);
const elapsed = Math.max(tDb ?? 0, tBurstWs ?? 0) / 1000;
const burst = {
  updates: BURST,
  xadd_ms: Math.round(tXadd),
  committed_ms: tDb && Math.round(tDb), committed_per_s: tDb && Math.round(BURST / (tDb / 1000)),
  ws_ms: tBurstWs && Math.round(tBurstWs), ws_per_s: tBurstWs && Math.round(BURST / (tBurstWs / 1000)),
  ws_received: burstSeen,
  cpu_s: burstCpu,
  cpu_us_per_update: Object.fromEntries(Object.entries(burstCpu).map(([k, v]) => [k, Math.round(v * 1e6 / BURST)])),
  cores_busy: elapsed > 0 ? Math.round((burstCpu.edge + burstCpu.postgres + burstCpu.redis + burstCpu.client) / elapsed * 100) / 100 : null,
};
// What the CPU time alone allows on idle cores: all the work spread over every core, and no
// process faster than its own CPU time (the busiest of rt-edge, Redis and one PostgreSQL
// backend). An estimate, not a measurement: it ignores waits, context switches and contention.
{
  const all = burstCpu.edge + burstCpu.postgres + burstCpu.redis + burstCpu.client;
  const busiest = Math.max(burstCpu.edge, burstCpu.redis, burstCpu.postgres_busiest_backend, burstCpu.client);
  burst.cpu_bound_estimate_per_s = all > 0 && busiest > 0 ? Math.round(Math.min(BURST * cores / all, BURST / busiest)) : null;
}
console.log(`  XADD done in ${burst.xadd_ms} ms; all committed after ${burst.committed_ms} ms (${burst.committed_per_s}/s); all on WS after ${burst.ws_ms} ms (${burst.ws_per_s}/s)`);
console.log(`  CPU s: rt-edge ${burstCpu.edge}, postgres ${burstCpu.postgres} (busiest backend ${burstCpu.postgres_busiest_backend}), redis ${burstCpu.redis}, bench client ${burstCpu.client} (${burst.cores_busy} of ${cores} cores busy)`);
console.log(`  CPU-bound estimate on ${cores} idle cores: ~${burst.cpu_bound_estimate_per_s}/s (from CPU seconds, not measured)`);

await sleep(1000);

// ---- (2) paced latency ------------------------------------------------------------------------
const total = RATE * SECONDS;
console.log(`paced: ${RATE} updates/s for ${SECONDS} s (${total} updates), latency XADD → WS message.created …`);
const sentAt = new Float64Array(total);
const lat = [];
onFrame = (seq, now) => { if (seq >= PACED_FIRST) lat.push(now - sentAt[seq - PACED_FIRST]); };
const tick = 10;
const perTick = RATE * tick / 1000;
const start = performance.now();
let sent = 0;
while (sent < total) {
  const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * RATE) + perTick);
  if (due > sent) {
    const p = redis.pipeline();
    const t = performance.now();
    for (; sent < due; sent++) { p.xadd('{rt}:in', '*', 'u', update(PACED_FIRST + sent, 'paced')); sentAt[sent] = t; }
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

const loadAfter = load();
const machine = { cores, load_before: loadBefore, load_after: loadAfter, ingest_batch: BATCH ?? 'edge default' };
console.log(`machine: ${cores} cores, load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`);
console.log(JSON.stringify({ bench: 'ingest', machine, burst, paced }));
await ws.close();
await redis.quit();
await db.end();
await edge.stop();
const ok = burst.committed_per_s >= 10000 && burst.ws_per_s >= 10000 && paced.p99_ms !== null && paced.p99_ms < 50;
console.log(ok ? `targets met on ${cores} cores (>= 10,000 updates/s committed and on WS, p99 < 50 ms)`
  : `targets NOT met on ${cores} cores (>= 10,000 updates/s committed and on WS, p99 < 50 ms)`);
if (loadBefore[0] > cores) console.log(`note: load average ${loadBefore[0]} exceeded ${cores} cores before the run; other work skews these figures`);
process.exit(0);
