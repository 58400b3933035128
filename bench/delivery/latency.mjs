// Delivery benchmarks 1 and 2 (issue 6): reply latency as a user feels it, and the edge's own
// overhead per LLM call. One rt-edge (normal build) polls the fake Telegram (getUpdates) and
// answers through an openai_compatible provider on the fake LLM, which streams instantly
// (chunkDelayMs 0). Telegram rate limits are off (RT_TG_RATE_* = 0): 100 sends/s exceed
// Telegram's real global limit.
//
//   node bench/delivery/latency.mjs [--chats 100] [--seconds 30] [--idle 200]
//
// 1. Load: --chats private chats with auto-reply on, each sending 1 message/s for --seconds s
//    (one push every 10 ms across the chats). Per message, from the moment the fake handed the
//    update to the edge (the getUpdates answer that carried it, not the push: the long poll's
//    own wait is shown separately and excluded) to the first sendMessageDraft for that reply at
//    the fake Telegram (first token) and to the final sendMessage. Target: first token p99 < 50 ms.
//    Stage by stage medians come from PostgreSQL's own timestamps (rt.outbox created/started/
//    done) and the fakes' arrival times, on one clock (PostgreSQL's offset measured first).
// 2. Overhead: per call, the edge's time around the provider call = (request complete at the
//    provider − rt.job_begin's start) + (rt.record_reply's start − the provider's last byte), both
//    on the fakes' and PostgreSQL's clocks. The first part holds rt.job_begin's own SQL and
//    commit, which is PostgreSQL's time: it is measured by replaying rt.job_begin on clones of
//    the same jobs after the run, and its median is subtracted for the "edge alone" estimate.
//    Also shown: the edge's "llm call" log (total_us − http_us: rt.job_begin answered →
//    rt.record_reply committed, minus the HTTP transfer as curl saw it). Measured under the load
//    of part 1 and on an idle pipeline (--idle questions one at a time). Target: p99 < 2 ms.
import { startEdge, pgSuper, redisClient } from '../../tests/lib/stack.mjs';
import { login, openWs } from '../../tests/lib/http.mjs';
import { client } from '../../tests/lib/api.mjs';
import { createFakeProvider } from '../../tests/lib/delivery.mjs';
import { startTappedTelegram, startTappedLlm, openChats, chatIds, pushQuestion, stats, table, saveResult, cores, load, cpuMeter,
  cpuLine, loopDelay, edgeLogLines, edgeLogProblems, pgFunctionStats, printFunctionStats, nowT, r2, sleep } from './lib.mjs';

const args = process.argv.slice(2);
const arg = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const CHATS = arg('--chats', 100);
const SECONDS = arg('--seconds', 30);
const IDLE = arg('--idle', 200);
const LIGHT_CHATS = arg('--light-chats', 20);
const LIGHT_SECONDS = arg('--light-seconds', 10);
const TARGET_FIRST_P99 = 50;
const TARGET_OVERHEAD_P99 = 2;

const FILLER = ' Thanks for the question; here is a short answer streamed in several chunks so the edge sees a real stream.';
const tagOf = (text) => /^([a-z]\d+)\|/.exec(String(text ?? ''))?.[1] ?? null;

const loadBefore = load();
console.log(`== delivery bench 1+2: reply latency and edge overhead (${cores} cores, load average ${loadBefore.join(' ')})`);

const tg = await startTappedTelegram({ port: 0 });
const llm = await startTappedLlm({ port: 0, chunkDelayMs: 0, chunkSize: 16, splitUtf8: false,
  reply: ({ lastUser }) => `${lastUser}|${FILLER}` });
const edge = await startEdge({ name: 'bench-latency', telegram: tg, env: {
  RT_LOG_LEVEL: 'info', TELEGRAM_POLL_TIMEOUT: '25',
  RT_TG_RATE_CHAT: '0', RT_TG_RATE_GROUP_PER_MIN: '0', RT_TG_RATE_GLOBAL: '0' } });
const db = await pgSuper();
await db.query('SELECT pg_stat_reset()'); // this database's counters, for the function table at the end
const redis = redisClient();
const session = await login(edge.url);
const api = client(edge.url, session);
const provider = await createFakeProvider(api, llm, { name: `bench-latency-${process.pid}` });
const ids = chatIds(CHATS, 1);
await openChats({ tg, db, ids, providerId: provider.id });

