// A strict reader of the Prometheus text exposition format 0.0.4 (what GET /metrics answers), for
// the suites: it throws on anything a Prometheus server would refuse or misread, and on the
// conventions the format states (HELP/TYPE once per family and before its samples, a family's
// samples together, histogram buckets ascending and cumulative with +Inf equal to _count, no
// duplicate series, counters never negative). Written here rather than taken from npm: the
// packages there (parse-prometheus-text-format) accept malformed text silently.

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s, where) {
  if (s === '+Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) throw new Error(`${where}: "${s}" is not a sample value`);
  return Number(s);
}

/** Unescapes HELP text (\\ and \n only). */
function unescapeHelp(s, where) {
  return s.replace(/\\(.?)/g, (m, c) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape "${m}" in HELP`);
  });
}

/** Reads {a="x",b="y"} at s[i] (i at '{'); returns [labels, next index]. */
function parseLabels(s, i, where) {
  const labels = {};
  i++;
  for (;;) {
    if (s[i] === '}') return [labels, i + 1];
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`${where}: label without '='`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`${where}: bad label name "${name}"`);
    if (name in labels) throw new Error(`${where}: label "${name}" twice`);
    if (s[eq + 1] !== '"') throw new Error(`${where}: label value of "${name}" is not quoted`);
    let v = '';
    let k = eq + 2;
    for (;; k++) {
      if (k >= s.length) throw new Error(`${where}: unterminated label value`);
      const c = s[k];
      if (c === '"') break;
      if (c === '\\') {
        const n = s[++k];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`${where}: bad escape "\\${n}" in a label value`);
      } else if (c === '\n') {
        throw new Error(`${where}: raw newline in a label value`);
      } else v += c;
    }
    labels[name] = v;
    i = k + 1;
    if (s[i] === ',') i++;
    else if (s[i] !== '}') throw new Error(`${where}: expected ',' or '}' after label "${name}"`);
  }
}

const familyOf = (name, families) => {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      if (families.get(base)?.type === 'histogram' || families.get(base)?.type === 'summary') return base;
    }
  }
  return name;
};

/**
 * Parses the exposition; returns Map name → { name, type, help, samples: [{ name, labels, value }] }.
 * Throws with the line number on the first violation.
 */
export function parseExposition(text) {
  if (typeof text !== 'string' || text.length === 0) throw new Error('empty exposition');
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const families = new Map();
  const seen = new Set(); // series keys
  const closed = new Set(); // families whose samples ended
  let current = null;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, idx) => {
    const where = `line ${idx + 1} "${line.slice(0, 120)}"`;
    if (line === '') throw new Error(`${where}: empty line`);
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
      if (!m) {
        if (/^# (HELP|TYPE)/.test(line)) throw new Error(`${where}: malformed ${line.slice(2, 6)}`);
        return; // a plain comment
      }
      const [, kind, name, rest] = m;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name`);
      if (closed.has(name)) throw new Error(`${where}: ${kind} after the samples of ${name}`);
      const f = families.get(name) ?? { name, type: 'untyped', help: null, samples: [], typed: false };
      if (kind === 'HELP') {
        if (f.help !== null) throw new Error(`${where}: second HELP for ${name}`);
        f.help = unescapeHelp(rest, where);
      } else {
        if (f.typed) throw new Error(`${where}: second TYPE for ${name}`);
        if (!TYPES.has(rest)) throw new Error(`${where}: unknown type "${rest}"`);
        if (f.samples.length) throw new Error(`${where}: TYPE after samples of ${name}`);
        f.type = rest;
        f.typed = true;
      }
      families.set(name, f);
      if (current && current !== name) closed.add(current);
      current = name;
      return;
    }
    const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!nm) throw new Error(`${where}: no metric name`);
    const sname = nm[0];
    let i = sname.length;
    let labels = {};
    if (line[i] === '{') [labels, i] = parseLabels(line, i, where);
    if (line[i] !== ' ') throw new Error(`${where}: expected a space before the value`);
    const parts = line.slice(i + 1).split(' ');
    if (parts.length < 1 || parts.length > 2 || parts[0] === '') throw new Error(`${where}: expected "value [timestamp]"`);
    const value = parseValue(parts[0], where);
    if (parts.length === 2 && !/^-?\d+$/.test(parts[1])) throw new Error(`${where}: bad timestamp`);
    const fname = familyOf(sname, families);
    if (closed.has(fname)) throw new Error(`${where}: samples of ${fname} are not together`);
    if (current && current !== fname) closed.add(current);
    current = fname;
    const f = families.get(fname) ?? { name: fname, type: 'untyped', help: null, samples: [], typed: false };
    families.set(fname, f);
    if (f.type === 'histogram' && sname === fname) throw new Error(`${where}: a histogram sample without _bucket/_sum/_count`);
    if (f.type === 'histogram' && sname === `${fname}_bucket` && !('le' in labels)) throw new Error(`${where}: a bucket without le`);
    if (f.type === 'counter' && !(value >= 0)) throw new Error(`${where}: a counter below zero or NaN`);
    const key = `${sname}{${Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
    if (seen.has(key)) throw new Error(`${where}: duplicate series ${key}`);
    seen.add(key);
    f.samples.push({ name: sname, labels, value });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

function checkHistogram(f) {
  const groups = new Map();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const k = JSON.stringify(Object.entries(rest).sort());
    const g = groups.get(k) ?? { buckets: [], sum: null, count: null };
    groups.set(k, g);
    if (s.name.endsWith('_bucket')) g.buckets.push({ le: parseValue(le, `${f.name} le`), value: s.value });
    else if (s.name.endsWith('_sum')) g.sum = s.value;
    else g.count = s.value;
  }
  for (const [k, g] of groups) {
    const where = `histogram ${f.name} ${k}`;
    if (g.sum === null || g.count === null) throw new Error(`${where}: _sum or _count missing`);
    if (!g.buckets.length || g.buckets.at(-1).le !== Infinity) throw new Error(`${where}: no +Inf bucket last`);
    for (let i = 1; i < g.buckets.length; i++) {
      if (!(g.buckets[i].le > g.buckets[i - 1].le)) throw new Error(`${where}: le not ascending`);
      if (g.buckets[i].value < g.buckets[i - 1].value) throw new Error(`${where}: buckets not cumulative`);
    }
    if (g.buckets.at(-1).value !== g.count) throw new Error(`${where}: +Inf bucket ${g.buckets.at(-1).value} != _count ${g.count}`);
  }
}

/**
 * The value of one sample: sample(families, 'rt_x_total', { a: '1' }) matches the labels given
 * exactly (all of them, no others); sampleName defaults to the family name (pass e.g.
 * 'rt_y_seconds_count' for a histogram part). undefined when absent.
 */
export function sample(families, family, labels = {}, sampleName = family) {
  const f = families.get(family);
  if (!f) return undefined;
  const want = JSON.stringify(Object.entries(labels).sort());
  const s = f.samples.find((x) => x.name === sampleName && JSON.stringify(Object.entries(x.labels).sort()) === want);
  return s?.value;
}
