// Delivery benchmark 3 (issue 6): streaming LLM calls held open at once, and the edge's memory.
// rt-edge (normal build, RT_LLM_CONCURRENCY 6000) answers auto-replies through the fake LLM,
// scripted to send one content chunk and then stall; at 100, 1,000 and 5,000 simultaneous
// auto-replies the edge's VmRSS (and open file descriptors) is read once the fake counts every
// call open and streaming. The stall then ends, every reply is recorded and sent, and the next
// level starts from a drained pipeline. Target: >= 1,000 concurrent at RSS < 64 MB.
//
//   node bench/delivery/concurrency.mjs [--levels 100,1000,5000] [--chats 1000]
//
// Telegram rate limits are off, and Telegram streaming stays on (each call's first token sends a
// "typing" action and a sendMessageDraft), as in production. Raise `ulimit -n` first (run.sh does):
// each open call is one socket in rt-edge and one in this process.
import fs from 'node:fs';
import { start as startLlm } from '../../tests/fakes/llm.mjs';
import { start as startTelegram } from '../../tests/fakes/telegram.mjs';
import { startEdge, pgSuper, redisClient, textUpdate } from '../../tests/lib/stack.mjs';
import { login } from '../../tests/lib/http.mjs';
import { client } from '../../tests/lib/api.mjs';
import { createFakeProvider } from '../../tests/lib/delivery.mjs';
import { openChats, chatIds, table, saveResult, cores, load, rssMb, fdCount, procStatusKb, cpuMeter, cpuLine,
  edgeLogProblems, pgFunctionStats, printFunctionStats, nowT, r1, r2, sleep } from './lib.mjs';

