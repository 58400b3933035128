// k8s/grafana/roundtable.json, the sample dashboard: every query is parsed with Prometheus' own
// PromQL grammar (@prometheus-io/lezer-promql) and may use only the metrics of the table in
// docs/design/contract-ship.md (and, where edge/src/edge_metrics.c exists, names that file
// exports), with each metric's own labels; a histogram is read through _bucket/_sum/_count, other
// types never. The panels the issue asks for exist. Each check fails on a mutated dashboard.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parser } from '@prometheus-io/lezer-promql';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (f) => fs.readFileSync(path.join(repoRoot, f), 'utf8');
const dashboard = JSON.parse(read('k8s/grafana/roundtable.json'));

/** The metric table of the contract: name → { type, labels }. */
export function contractMetrics(md) {
  const section = md.split(/^## /m).find((s) => s.startsWith('Metric names'));
  assert.ok(section, 'docs/design/contract-ship.md has no "Metric names" section');
  const metrics = new Map();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`(rt_[a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!name) continue;
    const type = cells[2].split(/\s/)[0];
    // label names are the backticked words outside the parentheses that list their values
    const labels = [...cells[3].replace(/\([^)]*\)/g, '').matchAll(/`([a-z_]+)`/g)].map((m) => m[1]);
    metrics.set(name, { type, labels });
  }
  assert.ok(metrics.size >= 10, `only ${metrics.size} metrics read from the contract`);
  return metrics;
}

/** Metric names edge/src/edge_metrics.c exports (string literals rt_...), or null without the file. */
export function edgeMetricNames() {
  const f = path.join(repoRoot, 'edge/src/edge_metrics.c');
  if (!fs.existsSync(f)) return null;
  return new Set([...fs.readFileSync(f, 'utf8').matchAll(/"(rt_[a-z0-9_]+)/g)].map((m) => m[1]));
}

// labels every scraped series carries (added by Prometheus) and the histogram bucket bound
const TARGET_LABELS = ['instance', 'job', 'pod', 'namespace', 'le'];
const GRAFANA_VARS = { $__rate_interval: '5m', $__interval: '1m', $__range: '1h' };

/** Parses one expr; returns { metrics: [{ name, base }], labels: [..] }; throws on a syntax error. */
export function parseExpr(expr) {
  const src = expr.replace(/\$__rate_interval|\$__interval|\$__range/g, (v) => GRAFANA_VARS[v]);
  const tree = parser.parse(src);
  const metrics = [];
  const labels = [];
  tree.iterate({
    enter(n) {
      if (n.type.isError) throw new Error(`PromQL syntax error at ${n.from} in: ${expr}`);
      if (n.name === 'Identifier' && n.node.parent?.name === 'VectorSelector') metrics.push(src.slice(n.from, n.to));
      if (n.name === 'LabelName') labels.push(src.slice(n.from, n.to));
    },
  });
  return { metrics, labels };
}

const queries = (d) => d.panels.filter((p) => p.type !== 'row').flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

/** Every query parses, names only contract metrics (and edge_metrics.c ones), with their labels. */
export function checkQueries(d, metrics, edgeNames) {
  const qs = queries(d);
  assert.ok(qs.length > 0, 'the dashboard has no queries');
  for (const { panel, expr } of qs) {
    assert.ok(typeof expr === 'string' && expr.trim(), `panel "${panel}" has a target without expr`);
    const { metrics: used, labels } = parseExpr(expr);
    assert.ok(used.length > 0, `panel "${panel}": no metric in ${expr}`);
    const allowedLabels = new Set(TARGET_LABELS);
    for (const name of used) {
      const suffix = /_(bucket|sum|count)$/.exec(name);
      let base = name;
      if (!metrics.has(name) && suffix && metrics.get(name.slice(0, -suffix[0].length))?.type === 'histogram') base = name.slice(0, -suffix[0].length);
      const m = metrics.get(base);
      assert.ok(m, `panel "${panel}": ${name} is not a metric of the table in docs/design/contract-ship.md`);
      assert.ok(!(m.type === 'histogram' && base === name), `panel "${panel}": the histogram ${name} is read through _bucket, _sum or _count`);
      if (edgeNames) assert.ok(edgeNames.has(base), `panel "${panel}": edge/src/edge_metrics.c exports no ${base}`);
      m.labels.forEach((l) => allowedLabels.add(l));
    }
    for (const l of labels) assert.ok(allowedLabels.has(l), `panel "${panel}": label ${l} belongs to none of ${used.join(', ')}`);
    if (/histogram_quantile/.test(expr)) assert.ok(used.every((n) => n.endsWith('_bucket')) && labels.includes('le'), `panel "${panel}": histogram_quantile needs _bucket series summed by le`);
  }
}

/** A Prometheus datasource variable, used by every panel and query. */
export function checkDatasource(d) {
  const v = d.templating?.list?.find((x) => x.type === 'datasource');
  assert.ok(v && v.query === 'prometheus', 'the dashboard needs a datasource variable of type prometheus');
  const ref = `\${${v.name}}`;
  for (const p of d.panels.filter((x) => x.type !== 'row')) {
    assert.equal(p.datasource?.uid, ref, `panel "${p.title}" does not use the datasource variable`);
    for (const t of p.targets ?? []) assert.equal(t.datasource?.uid ?? ref, ref, `a query of panel "${p.title}" uses another datasource`);
  }
}

/** The panels the issue asks for, each found by the metric it shows. */
export const WANTED = {
  'updates ingested rate': /rate\(rt_updates_ingested_total/,
  'stream lengths': /rt_stream_length\b/,
  'stream pending': /rt_stream_pending\b/,
  'stream lag': /rt_stream_lag\b/,
  'outbox backlog': /rt_outbox_backlog\b/,
  'LLM latency p50 per provider': /histogram_quantile\(0\.5, sum by \(provider, le\) \(rate\(rt_llm_request_duration_seconds_bucket/,
  'LLM latency p95 per provider': /histogram_quantile\(0\.95, sum by \(provider, le\) \(rate\(rt_llm_request_duration_seconds_bucket/,
  'tokens per provider': /by \(provider[^)]*\) \(rate\(rt_llm_tokens_total/,
  'cost per provider': /by \(provider\) \((rate|increase)\(rt_llm_cost_usd_total/,
  'Telegram 429s': /rt_telegram_429_total\b/,
  'dead letters': /rt_dead_letters_total\b/,
  'WebSocket clients': /rt_ws_clients\b/,
  'PG pool waits': /rt_pg_pool_waits_total\b/,
};
export function checkPanels(d) {
  const exprs = queries(d).map((q) => q.expr);
  for (const [what, re] of Object.entries(WANTED)) assert.ok(exprs.some((e) => re.test(e)), `no panel shows ${what}`);
  const ids = d.panels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, 'panel ids must be unique');
  for (const p of d.panels) assert.ok(p.gridPos && p.title, `panel ${p.id} needs a title and a gridPos`);
}

const metrics = contractMetrics(read('docs/design/contract-ship.md'));
const edgeNames = edgeMetricNames();

test('the dashboard is Grafana JSON with a Prometheus datasource variable used by every panel', () => {
  assert.equal(typeof dashboard.title, 'string');
  assert.ok(Number.isInteger(dashboard.schemaVersion) && dashboard.schemaVersion >= 36);
  assert.ok(Array.isArray(dashboard.panels));
  checkDatasource(dashboard);
});

test('every query parses as PromQL and uses only metrics (and labels) of the contract table and of edge_metrics.c', () => {
  checkQueries(dashboard, metrics, edgeNames);
});

test('the panels the issue asks for exist: ingest, streams, outbox, LLM latency/tokens/cost, 429s, dead letters, WebSockets, PG pool', () => {
  checkPanels(dashboard);
});

test('each check fails on a dashboard that breaks it', () => {
  const m = (fn) => {
    const d = structuredClone(dashboard);
    fn(d);
    return d;
  };
  const firstQuery = (d) => d.panels.find((p) => p.targets?.length).targets[0];
  const cases = [
    ['a metric not in the table', () => checkQueries(m((d) => (firstQuery(d).expr = 'sum(rt_updates_total)')), metrics, edgeNames)],
    ['a metric the edge does not export', () => checkQueries(dashboard, metrics, new Set(['rt_build_info']))],
    ['a histogram read bare', () => checkQueries(m((d) => (firstQuery(d).expr = 'sum(rt_llm_first_token_seconds)')), metrics, edgeNames)],
    ['a gauge read as a bucket', () => checkQueries(m((d) => (firstQuery(d).expr = 'sum(rt_ws_clients_bucket)')), metrics, edgeNames)],
    ['a label of another metric', () => checkQueries(m((d) => (firstQuery(d).expr = 'sum by (provider) (rt_ws_clients)')), metrics, edgeNames)],
    ['quantile without le', () => checkQueries(m((d) => (firstQuery(d).expr = 'histogram_quantile(0.5, sum by (provider) (rate(rt_llm_request_duration_seconds_bucket[5m])))')), metrics, edgeNames)],
    ['broken PromQL', () => checkQueries(m((d) => (firstQuery(d).expr = 'sum(rate(rt_ws_clients[5m])')), metrics, edgeNames)],
    ['a query without a metric', () => checkQueries(m((d) => (firstQuery(d).expr = 'vector(1)')), metrics, edgeNames)],
    ['a fixed datasource', () => checkDatasource(m((d) => (d.panels.find((p) => p.type !== 'row').datasource = { type: 'prometheus', uid: 'P1809F7CD0C75ACF3' })))],
    ['no datasource variable', () => checkDatasource(m((d) => (d.templating.list = d.templating.list.filter((v) => v.type !== 'datasource'))))],
    ['the 429 panel gone', () => checkPanels(m((d) => (d.panels = d.panels.filter((p) => !(p.targets ?? []).some((t) => t.expr.includes('rt_telegram_429_total'))))))],
    ['p95 latency per provider gone', () => checkPanels(m((d) => d.panels.forEach((p) => (p.targets ?? []).forEach((t) => (t.expr = t.expr.replace('histogram_quantile(0.95, sum by (provider, le)', 'histogram_quantile(0.95, sum by (le)'))))))],
  ];
  for (const [what, fn] of cases) assert.throws(fn, (e) => e instanceof assert.AssertionError || /PromQL syntax error/.test(e.message), `the check did not fail for: ${what}`);
  // the contract table itself is read: a row's labels
  assert.deepEqual(metrics.get('rt_llm_requests_total').labels, ['provider', 'outcome']);
  assert.equal(metrics.get('rt_pg_pool_wait_seconds').type, 'histogram');
});