// A browser watching (llm.delta, message.created …): frames are counted, never parsed.
const ws = await openWs(edge.url, session.cookie);
ws.ws.removeAllListeners('message');
let wsFrames = 0;
ws.ws.on('message', () => { wsFrames++; });

// PostgreSQL's clock against ours (same host, but measured rather than assumed): the offset of
// the round trip with the smallest RTT.
async function pgClockOffset() {
  let best = null;
  for (let i = 0; i < 20; i++) {
    const t0 = nowT();
    const { rows } = await db.query('SELECT (extract(epoch FROM clock_timestamp()) * 1000)::float8 AS t');
    const t1 = nowT();
    if (!best || t1 - t0 < best.rtt) best = { rtt: t1 - t0, offset: rows[0].t - (t0 + t1) / 2 };
  }
  return best;
}
const clock = await pgClockOffset();

// ---- sending questions and collecting what reached the fakes ------------------------------------
const asked = new Map(); // tag → { chatId, updateId, pushedAt }
function ask(tag, chatId) {
  const pushedAt = nowT();
  const updateId = pushQuestion(tg, chatId, tag);
  asked.set(tag, { chatId, updateId, pushedAt });
}
const firstDraft = new Map(); // tag → t of the first sendMessageDraft carrying its text
const finalSend = new Map();  // tag → t of the sendMessage
let draftsSeen = 0;
let sentSeen = 0;
function scan() {
  for (; draftsSeen < tg.drafts.length; draftsSeen++) {
    const d = tg.drafts[draftsSeen];
    const tag = tagOf(d.text);
    if (tag && !firstDraft.has(tag)) firstDraft.set(tag, d.t);
  }
  for (; sentSeen < tg.sent.length; sentSeen++) {
    const s = tg.sent[sentSeen];
    if (s.method !== 'sendMessage') continue;
    const tag = tagOf(s.params.text);
    if (tag && !finalSend.has(tag)) finalSend.set(tag, s.t);
  }
}
async function waitFinals(tags, timeoutMs) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    scan();
    if (tags.every((t) => finalSend.has(t))) return true;
    if (Date.now() > end) return false;
    await sleep(20);
  }
}

// ---- warm-up: one question per chat (connections, plans, caches) ---------------------------------
const warm = ids.map((id, i) => { const tag = `w${i}`; ask(tag, id); return tag; });
if (!(await waitFinals(warm, 60000))) console.log(`warning: warm-up: only ${warm.filter((t) => finalSend.has(t)).length}/${warm.length} replies`);
await sleep(500);

// ---- the runs ----------------------------------------------------------------------------------
// chats × 1 message/s for seconds s: one push every 1000/chats ms, chat k % chats, tags <prefix><k>
const meter = await cpuMeter(edge.proc.pid, redis);
async function paced(prefix, chats, seconds) {
  const total = chats * seconds;
  const every = 1000 / chats;
  const lag = loopDelay();
  const cpu0 = meter.snapshot();
  lag.start();
  const tags = [];
  const t0 = performance.now();
  for (let k = 0; k < total;) {
    const due = Math.min(total, Math.floor((performance.now() - t0) / every) + 1);
    for (; k < due; k++) { const tag = `${prefix}${k}`; tags.push(tag); ask(tag, ids[k % chats]); }
    await sleep(2);
  }
  const pushSeconds = (performance.now() - t0) / 1000;
  const done = await waitFinals(tags, 90000);
  const cpu = meter.delta(cpu0, meter.snapshot());
  if (!done) console.log(`warning: ${tags.filter((t) => !finalSend.has(t)).length} of ${total} replies missing after 90 s`);
  return { tags, pushSeconds, cpu, lag: lag.stop() };
}

// 1. load: the brief's 100 chats × 1 message/s
console.log(`load: ${CHATS} private chats × 1 message/s × ${SECONDS} s = ${CHATS * SECONDS} questions …`);
const loadRun = await paced('q', CHATS, SECONDS);
const loadTags = loadRun.tags;
const total = loadTags.length;
await sleep(1000);

// light load: fewer chats, to tell the pipeline's latency from its capacity
console.log(`light load: ${LIGHT_CHATS} chats × 1 message/s × ${LIGHT_SECONDS} s …`);
const lightRun = await paced('l', LIGHT_CHATS, LIGHT_SECONDS);
const lightTags = lightRun.tags;
await sleep(1000);

