// The SPA's static files (issue 9): rt-edge sends the build's precompressed siblings (x.br,
// x.gz) by Accept-Encoding, as they are, with the original's Content-Type, Content-Encoding,
// Vary: Accept-Encoding and the sibling's Content-Length; identity without the header or when
// the codings are refused; hashed /assets/ immutable, index.html and the SPA fallback no-cache;
// source maps (and the siblings asked for by name) 404 even though they are on disk; HEAD sends
// the headers of GET and no body; traversal and dot-files stay refused. Its own static dir, so
// the bytes are known.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { startEdge } from '../lib/stack.mjs';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-static-'));
const JS = '/assets/index-Ab12Cd34.js';
const PLAIN = '/assets/plain-Zz99.js'; // no siblings
const files = {};
let edge;

function put(rel, data, { siblings = true } = {}) {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const buf = Buffer.from(data);
  fs.writeFileSync(file, buf);
  files[rel] = buf;
  if (!siblings) return;
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(buf));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(buf, { level: 9 }));
}

before(async () => {
  put('/index.html', `<!doctype html><html><head><title>rt</title><script type="module" src="${JS}"></script></head><body><div id="root"></div></body></html>\n`);
  let js = '';
  for (let i = 0; i < 2000; i++) js += `export const v${i} = "value number ${i} of the bundle";\n`;
  put(JS, js);
  put(PLAIN, 'console.log("no siblings");\n', { siblings: false });
  fs.writeFileSync(path.join(dir, `${JS}.map`), JSON.stringify({ version: 3, sources: ['src/secret-source.ts'], mappings: '' }));
  fs.writeFileSync(path.join(dir, '.env'), 'SECRET=1\n');
  edge = await startEdge({ name: 'static-assets', env: { RT_STATIC_DIR: dir } });
});
after(async () => {
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  fs.rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** GET/HEAD with the raw body as a Buffer (node's http client never decompresses). */
function fetchRaw(method, p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${edge.url}${p}`, { method, headers, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.setTimeout(10000, () => req.destroy(new Error(`timeout: ${method} ${p}`)));
    req.on('error', reject);
    req.end();
  });
}

const decode = {
  br: (b) => zlib.brotliDecompressSync(b),
  gzip: (b) => zlib.gunzipSync(b),
  identity: (b) => b,
};

/** Asserts an answer is the file rel in coding, with its headers; returns the answer. */
function assertFile(r, rel, coding, { cache, vary = true } = {}) {
  assert.equal(r.status, 200, `${rel}: status`);
  if (coding === 'identity') assert.equal(r.headers['content-encoding'], undefined, `${rel}: no Content-Encoding`);
  else assert.equal(r.headers['content-encoding'], coding, `${rel}: Content-Encoding`);
  const onDisk = coding === 'identity' ? files[rel] : fs.readFileSync(path.join(dir, `${rel}.${coding === 'gzip' ? 'gz' : 'br'}`));
  assert.equal(Number(r.headers['content-length']), onDisk.length, `${rel}: Content-Length is the ${coding} file's`);
  assert.ok(r.body.equals(onDisk), `${rel}: the ${coding} file as it is on disk`);
  assert.ok(decode[coding](r.body).equals(files[rel]), `${rel}: decodes to the original bytes`);
  const type = rel.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8';
  assert.equal(r.headers['content-type'], type, `${rel}: Content-Type of the original`);
  if (vary) assert.match(r.headers.vary ?? '', /(^|,\s*)accept-encoding(\s*,|$)/i, `${rel}: Vary: Accept-Encoding`);
  else assert.equal(r.headers.vary, undefined, `${rel}: no Vary without siblings`);
  if (cache) assert.equal(r.headers['cache-control'], cache, `${rel}: Cache-Control`);
  return r;
}

const IMMUTABLE = 'public, max-age=31536000, immutable';

test('a browser\'s Accept-Encoding gets the brotli sibling, immutable', async () => {
  const r = await fetchRaw('GET', JS, { 'accept-encoding': 'gzip, deflate, br, zstd' });
  assertFile(r, JS, 'br', { cache: IMMUTABLE });
  assert.ok(r.body.length < files[JS].length / 4, 'the compressed file is what travels');
});

test('gzip only gets the gzip sibling', async () => {
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'gzip' }), JS, 'gzip', { cache: IMMUTABLE });
});

