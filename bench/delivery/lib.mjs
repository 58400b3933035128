// Shared helpers of the delivery benchmarks (bench/delivery/*.mjs): percentiles and tables,
// machine and process accounting (load average, CPU seconds, VmRSS), the fake Telegram with the
// time it handed out each update, a provider and a set of auto-reply chats, the edge's log.
// Bare packages (pg, ioredis, ws) come through tests/lib, whose node_modules resolve them.
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { start as startTelegram } from '../../tests/fakes/telegram.mjs';
import { start as startLlm } from '../../tests/fakes/llm.mjs';
import { stackEnv, textUpdate } from '../../tests/lib/stack.mjs';
import { sleep } from '../../tests/lib/http.mjs';

export const nowT = () => performance.timeOrigin + performance.now();
export const r1 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 10) / 10);
export const r2 = (x) => (x === null || x === undefined || Number.isNaN(x) ? null : Math.round(x * 100) / 100);

// ---- statistics and printing --------------------------------------------------------------------

/** {n, p50, p95, p99, max, mean} of a list of numbers (nearest-rank percentiles), rounded. */
export function stats(values, round = r2) {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return { n: 0, p50: null, p95: null, p99: null, max: null, mean: null };
  const at = (p) => v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))];
  return { n: v.length, p50: round(at(50)), p95: round(at(95)), p99: round(at(99)), max: round(v[v.length - 1]),
    mean: round(v.reduce((a, b) => a + b, 0) / v.length) };
}

/** Prints rows (arrays of cells) as an aligned text table under a title. */
export function table(title, header, rows) {
  const all = [header, ...rows].map((r) => r.map((c) => (c === null || c === undefined ? '-' : String(c))));
  const w = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) => `  ${r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ')}`;
  console.log(`\n${title}`);
  console.log(line(all[0]));
  console.log(`  ${w.map((n) => '-'.repeat(n)).join('  ')}`);
  for (const r of all.slice(1)) console.log(line(r));
}

/** Writes a benchmark's result where run.sh's summary finds it ($RT_HOME/bench-results/<name>.json). */
export function saveResult(name, result) {
  const dir = path.join(stackEnv().RT_HOME, 'bench-results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  console.log(JSON.stringify({ bench: `delivery-${name}`, ...result }));
}

// ---- machine and processes ----------------------------------------------------------------------

export const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
export const load = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

const TICK = 100; // USER_HZ on Linux
/** CPU seconds (user + system) a process has used, or 0 when it is gone. */
export function procCpu(pid) {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICK;
  } catch { return 0; }
}

/** A field of /proc/<pid>/status in kB (VmRSS, VmHWM, …), or null. */
export function procStatusKb(pid, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch { return null; }
}
export const rssMb = (pid) => { const kb = procStatusKb(pid, 'VmRSS'); return kb === null ? null : r1(kb / 1024); };
export const fdCount = (pid) => { try { return fs.readdirSync(`/proc/${pid}/fd`).length; } catch { return null; } };

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

/**
 * CPU accounting of rt-edge, PostgreSQL (all backends), Redis and this process (the fakes and the
 * load generator share it) between snapshot() calls: delta(a, b) → CPU seconds each.
 */
export async function cpuMeter(edgePid, redis) {
  const redisPid = Number(/process_id:(\d+)/.exec(await redis.info('server'))?.[1]) || null;
  const pm = postmasterPid();
  const snapshot = () => {
    const pg = pm ? [pm, ...childrenOf(pm)] : [];
    const u = process.cpuUsage();
    return { t: performance.now(), edge: procCpu(edgePid), pg: new Map(pg.map((p) => [p, procCpu(p)])),
      redis: redisPid ? procCpu(redisPid) : 0, client: (u.user + u.system) / 1e6 };
  };
  const delta = (a, b) => {
    let pg = 0;
    for (const [p, after] of b.pg) pg += after - (a.pg.get(p) ?? 0);
    const secs = (b.t - a.t) / 1000;
    const c = { edge: r2(b.edge - a.edge), postgres: r2(pg), redis: r2(b.redis - a.redis), client: r2(b.client - a.client) };
    return { ...c, seconds: r1(secs), cores_busy: r2((c.edge + c.postgres + c.redis + c.client) / secs) };
  };
  return { snapshot, delta };
}
export const cpuLine = (c) => `CPU s over ${c.seconds} s: rt-edge ${c.edge}, postgres ${c.postgres}, redis ${c.redis}, bench process (fakes + load) ${c.client}; ${c.cores_busy} of ${cores} cores busy`;