// 2b. idle: one question at a time
console.log(`idle: ${IDLE} questions one at a time …`);
// After each reply, rt.job_begin is replayed on a clone of its job (relayed_at set, so the relay
// leaves it alone; finished right after): PostgreSQL's share of "rt.job_begin starts → request at
// the provider" for that call, measured moments later under the same conditions.
async function replayBegin(id) {
  const { rows } = await db.query(`INSERT INTO rt.outbox (kind, payload, relayed_at)
    SELECT kind, payload, now() FROM rt.outbox WHERE id = $1 RETURNING id`, [id]);
  const t = nowT();
  await db.query('SELECT rt.job_begin($1::bigint)', [rows[0].id]);
  const ms = nowT() - t;
  await db.query('UPDATE rt.outbox SET done_at = now(), discarded_at = now() WHERE id = $1', [rows[0].id]);
  return ms;
}
const beginReplayOf = new Map(); // idle tag → replayed rt.job_begin round trip (ms)
const idleTags = [];
let cpuIdle = null;
{
  let cpuMs = 0;
  for (let k = 0; k < IDLE; k++) {
    const tag = `i${k}`;
    idleTags.push(tag);
    const c0 = meter.snapshot();
    ask(tag, ids[k % CHATS]);
    const ok = await waitFinals([tag], 10000);
    await sleep(25); // the send job's rt.mark_sent commits
    const c1 = meter.snapshot();
    cpuMs += (c1.edge - c0.edge) * 1000;
    if (!ok) { console.log(`warning: idle question ${tag} got no reply`); continue; }
    const job = (await db.query(`SELECT id FROM rt.outbox WHERE kind = 'llm.reply' AND discarded_at IS NULL
      ORDER BY id DESC LIMIT 1`)).rows[0]?.id;
    if (job) beginReplayOf.set(tag, await replayBegin(job));
    await sleep(10);
  }
  await sleep(1500); // the edge's log flushed
  cpuIdle = { edge: cpuMs / 1000 }; // rt-edge's CPU while questions were in flight (not during the replays)
}

// ---- gather -------------------------------------------------------------------------------------
scan();
const llmByTag = new Map();
for (const c of llm.calls) { const tag = tagOf(`${c.lastUser}|`); if (tag) llmByTag.set(tag, c); }
const logByJob = new Map(edgeLogLines(edge, 'llm call').map((l) => [Number(l.job), l]));
const ms = (col) => `(extract(epoch FROM ${col}) * 1000)::float8`;
const jobs = (await db.query(`
  SELECT o.id, m.text, ${ms('o.created_at')} AS created, ${ms('o.started_at')} AS started, ${ms('o.done_at')} AS done,
         ${ms('o.relayed_at')} AS relayed, (o.result->>'send_job')::bigint AS send_job, o.attempts,
         ${ms('s.relayed_at')} AS send_relayed, ${ms('s.started_at')} AS send_started, ${ms('s.done_at')} AS send_done
  FROM rt.outbox o
  JOIN rt.messages m ON m.id = (o.payload->>'message_pk')::bigint AND m.chat_id = (o.payload->>'chat_id')::bigint
  LEFT JOIN rt.outbox s ON s.id = (o.result->>'send_job')::bigint
  WHERE o.kind = 'llm.reply' AND o.discarded_at IS NULL AND (o.payload->>'chat_id')::bigint = ANY($1::bigint[])`, [ids])).rows; // not the replays' clones
const pg = (t) => (t === null ? null : t - clock.offset); // PostgreSQL time on our clock
const byTag = new Map();
for (const j of jobs) {
  const tag = tagOf(`${j.text}|`);
  if (tag) byTag.set(tag, j);
}