const args = process.argv.slice(2);
const argStr = (name, def) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : def; };
const LEVELS = argStr('--levels', '100,1000,5000').split(',').map(Number);
const CHATS = Number(argStr('--chats', '1000'));
const TARGET_CONCURRENT = 1000;
const nofile = () => /Max open files\s+(\d+)/.exec(fs.readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? '?';
const TARGET_RSS_MB = 64;

const loadBefore = load();
console.log(`== delivery bench 3: concurrent streaming calls (${cores} cores, load average ${loadBefore.join(' ')}, open files limit ${nofile()})`);

const tg = await startTelegram({ port: 0 });
const llm = await startLlm({ port: 0, chunkDelayMs: 0, chunks: 4, splitUtf8: false });
const edge = await startEdge({ name: 'bench-concurrency', telegram: tg, env: {
  RT_LOG_LEVEL: 'warn', TELEGRAM_POLL_TIMEOUT: '25', RT_LLM_CONCURRENCY: '6000',
  // the stalls below last longer than the default idle timeout (30 s) at the largest level
  RT_LLM_IDLE_TIMEOUT_MS: '170000', RT_LLM_FIRST_TOKEN_TIMEOUT_MS: '170000',
  RT_TG_RATE_CHAT: '0', RT_TG_RATE_GROUP_PER_MIN: '0', RT_TG_RATE_GLOBAL: '0' } });
const pid = edge.proc.pid;
const db = await pgSuper();
await db.query('SELECT pg_stat_reset()'); // this database's counters, for the function table at the end
const redis = redisClient();
const api = client(edge.url, await login(edge.url));
const provider = await createFakeProvider(api, llm, { name: `bench-concurrency-${process.pid}` });
const ids = chatIds(CHATS, 2);
await openChats({ tg, db, ids, providerId: provider.id });
const meter = await cpuMeter(pid, redis);

// Warm-up: a few ordinary replies, so the baseline includes a working pipeline.
const sentCount = () => tg.sent.filter((s) => s.method === 'sendMessage').length;
{
  const before = sentCount();
  tg.push(ids.slice(0, 20).map((id) => textUpdate({ chatId: id, text: 'warm up', messageId: tg.nextMessageId(id) })));
  const end = Date.now() + 30000;
  while (sentCount() < before + 20 && Date.now() < end) await sleep(100);
}
await sleep(1000);
const rssStart = rssMb(pid);

const open = (tag) => {
  let inFlight = 0;
  let streaming = 0;
  for (const c of llm.calls) {
    if (c.closedAt !== null || !c.lastUser.startsWith(tag)) continue;
    inFlight++;
    if (c.chunksSent >= 1) streaming++;
  }
  return { inFlight, streaming };
};
const repliesSent = async (tag) => (await db.query(
  `SELECT count(*)::int n FROM rt.messages q JOIN rt.messages a ON a.in_reply_to = q.id AND a.status = 'sent'
   WHERE q.chat_id = ANY($1::bigint[]) AND q.direction = 'in' AND q.text LIKE $2`, [ids, `${tag}%`])).rows[0].n;

const levels = [];
for (const level of LEVELS) {
  const tag = `cc${level}x`;
  // The stall outlasts the ramp (every call opened) with room to read the figures; measured ramp
  // on 2 busy cores: ~1 s per 1,000 calls plus the pipeline's own latency.
  const stallMs = 8000 + level * 6;
  llm.script([{ match: tag, stallAfterChunks: 1, stallMs, times: level }]);
  const rssBefore = rssMb(pid);
  const fdBefore = fdCount(pid);
  const cpu0 = meter.snapshot();
  const t0 = nowT();
  const updates = [];
  for (let k = 0; k < level; k++) {
    const id = ids[k % ids.length];
    updates.push(textUpdate({ chatId: id, text: `${tag}${k}`, messageId: tg.nextMessageId(id) }));
  }
  for (let i = 0; i < updates.length; i += 500) tg.push(updates.slice(i, i + 500));

  // Ramp: until the fake counts every call streaming (first chunk sent, then stalled).
  let peak = { inFlight: 0, streaming: 0 };
  let allOpenAt = null;
  let rssAtOpen = null;
  let fdAtOpen = null;
  const rampEnd = t0 + stallMs - 500;
  while (nowT() < rampEnd) {
    const o = open(tag);
    if (o.streaming > peak.streaming) peak = o;
    if (o.streaming >= level) { allOpenAt = nowT(); break; }
    await sleep(100);
  }
  // Plateau: RSS and descriptors while every call is held (a few samples, the largest kept).
  let rssPeak = 0;
  let fdPeak = 0;
  for (let i = 0; i < 5; i++) {
    const o = open(tag);
    if (o.streaming < level * 0.98 && allOpenAt) break;
    const r = rssMb(pid);
    const f = fdCount(pid);
    if (i === 0) { rssAtOpen = r; fdAtOpen = f; }
    rssPeak = Math.max(rssPeak, r ?? 0);
    fdPeak = Math.max(fdPeak, f ?? 0);
    await sleep(200);
  }
  if (!allOpenAt) { rssAtOpen = rssMb(pid); fdAtOpen = fdCount(pid); }
  const cpuRamp = meter.delta(cpu0, meter.snapshot());
  console.log(`  level ${level}: ${allOpenAt ? `all ${level} open after ${r1((allOpenAt - t0) / 1000)} s` : `only ${peak.streaming}/${level} streaming at once`}; RSS ${rssAtOpen} MB (before ${rssBefore} MB), fds ${fdAtOpen}; waiting for the stall (${stallMs / 1000} s) to end and every reply to be sent …`);

  // Drain: the stall ends, every reply is recorded and sent.
  const drainDeadline = Date.now() + stallMs + 120000;
  let sent = 0;
  let doneAt = null;
  while (Date.now() < drainDeadline) {
    sent = await repliesSent(tag);
    if (sent >= level) { doneAt = nowT(); break; }
    await sleep(500);
  }
  const lastStallEnd = Math.max(...llm.calls.filter((c) => c.lastUser.startsWith(tag) && c.closedAt).map((c) => c.closedAt));
  levels.push({
    level, stall_ms: stallMs, all_open: !!allOpenAt, ramp_s: allOpenAt ? r2((allOpenAt - t0) / 1000) : null,
    peak_streaming: allOpenAt ? level : peak.streaming,
    rss_before_mb: rssBefore, rss_open_mb: rssAtOpen, rss_peak_mb: r1(rssPeak) || rssAtOpen,
    kb_per_call: rssAtOpen && rssBefore ? Math.round(((rssAtOpen - rssBefore) * 1024) / level) : null,
    fds_before: fdBefore, fds_open: fdAtOpen, fds_peak: fdPeak || fdAtOpen,
    replies_sent: sent, drain_s: doneAt && Number.isFinite(lastStallEnd) ? r2((doneAt - lastStallEnd) / 1000) : null,
    total_s: doneAt ? r2((doneAt - t0) / 1000) : null, cpu_ramp_s: cpuRamp,
  });
  await sleep(1000);
}
const rssEnd = rssMb(pid);
const hwm = r1((procStatusKb(pid, 'VmHWM') ?? 0) / 1024);
const stopT = nowT();
const exit = await edge.stop(60000);
const stopS = r2((nowT() - stopT) / 1000);
await sleep(300);
const fnStats = await pgFunctionStats(db);

const result = { machine: { cores, load_before: loadBefore, load_after: load() }, chats: CHATS, rss_start_mb: rssStart,
  rss_end_mb: rssEnd, rss_hwm_mb: hwm, levels, stop: { exit, seconds: stopS }, pg_functions: fnStats, edge_log_problems: edgeLogProblems(edge) };

table('3. Streaming LLM calls held open at once (fake LLM: one chunk, then a stall), rt-edge memory',
  ['simultaneous auto-replies', 'all open', 'ramp s', 'VmRSS before MB', 'VmRSS open MB', 'KB/call', 'fds open', 'replies sent', 'drain s', 'target'],
  levels.map((l) => [l.level, l.all_open ? 'yes' : `${l.peak_streaming} max`, l.ramp_s, l.rss_before_mb, l.rss_open_mb, l.kb_per_call,
    l.fds_open, `${l.replies_sent}/${l.level}`, l.drain_s, l.level === TARGET_CONCURRENT ? `RSS < ${TARGET_RSS_MB} MB` : '']));
console.log(`   VmRSS at start ${rssStart} MB, at the end ${rssEnd} MB, peak (VmHWM) ${hwm} MB; SIGTERM → exit ${JSON.stringify(exit)} in ${stopS} s`);
for (const l of levels) console.log(`   level ${l.level}, ramp: ${cpuLine(l.cpu_ramp_s)}`);
printFunctionStats('PostgreSQL time by function during bench 3', fnStats);
if (Object.keys(result.edge_log_problems).length) console.log(`   edge warnings/errors: ${JSON.stringify(result.edge_log_problems)}`);
const ok = levels.some((l) => l.level >= TARGET_CONCURRENT && l.all_open && l.rss_open_mb < TARGET_RSS_MB);
console.log(`   target (>= ${TARGET_CONCURRENT} concurrent at RSS < ${TARGET_RSS_MB} MB): ${ok ? 'met' : 'NOT met'}`);
console.log(`machine: ${cores} cores, load average before ${loadBefore.join(' ')}, after ${result.machine.load_after.join(' ')}`);
saveResult('concurrency', result);

await db.end();
await redis.quit();
await tg.close();
await llm.close();
process.exit(0);