/** Event-loop delay of this process (the fakes answer from it): start() … stop() → p50/p99 ms. */
export function loopDelay() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  return {
    start: () => { h.reset(); h.enable(); },
    stop: () => { h.disable(); return { p50_ms: r2(h.percentile(50) / 1e6), p99_ms: r2(h.percentile(99) / 1e6), max_ms: r2(h.max / 1e6) }; },
  };
}

// ---- the fakes, with the times they wrote their answers -------------------------------------------

/**
 * The fakes build their server with http.createServer inside start(); for that one call the
 * handler is wrapped so tap(req, res) sees every request first (nothing in the fakes changes).
 */
async function startTapped(startFn, opts, tap) {
  const orig = http.createServer;
  http.createServer = function createServerTapped(...args) {
    http.createServer = orig;
    const i = args.findIndex((a) => typeof a === 'function');
    const handler = args[i];
    args[i] = (req, res) => { tap(req, res); return handler(req, res); };
    return orig.apply(http, args);
  };
  try { return await startFn(opts); } finally { http.createServer = orig; }
}

/**
 * tests/fakes/telegram.mjs with `servedAt`: update_id → the time (nowT) the fake wrote the first
 * getUpdates answer that carried it. A long poll that is waiting answers at the moment of the
 * push; otherwise the update waits for the edge's next getUpdates, and that wait is the
 * poller's, not the pipeline's.
 */
export async function startTappedTelegram(opts = {}) {
  const servedAt = new Map();
  const tg = await startTapped(startTelegram, opts, (req, res) => {
    if (!/\/getUpdates(?:\?|$)/.test(req.url)) return;
    const end = res.end;
    res.end = function tappedEnd(chunk, ...rest) {
      const t = nowT();
      if (chunk) for (const m of String(chunk).matchAll(/"update_id":(\d+)/g)) if (!servedAt.has(Number(m[1]))) servedAt.set(Number(m[1]), t);
      return end.call(this, chunk, ...rest);
    };
  });
  tg.servedAt = servedAt;
  return tg;
}

/**
 * tests/fakes/llm.mjs with `endAt`: tag → the time the fake ended the streamed answer whose
 * content starts with `<tag>|` (the last byte written; the call's own closedAt comes from the
 * response's 'close' event, a little later).
 */