function measure(tags) {
  const rows = [];
  for (const tag of tags) {
    const a = asked.get(tag);
    const served = tg.servedAt.get(a.updateId) ?? null;
    const j = byTag.get(tag);
    const c = llmByTag.get(tag);
    const cEnd = llm.endAt.get(tag) ?? c?.closedAt ?? null; // the provider's last byte
    const log = j ? logByJob.get(Number(j.id)) : null;
    rows.push({
      tag, served, wait: served === null ? null : served - a.pushedAt,
      first: firstDraft.has(tag) && served !== null ? firstDraft.get(tag) - served : null,
      final: finalSend.has(tag) && served !== null ? finalSend.get(tag) - served : null,
      // stages on one clock
      s_ingest: j && served !== null ? pg(j.created) - served : null,                 // served → rt.ingest's transaction (llm.reply row)
      s_claim: j ? j.relayed - j.created : null,                                      // → rt.outbox_claim starts (ingest's SQL + commit, NOTIFY)
      s_relay: j ? j.started - j.relayed : null,                                      // → rt.job_begin starts (claim, XADD, XREADGROUP)
      s_begin_to_provider: j && c ? c.t - pg(j.started) : null,                         // → request complete at the provider
      s_first_token: c && firstDraft.has(tag) ? firstDraft.get(tag) - c.t : null,      // → first draft at Telegram
      s_provider: c && cEnd ? cEnd - c.t : null,                                       // the provider's own time
      s_to_record: j && cEnd ? pg(j.done) - cEnd : null,                                // provider's last byte → rt.record_reply starts
      s_send_claim: j && j.send_relayed ? j.send_relayed - j.done : null,               // → rt.outbox_claim of the send job starts
      s_send_relay: j && j.send_started ? j.send_started - j.send_relayed : null,       // → the send job's rt.job_begin starts
      s_send: j && j.send_started && finalSend.has(tag) ? finalSend.get(tag) - pg(j.send_started) : null, // → sendMessage at Telegram
      attempts: j?.attempts ?? null,
      log_total_us: log?.total_us ?? null, log_http_us: log?.http_us ?? null,
      begin_replay: beginReplayOf.get(tag) ?? null,
      job: j ? Number(j.id) : null,
    });
  }
  return rows;
}
const loadRows = measure(loadTags);
const lightRows = measure(lightTags);
const idleRows = measure(idleTags);

// ---- replaying rt.job_begin and rt.record_reply (PostgreSQL's share) -----------------------------
// Clones of finished jobs (relayed_at set, so no relay takes them), one at a time over the unix
// socket: rt.job_begin, then rt.record_reply with a result like the edge's, each timed as a
// client sees it (SQL + commit + round trip); the clone and the send job it made are finished
// right after, so no later edge relays them.
await edge.stop();
async function replay(jobIds) {
  const begin = [];
  const record = [];
  for (const id of jobIds) {
    const { rows } = await db.query(`INSERT INTO rt.outbox (kind, payload, relayed_at)
      SELECT kind, payload, now() FROM rt.outbox WHERE id = $1 RETURNING id`, [id]);
    const clone = rows[0].id;
    let t = nowT();
    await db.query('SELECT rt.job_begin($1::bigint)', [clone]);
    begin.push(nowT() - t);
    const res = { text: `replay|${FILLER}`, provider_id: provider.id, model: 'gpt-4o-mini', latency_ms: 1, finish_reason: 'stop',
      usage: { input: 60, cached_input: 0, output: 30, estimated: false } };
    t = nowT();
    const r = await db.query('SELECT rt.record_reply($1::bigint, $2::jsonb) AS r', [clone, JSON.stringify(res)]);
    record.push(nowT() - t);
    await db.query('UPDATE rt.outbox SET done_at = coalesce(done_at, now()), discarded_at = now() WHERE id IN ($1, $2)',
      [r.rows[0].r.send_job, clone]);
  }
  return { begin, record };
}
await sleep(300); // the edge's backends flush their counters as they exit
const fnStats = await pgFunctionStats(db); // before the replays below add their own calls
const sample = idleRows.filter((r) => r.job).slice(0, 200).map((r) => r.job);
await replay(sample.slice(0, 20)); // warm
const replayed = await replay(sample);
const beginReplayAfter = stats(replayed.begin);
const recordReplay = stats(replayed.record);
const beginReplay = stats([...beginReplayOf.values()]); // interleaved with the idle run

