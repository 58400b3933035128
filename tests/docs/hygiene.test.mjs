// The design notes (docs/design) and decisions (docs/decisions) describe the system itself: they
// never point outside the repository (a path of the machine they were written on, a document
// beside the clone) nor at the work items that produced them ("issue 7"), which a reader of the
// repository cannot open. And every relative link of the docs and the README resolves.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const notes = ['docs/design', 'docs/decisions'].flatMap((d) =>
  fs.readdirSync(path.join(ROOT, d)).filter((f) => f.endsWith('.md')).map((f) => `${d}/${f}`));

const OUTSIDE = [
  [/\bissues? ?#?\d+\b/i, 'a work item number ("issue 7"): say what it asked for, or the release'],
  [/\.\.\/(\.\.\/)*shared\//, 'a path outside the repository'],
  [/\/work\/|\/home\/|\/root\//, 'a path of the machine it was written on'],
  [/\bseed (document|file)s?\b/i, 'a document outside the repository'],
];

test('design notes and decisions never point outside the repository', () => {
  const bad = [];
  for (const f of notes) {
    fs.readFileSync(path.join(ROOT, f), 'utf8').split('\n').forEach((line, i) => {
      const hit = OUTSIDE.find(([re]) => re.test(line));
      if (hit) bad.push(`${f}:${i + 1}: ${hit[1]}: ${line.trim().slice(0, 100)}`);
    });
  }
  assert.deepEqual(bad, []);
});

test('every relative link of README.md and docs/ resolves to a file of the repository', () => {
  const docs = ['README.md', ...walk('docs').filter((f) => f.endsWith('.md'))];
  const bad = [];
  for (const f of docs) {
    const text = fs.readFileSync(path.join(ROOT, f), 'utf8').replace(/```[\s\S]*?```/g, '');
    for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const target = m[1].split('#')[0];
      if (!target || /^[a-z]+:/i.test(target)) continue;
      const abs = path.resolve(path.dirname(path.join(ROOT, f)), target);
      if (!abs.startsWith(ROOT + path.sep)) bad.push(`${f}: ${m[1]} leaves the repository`);
      else if (!fs.existsSync(abs)) bad.push(`${f}: ${m[1]} does not exist`);
    }
  }
  assert.deepEqual(bad, []);
});

function walk(dir) {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]);
}