export async function startTappedLlm(opts = {}) {
  const endAt = new Map();
  const llm = await startTapped(startLlm, opts, (req, res) => {
    if (!/\/chat\/completions$/.test(req.url)) return;
    let tag = null;
    const write = res.write;
    res.write = function tappedWrite(chunk, ...rest) {
      if (tag === null && chunk) { const m = /"content":"([a-z]\d+)\|/.exec(String(chunk)); if (m) tag = m[1]; }
      return write.call(this, chunk, ...rest);
    };
    const end = res.end;
    res.end = function tappedEnd(...args) {
      if (tag !== null && !endAt.has(tag)) endAt.set(tag, nowT());
      return end.apply(this, args);
    };
  });
  llm.endAt = endAt;
  return llm;
}

// ---- chats and the provider ---------------------------------------------------------------------

/** Chat ids of a run: n private chats from a base no other suite uses. */
export function chatIds(n, salt = 0) {
  const base = 4_100_000_000 + ((Date.now() / 1000) % 100000 | 0) * 1000 + salt * 100_000_000;
  return Array.from({ length: n }, (_, i) => base + i);
}

/**
 * Opens n private chats through the fake (one "hello" each, in batches), waits until rt.chats has
 * them all, then switches auto-reply on with the given provider (superuser UPDATE: the REST
 * PATCH per chat is tested elsewhere and only costs set-up time here).
 */
export async function openChats({ tg, db, ids, providerId, autoreply = true }) {
  for (let i = 0; i < ids.length; i += 500) {
    tg.push(ids.slice(i, i + 500).map((id) => textUpdate({ chatId: id, text: 'hello', messageId: tg.nextMessageId(id), username: `b${id % 1e6}`, firstName: 'Bench' })));
  }
  const end = Date.now() + 120000;
  for (;;) {
    const n = (await db.query('SELECT count(*)::int n FROM rt.chats WHERE id = ANY($1::bigint[])', [ids])).rows[0].n;
    if (n === ids.length) break;
    if (Date.now() > end) throw new Error(`only ${n}/${ids.length} chats stored`);
    await sleep(100);
  }
  await db.query('UPDATE rt.chats SET autoreply = $2, provider_id = $3 WHERE id = ANY($1::bigint[])', [ids, autoreply, providerId]);
}

/** A user's text message in a private chat, pushed to the fake; returns its update id. */
export function pushQuestion(tg, chatId, text) {
  const [updateId] = tg.push([textUpdate({ chatId, text, messageId: tg.nextMessageId(chatId), username: `b${chatId % 1e6}`, firstName: 'Bench' })]);
  return updateId;
}

// ---- PostgreSQL time by function ----------------------------------------------------------------

/**
 * pg_stat_user_functions of schema rt (plpgsql functions; run.sh sets track_functions = pl for
 * the bench database): the top n by total time. Reset with pg_stat_reset() at a bench's start;
 * read after the edge stopped (its backends flush their counters on exit).
 */
export async function pgFunctionStats(db, n = 10) {
  const { rows } = await db.query(`SELECT funcname AS fn, calls::int, round((total_time / calls)::numeric, 3)::float8 AS mean_ms,
      round(total_time::numeric)::float8 AS total_ms
    FROM pg_stat_user_functions WHERE schemaname = 'rt' AND calls > 0 ORDER BY total_time DESC LIMIT $1`, [n]);
  return rows;
}
export function printFunctionStats(title, rows) {
  if (!rows.length) { console.log(`   (${title}: no counters; track_functions is off — run through bench/delivery/run.sh)`); return; }
  table(`   ${title}`, ['function', 'calls', 'mean ms', 'total ms'], rows.map((f) => [f.fn, f.calls, f.mean_ms, f.total_ms]));
}

// ---- the edge's log ----------------------------------------------------------------------------

/** The edge's JSON log lines with msg === name, parsed (numbers where the value is numeric). */
export function edgeLogLines(edge, name) {
  const out = [];
  for (const line of edge.log().split('\n')) {
    if (!line.includes(`"${name}"`)) continue;
    let o;
    try { o = JSON.parse(line); } catch { continue; }
    if (o.msg !== name) continue;
    for (const [k, v] of Object.entries(o)) if (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v)) o[k] = Number(v);
    out.push(o);
  }
  return out;
}

/** Counts of warn/error lines in the edge's log (by msg), to show anything that went wrong. */
export function edgeLogProblems(edge) {
  const counts = {};
  for (const line of edge.log().split('\n')) {
    if (!/"level":"(warn|error)"/.test(line)) continue;
    let o;
    try { o = JSON.parse(line); } catch { continue; }
    const k = `${o.level}: ${o.msg}${o.error ? ` (${String(o.error).slice(0, 80)})` : ''}`;
    counts[k] = (counts[k] ?? 0) + 1;
  }
  return counts;
}

export { sleep };