test('no Accept-Encoding gets the original bytes, still with Vary', async () => {
  assertFile(await fetchRaw('GET', JS), JS, 'identity', { cache: IMMUTABLE });
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': '' }), JS, 'identity', { cache: IMMUTABLE });
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'identity' }), JS, 'identity');
});

test('q-values: br;q=0 refuses brotli, *;q=0 refuses both, the higher weight wins', async () => {
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'br;q=0, gzip' }), JS, 'gzip');
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'br;q=0.5, gzip;q=0.8' }), JS, 'gzip');
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': '*;q=0' }), JS, 'identity');
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': '*' }), JS, 'br');
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'br;q=2, gzip' }), JS, 'gzip'); // malformed q: element ignored
  assertFile(await fetchRaw('GET', JS, { 'accept-encoding': 'deflate, zstd' }), JS, 'identity');
});

test('a file without siblings goes as it is, without Vary', async () => {
  assertFile(await fetchRaw('GET', PLAIN, { 'accept-encoding': 'br, gzip' }), PLAIN, 'identity', { cache: IMMUTABLE, vary: false });
});

test('index.html and the SPA fallback of a client route are no-cache, compressed too', async () => {
  for (const p of ['/', '/index.html', '/chats/5', '/sessions/12', '/presets']) {
    const r = await fetchRaw('GET', p, { 'accept-encoding': 'gzip, br' });
    assertFile(r, '/index.html', 'br', { cache: 'no-cache' });
  }
  assertFile(await fetchRaw('GET', '/chats/5'), '/index.html', 'identity', { cache: 'no-cache' });
});

test('source maps and siblings by name are not served, though on disk', async () => {
  assert.ok(fs.existsSync(path.join(dir, `${JS}.map`)));
  for (const p of [`${JS}.map`, `${JS}.br`, `${JS}.gz`, '/index.html.gz', '/assets/missing-00.js', '/assets/missing-00.js.map']) {
    const r = await fetchRaw('GET', p, { 'accept-encoding': 'br, gzip' });
    assert.equal(r.status, 404, `${p}: 404`);
    assert.equal(r.headers['content-type'], 'application/problem+json', `${p}: problem+json`);
    assert.ok(!r.body.toString('latin1').includes('secret-source'), `${p}: no map content`);
  }
});

test('HEAD sends GET\'s headers for the chosen coding and no body', async () => {
  const get = await fetchRaw('GET', JS, { 'accept-encoding': 'br' });
  const head = await fetchRaw('HEAD', JS, { 'accept-encoding': 'br' });
  assert.equal(head.status, 200);
  assert.equal(head.body.length, 0, 'no body');
  for (const h of ['content-encoding', 'content-length', 'content-type', 'cache-control', 'vary']) {
    assert.equal(head.headers[h], get.headers[h], `HEAD ${h}`);
  }
  const headGz = await fetchRaw('HEAD', '/chats/5', { 'accept-encoding': 'gzip' });
  assert.equal(headGz.headers['content-encoding'], 'gzip');
  assert.equal(Number(headGz.headers['content-length']), fs.statSync(path.join(dir, 'index.html.gz')).size);
  assert.equal(headGz.headers['cache-control'], 'no-cache');
});