// ---- figures ------------------------------------------------------------------------------------
const col = (rows, k) => rows.map((r) => r[k]).filter((x) => x !== null);
function overheadRows(rows) {
  const both = rows.filter((r) => r.s_begin_to_provider !== null && r.s_to_record !== null);
  const measured = both.map((r) => r.s_begin_to_provider + r.s_to_record);
  // minus rt.job_begin's own round trip: the call's interleaved replay (idle), else the idle median
  const alone = both.map((r) => r.s_begin_to_provider + r.s_to_record - (r.begin_replay ?? beginReplay.p50));
  const logged = rows.filter((r) => r.log_total_us !== null).map((r) => (r.log_total_us - r.log_http_us) / 1000);
  return { measured: stats(measured), pre: stats(col(rows, 's_begin_to_provider')), post: stats(col(rows, 's_to_record')),
    alone: stats(alone), logged: stats(logged), logged_alone: stats(logged.map((x) => x - recordReplay.p50)),
    provider: stats(col(rows, 's_provider')) };
}
const RUNS = { load: loadRows, light: lightRows, idle: idleRows };
const runInfo = (rows, run, extra) => ({
  questions: rows.length, replies: rows.filter((r) => r.final !== null).length,
  first_token_ms: stats(col(rows, 'first')), final_ms: stats(col(rows, 'final')),
  getupdates_wait_ms: stats(col(rows, 'wait')), retried_jobs: rows.filter((r) => r.attempts > 1).length,
  // all of rt-edge's CPU for this run (ingest, relay, LLM worker, sender, events, WS, logging) per reply:
  // an upper bound of the edge's own work around one provider call
  edge_cpu_ms_per_reply: r2((run.cpu.edge * 1000) / Math.max(1, rows.filter((r) => r.final !== null).length)),
  cpu_s: run.cpu, ...extra,
});
const result = {
  machine: { cores, load_before: loadBefore, load_after: load() },
  load: runInfo(loadRows, loadRun, { chats: CHATS, seconds: SECONDS, push_seconds: r2(loadRun.pushSeconds), bench_event_loop_delay: loadRun.lag, ws_frames: wsFrames }),
  light: runInfo(lightRows, lightRun, { chats: LIGHT_CHATS, seconds: LIGHT_SECONDS, push_seconds: r2(lightRun.pushSeconds), bench_event_loop_delay: lightRun.lag }),
  idle: runInfo(idleRows, { cpu: cpuIdle }, {}),
  stages_ms: Object.fromEntries(['s_ingest', 's_claim', 's_relay', 's_begin_to_provider', 's_first_token', 's_provider', 's_to_record', 's_send_claim', 's_send_relay', 's_send']
    .map((k) => [k.slice(2), Object.fromEntries(Object.entries(RUNS).map(([n, rows]) => [n, stats(col(rows, k))]))])),
  overhead_ms: { ...Object.fromEntries(Object.entries(RUNS).map(([n, rows]) => [n, overheadRows(rows)])),
    job_begin_replay: beginReplay, job_begin_replay_after: beginReplayAfter, record_reply_replay: recordReplay },
  pg_clock_offset_ms: r2(clock.offset), pg_clock_rtt_ms: r2(clock.rtt),
  pg_functions: fnStats,
  edge_log_problems: edgeLogProblems(edge),
};

const { load: L, light: G, idle: I } = result;
const pRow = (name, s, target) => [name, s.n, s.p50, s.p95, s.p99, s.max, target ?? ''];
table(`1. Reply latency as a user feels it, from the getUpdates answer that carried the update (ms); replies: load ${L.replies}/${L.questions}, light ${G.replies}/${G.questions}, idle ${I.replies}/${I.questions}`,
  ['measure', 'n', 'p50', 'p95', 'p99', 'max', 'target'], [
    pRow(`load ${CHATS} chats × 1 msg/s × ${SECONDS} s: first token (first sendMessageDraft)`, L.first_token_ms, `p99 < ${TARGET_FIRST_P99}`),
    pRow(`load: final sendMessage`, L.final_ms),
    pRow(`light ${LIGHT_CHATS} chats × 1 msg/s × ${LIGHT_SECONDS} s: first token`, G.first_token_ms, `p99 < ${TARGET_FIRST_P99}`),
    pRow('light: final sendMessage', G.final_ms),
    pRow('idle, one question at a time: first token', I.first_token_ms, `p99 < ${TARGET_FIRST_P99}`),
    pRow('idle: final sendMessage', I.final_ms),
    pRow('(excluded) push → getUpdates answer, load', L.getupdates_wait_ms),
  ]);
