// Prints the JS sizes of a Vite build (its .vite/manifest.json): the initial chunks (the entry
// and its static imports, what index.html loads and modulepreloads), what each lazy chunk adds
// on top of them, and the total. Reads the .gz/.br siblings the build writes; falls back to compressing.
//   node bench/bundle/sizes.mjs <outDir>
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const out = process.argv[2];
const manifest = JSON.parse(fs.readFileSync(path.join(out, '.vite/manifest.json'), 'utf8'));

function sizes(file) {
  const abs = path.join(out, file);
  const raw = fs.readFileSync(abs);
  const sib = (ext, make) => (fs.existsSync(`${abs}.${ext}`) ? fs.statSync(`${abs}.${ext}`).size : make(raw).length);
  return {
    raw: raw.length,
    gz: sib('gz', (b) => zlib.gzipSync(b, { level: 9 })),
    br: sib('br', (b) => zlib.brotliCompressSync(b)),
  };
}

/** The JS files of a manifest key with everything it imports statically. */
function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return seen;
  seen.add(key);
  for (const dep of chunk.imports ?? []) closure(dep, seen);
  return seen;
}
const files = (keys) => new Set([...keys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js')));
const sum = (set) =>
  [...set].reduce((acc, f) => {
    const s = sizes(f);
    return { raw: acc.raw + s.raw, gz: acc.gz + s.gz, br: acc.br + s.br };
  }, { raw: 0, gz: 0, br: 0 });
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
const row = (label, s) =>
  console.log(`${label.padEnd(44)} ${kb(s.raw).padStart(10)} raw ${kb(s.gz).padStart(10)} gzip ${kb(s.br).padStart(10)} br`);

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
const initial = files(closure(entryKey));
row('initial JS (entry + static imports)', sum(initial));
for (const f of initial) row(`  ${f}`, sizes(f));

// every dynamic import of the build (a lazy screen, or a chunk a screen loads later itself)
const lazy = new Set();
for (const c of Object.values(manifest)) for (const d of c.dynamicImports ?? []) lazy.add(d);
for (const k of [...lazy].sort()) {
  const extra = new Set([...files(closure(k))].filter((f) => !initial.has(f)));
  row(`+ ${k.replace(/^src\//, '')}`, sum(extra));
}
const all = new Set(Object.values(manifest).map((c) => c.file).filter((f) => f.endsWith('.js')));
row('all JS', sum(all));
const gz = sum(initial).gz;
console.log(`initial JS gzip ${kb(gz)} — ${gz < 200 * 1024 ? 'under' : 'OVER'} the 200 KB target`);
