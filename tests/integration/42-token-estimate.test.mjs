// Issue 8, "Token estimates come from an estimator whose error against the providers' reported
// usage is measured in a test and reported": rt.estimate_tokens (C, no vocabulary) against the
// real BPE counts of gpt-tokenizer for o200k_base (gpt-4o, gpt-4o-mini: the seeded OpenAI
// model) and cl100k_base (gpt-4, gpt-3.5), on tests/fixtures/token-corpus.json: debate-like
// Russian and English turns, short and long, mixed ru/en, code and numbers.
//
// Printed: the mean absolute percentage error and the worst text per language, for both
// encodings and for the naive bytes/4 estimate. Asserted: against o200k the estimator's mean
// error is under 20% overall and per language, a bound bytes/4 misses by far (Cyrillic is 2
// bytes a letter); against cl100k the same holds for texts without Cyrillic. cl100k spends
// about twice as many tokens on Cyrillic as o200k, so no single vocabulary-free estimate fits
// both there: the Russian cl100k figure is reported, not asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { countTokens as countO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as countCl100k } from 'gpt-tokenizer/encoding/cl100k_base';
import { pgSuper, ROOT } from '../lib/stack.mjs';

const BOUND = 0.2;
const corpus = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/token-corpus.json'), 'utf8'));

let db;
let rows;
before(async () => {
  db = await pgSuper();
  const texts = corpus.map((c) => c.text);
  const { rows: est } = await db.query(
    'SELECT rt.estimate_tokens(t) AS n FROM unnest($1::text[]) WITH ORDINALITY AS u(t, i) ORDER BY i',
    [texts],
  );
  rows = corpus.map((c, i) => ({
    lang: c.lang,
    text: c.text,
    cyrillic: /[\u0400-\u04FF]/.test(c.text),
    estimate: est[i].n,
    bytes4: Math.ceil(Buffer.byteLength(c.text) / 4),
    o200k: countO200k(c.text),
    cl100k: countCl100k(c.text),
  }));
});
after(async () => {
  await db?.end();
});

/** {mape, worst: {err, text}, n} of the estimate `key` against the encoding `enc` */
function stats(list, key, enc) {
  let sum = 0;
  let worst = { err: 0, text: '' };
  for (const r of list) {
    const err = Math.abs(r[key] - r[enc]) / r[enc];
    sum += err;
    if (err > Math.abs(worst.err)) worst = { err: (r[key] - r[enc]) / r[enc], text: r.text };
  }
  return { mape: sum / list.length, worst, n: list.length };
}

const pct = (x) => `${(100 * x).toFixed(1)}%`;

function report(t, title, list) {
  for (const enc of ['o200k', 'cl100k']) {
    const e = stats(list, 'estimate', enc);
    const b = stats(list, 'bytes4', enc);
    const line = `${title.padEnd(16)} ${enc.padEnd(6)} n=${String(e.n).padStart(2)}  rt.estimate_tokens MAPE ${pct(e.mape).padStart(6)}` +
      ` (worst ${pct(e.worst.err)} on ${JSON.stringify(e.worst.text.slice(0, 40))})  bytes/4 MAPE ${pct(b.mape).padStart(6)}`;
    t.diagnostic(line);
  }
}

test('the corpus is varied: ~40 texts, every language class, short and long', () => {
  assert.ok(rows.length >= 40, `${rows.length} texts`);
  for (const lang of ['ru', 'en', 'mixed', 'code', 'numbers']) assert.ok(rows.some((r) => r.lang === lang), lang);
  assert.ok(rows.some((r) => r.o200k <= 5) && rows.some((r) => r.o200k >= 90), 'short and long texts');
});

test('rt.estimate_tokens against o200k_base and cl100k_base: error per language, reported', (t) => {
  report(t, 'all', rows);
  for (const lang of ['ru', 'en', 'mixed', 'code', 'numbers']) report(t, lang, rows.filter((r) => r.lang === lang));
  report(t, 'no Cyrillic', rows.filter((r) => !r.cyrillic));
});

test('o200k_base: mean error under 20% overall and per language; bytes/4 misses that bound', () => {
  const all = stats(rows, 'estimate', 'o200k');
  assert.ok(all.mape < BOUND, `estimator MAPE ${pct(all.mape)}`);
  for (const lang of ['ru', 'en', 'mixed', 'code', 'numbers']) {
    const s = stats(rows.filter((r) => r.lang === lang), 'estimate', 'o200k');
    assert.ok(s.mape < BOUND, `${lang}: estimator MAPE ${pct(s.mape)}`);
  }
  const naive = stats(rows, 'bytes4', 'o200k');
  assert.ok(naive.mape > BOUND, `bytes/4 MAPE ${pct(naive.mape)} should fail the bound the estimator meets`);
  assert.ok(all.mape < naive.mape / 2, `estimator ${pct(all.mape)} vs bytes/4 ${pct(naive.mape)}`);
  const ru = stats(rows.filter((r) => r.lang === 'ru'), 'bytes4', 'o200k');
  assert.ok(ru.mape > 0.5, `bytes/4 on Russian ${pct(ru.mape)}: Cyrillic letters are 2 bytes`);
});

test('cl100k_base: texts without Cyrillic under 20% too, and better than bytes/4', () => {
  const latin = rows.filter((r) => !r.cyrillic);
  const e = stats(latin, 'estimate', 'cl100k');
  const b = stats(latin, 'bytes4', 'cl100k');
  assert.ok(e.mape < BOUND, `estimator MAPE ${pct(e.mape)}`);
  assert.ok(e.mape < b.mape, `estimator ${pct(e.mape)} vs bytes/4 ${pct(b.mape)}`);
});

test('edge cases: empty is 0, any other text at least 1, long text scales linearly', async () => {
  const { rows: [r] } = await db.query(
    "SELECT rt.estimate_tokens('') AS empty, rt.estimate_tokens('.') AS dot, rt.estimate_tokens(' ') AS space, " +
    'rt.estimate_tokens($1) AS one, rt.estimate_tokens(repeat($1 || \' \', 100)) AS hundred',
    [corpus.find((c) => c.lang === 'ru' && c.text.length > 300).text],
  );
  assert.equal(r.empty, 0);
  assert.equal(r.dot, 1);
  assert.equal(r.space, 1);
  assert.ok(r.hundred >= 95 * r.one && r.hundred <= 105 * r.one, `${r.one} x 100 -> ${r.hundred}`);
});