const st = result.stages_ms;
const stRow = (name, k) => [name, ...['load', 'light', 'idle'].flatMap((n) => [st[k][n].p50, st[k][n].p99])];
table('   where the time goes (ms; PostgreSQL timestamps and the fakes\' times on one clock)',
  ['stage', 'load p50', 'load p99', 'light p50', 'light p99', 'idle p50', 'idle p99'], [
    stRow('getUpdates answer → rt.ingest transaction', 'ingest'),
    stRow('rt.ingest starts → rt.outbox_claim starts (ingest SQL + commit, NOTIFY)', 'claim'),
    stRow('rt.outbox_claim → rt.job_begin starts (claim + commit, XADD, XREADGROUP, pool)', 'relay'),
    stRow('rt.job_begin starts → request at the provider', 'begin_to_provider'),
    stRow('request at the provider → first draft at Telegram', 'first_token'),
    stRow('provider\'s own time (request → last byte)', 'provider'),
    stRow('provider\'s last byte → rt.record_reply starts', 'to_record'),
    stRow('rt.record_reply starts → send job\'s rt.outbox_claim starts', 'send_claim'),
    stRow('→ send job\'s rt.job_begin starts', 'send_relay'),
    stRow('send job\'s rt.job_begin → sendMessage at Telegram', 'send'),
  ]);
console.log(`   load:  ${cpuLine(L.cpu_s)}`);
console.log(`   light: ${cpuLine(G.cpu_s)}`);
console.log(`   bench process event-loop delay during the load: p50 ${L.bench_event_loop_delay.p50_ms} ms, p99 ${L.bench_event_loop_delay.p99_ms} ms (the fakes answer from it); WS frames to the one browser: ${wsFrames}; jobs retried: ${L.retried_jobs + G.retried_jobs + I.retried_jobs}`);

const O = result.overhead_ms;
table('2. Edge overhead per LLM call, instant fake provider (ms)', ['measure', 'n', 'p50', 'p95', 'p99', 'max', 'target'], [
  pRow('idle: edge alone (estimate: (a) − the call\'s rt.job_begin replay + (b))', O.idle.alone, `p99 < ${TARGET_OVERHEAD_P99}`),
  pRow('idle: measured = (a) + (b)', O.idle.measured),
  pRow('idle:   (a) rt.job_begin starts → request at the provider', O.idle.pre),
  pRow('idle:   (b) provider\'s last byte → rt.record_reply starts', O.idle.post),
  pRow('idle: edge log total_us − http_us (incl. rt.record_reply + commit)', O.idle.logged),
  pRow('idle: edge alone (2nd estimate: edge log − rt.record_reply replay p50)', O.idle.logged_alone, `p99 < ${TARGET_OVERHEAD_P99}`),
  pRow('light: edge alone (estimate: (a) − idle replay p50 + (b))', O.light.alone, `p99 < ${TARGET_OVERHEAD_P99}`),
  pRow('light:   (b) provider\'s last byte → rt.record_reply starts', O.light.post),
  pRow('load: edge alone (estimate)', O.load.alone, `p99 < ${TARGET_OVERHEAD_P99}`),
  pRow('load:   (b) provider\'s last byte → rt.record_reply starts', O.load.post),
  pRow('load: edge log total_us − http_us', O.load.logged),
  pRow('PostgreSQL: rt.job_begin replayed after each idle reply, round trip incl. commit', O.job_begin_replay),
  pRow('PostgreSQL: rt.job_begin replayed after the run', O.job_begin_replay_after),
  pRow('PostgreSQL: rt.record_reply replayed after the run, round trip incl. commit', O.record_reply_replay),
  pRow('fake provider\'s own time (idle)', O.idle.provider),
]);
console.log(`   rt-edge CPU per reply, all its work (ingest, relay, LLM worker, sender, events, WS): idle ${I.edge_cpu_ms_per_reply} ms, light ${G.edge_cpu_ms_per_reply} ms, load ${L.edge_cpu_ms_per_reply} ms — an upper bound of its own work around one call`);
printFunctionStats('PostgreSQL time by function during benches 1 and 2 (warm-up, load, light and idle runs; job_begin includes the idle replays)', fnStats);
if (Object.keys(result.edge_log_problems).length) console.log(`   edge warnings/errors: ${JSON.stringify(result.edge_log_problems)}`);
console.log(`machine: ${cores} cores, load average before ${loadBefore.join(' ')}, after ${result.machine.load_after.join(' ')}`);
saveResult('latency', result);

await ws.close();
await db.end();
await redis.quit();
await tg.close();
await llm.close();
process.exit(0);
