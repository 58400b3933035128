// Summary of the delivery benchmarks: reads the results latency.mjs, concurrency.mjs and
// sender.mjs wrote (<dir>/<name>.json) and prints each target next to the measured figure.
//   node bench/delivery/summary.mjs <dir>
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { table } from './lib.mjs';

const dir = process.argv[2];
const read = (name) => { try { return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8')); } catch { return null; } };
const lat = read('latency');
const con = read('concurrency');
const snd = read('sender');
const verdict = (ok) => (ok === null || ok === undefined ? 'n/a' : ok ? 'met' : 'NOT met');
const rows = [];
if (lat) {
  const f = lat.load.first_token_ms;
  rows.push(['1. first token p99, 100 chats × 1 msg/s (ms)', '< 50', f.p99, `p50 ${f.p50}, p95 ${f.p95}`, verdict(f.p99 !== null ? f.p99 < 50 : null)]);
  rows.push(['1. final sendMessage p99, same run (ms)', '-', lat.load.final_ms.p99, `p50 ${lat.load.final_ms.p50}, p95 ${lat.load.final_ms.p95}`, '']);
  if (lat.light) rows.push([`1. first token p99, light load ${lat.light.chats} chats × 1 msg/s (ms)`, '< 50', lat.light.first_token_ms.p99, `p50 ${lat.light.first_token_ms.p50}`, verdict(lat.light.first_token_ms.p99 < 50)]);
  rows.push(['1. first token p99, one question at a time (ms)', '< 50', lat.idle.first_token_ms.p99, `p50 ${lat.idle.first_token_ms.p50}`, verdict(lat.idle.first_token_ms.p99 < 50)]);
  const o = lat.overhead_ms;
  rows.push(['2. edge overhead per LLM call p99, idle (ms, estimate)', '< 2', o.idle.alone.p99, `p50 ${o.idle.alone.p50}; last byte → record p99 ${o.idle.post.p99}`, verdict(o.idle.alone.p99 < 2)]);
  if (o.light) rows.push(['2. edge overhead per LLM call p99, light load (ms, estimate)', '< 2', o.light.alone.p99, `p50 ${o.light.alone.p50}; last byte → record p99 ${o.light.post.p99}`, verdict(o.light.alone.p99 < 2)]);
  rows.push(['2. rt-edge CPU per reply, idle (ms, all its work)', '-', lat.idle.edge_cpu_ms_per_reply, 'upper bound of its work around one call', '']);
  rows.push(['2. edge overhead per LLM call p99, under load (ms, estimate)', '< 2', o.load.alone.p99, `p50 ${o.load.alone.p50}; last byte → record p99 ${o.load.post.p99}`, verdict(o.load.alone.p99 < 2)]);
}
if (con) {
  // the target is 1,000 calls (or more) held at < 64 MB: judged at the smallest level >= 1,000
  const judged = con.levels.filter((l) => l.level >= 1000).sort((a, b) => a.level - b.level)[0];
  for (const l of con.levels) {
    rows.push([`3. ${l.level} calls open at once: VmRSS (MB)`, l === judged ? '< 64 at >= 1,000' : '-', l.rss_open_mb,
      `${l.all_open ? 'all open' : `${l.peak_streaming} open at most`}, ${l.kb_per_call} KB/call, ${l.replies_sent}/${l.level} sent`,
      l === judged ? verdict(l.all_open && l.rss_open_mb < 64) : '']);
  }
}
if (snd) {
  rows.push(['4. sender: sendMessage calls/s (burst)', '-', snd.burst.sender_steady_per_s, `first to last ${snd.burst.sender_per_s}/s`, '']);
  rows.push(['4. relay end to end: commit → status sent, messages/s', '-', snd.burst.end_to_end_per_s, `${snd.burst.jobs} jobs`, '']);
  rows.push([`4. paced ${snd.paced.achieved_rate}/s: commit → status sent p99 (ms)`, '-', snd.paced.commit_to_sent_ms.p99, `p50 ${snd.paced.commit_to_sent_ms.p50}`, '']);
}
table('Delivery benchmarks — summary (figures measured on this machine; see each section above)', ['figure', 'target', 'measured', 'detail', 'verdict'], rows);
const loads = [lat, con, snd].filter(Boolean).map((r) => r.machine);
console.log(`machine: ${os.availableParallelism?.() ?? os.cpus().length} cores; load average (1 min) before/after each bench: ${loads.map((m) => `${m.load_before[0]}/${m.load_after[0]}`).join(', ')}`);
if (loads.some((m) => m.load_before[0] > (os.availableParallelism?.() ?? os.cpus().length))) {
  console.log('note: the load average exceeded the core count: other work shared the CPUs and skews every latency figure.');
}