test('ETag per coding; a matching If-None-Match gets 304 with the same headers and no body', async () => {
  for (const p of [JS, '/chats/5']) {
    const br = await fetchRaw('GET', p, { 'accept-encoding': 'br' });
    const gz = await fetchRaw('GET', p, { 'accept-encoding': 'gzip' });
    const id = await fetchRaw('GET', p);
    const tags = [br, gz, id].map((r) => r.headers.etag);
    for (const t of tags) assert.match(t ?? '', /^"[^"]+"$/, `${p}: a strong ETag`);
    assert.equal(new Set(tags).size, 3, `${p}: each coding has its own tag`);
    for (const inm of [br.headers.etag, `W/${br.headers.etag}`, `"nope", ${br.headers.etag}`, '*']) {
      const r = await fetchRaw('GET', p, { 'accept-encoding': 'br', 'if-none-match': inm });
      assert.equal(r.status, 304, `${p} If-None-Match ${inm}: 304`);
      assert.equal(r.body.length, 0, 'no body');
      assert.equal(r.headers['content-length'], undefined, 'no Content-Length on 304');
      for (const h of ['etag', 'cache-control', 'vary', 'content-encoding']) assert.equal(r.headers[h], br.headers[h], `304 keeps ${h}`);
    }
    // the br tag does not match the gzip representation, nor a stale or malformed one
    for (const [ae, inm] of [['gzip', br.headers.etag], ['br', '"stale"'], ['br', br.headers.etag.slice(0, -1)], ['', br.headers.etag]]) {
      const r = await fetchRaw('GET', p, { 'accept-encoding': ae, 'if-none-match': inm });
      assert.equal(r.status, 200, `${p} ${ae || 'identity'} If-None-Match ${inm}: 200`);
      assert.ok(r.body.length > 0);
    }
    const head = await fetchRaw('HEAD', p, { 'accept-encoding': 'gzip', 'if-none-match': gz.headers.etag });
    assert.equal(head.status, 304, `${p}: HEAD 304`);
  }
  // a rewritten file gets a new tag: the old one no longer matches
  const old = (await fetchRaw('GET', PLAIN)).headers.etag;
  put(PLAIN, 'console.log("no siblings, rewritten");\n', { siblings: false });
  const fresh = await fetchRaw('GET', PLAIN, { 'if-none-match': old });
  assert.equal(fresh.status, 200);
  assert.notEqual(fresh.headers.etag, old);
  assert.ok(fresh.body.equals(files[PLAIN]));
});

test('a kept-alive connection goes on after a 304', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const get = (headers) => new Promise((resolve, reject) => {
    const req = http.request(`${edge.url}${JS}`, { headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), socket: req.socket }));
    });
    req.setTimeout(10000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
  try {
    const first = await get({ 'accept-encoding': 'br' });
    const second = await get({ 'accept-encoding': 'br', 'if-none-match': first.headers.etag });
    const third = await get({ 'accept-encoding': 'gzip' });
    assert.deepEqual([first.status, second.status, third.status], [200, 304, 200]);
    assert.equal(second.socket, first.socket, 'the same connection');
    assert.equal(third.socket, first.socket, 'the same connection after the 304');
    assert.ok(zlib.gunzipSync(third.body).equals(files[JS]));
  } finally {
    agent.destroy();
  }
});

test('traversal and dot-files stay refused', async () => {
  // lws decodes %2e and folds ".." at the root before rt-edge sees the path: what climbs out of
  // the root ends up a client route inside it (index.html), never the file outside.
  for (const p of ['/.env', '/assets/../.env', '/assets/%2e%2e/.env', '/..%2f.env', '/assets/%2e%2e/%2e%2e/etc/passwd', '/%2e%2e/%2e%2e/etc/hostname']) {
    const r = await fetchRaw('GET', p, { 'accept-encoding': 'br, gzip' });
    const text = r.status === 200 ? decode[r.headers['content-encoding'] ?? 'identity'](r.body) : r.body;
    if (r.status === 200) assert.ok(text.equals(files['/index.html']), `${p}: only the SPA's index.html (${r.status})`);
    else assert.ok([400, 403, 404].includes(r.status), `${p}: refused (${r.status})`);
    assert.ok(!/SECRET|root:/.test(text.toString('latin1')), `${p}: nothing from outside the root or a dot-file`);
  }
});
