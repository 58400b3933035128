// make dev's Vite server (frontend/vite.config.ts) forwards /api, /ws (WebSocket upgrade),
// /healthz and /readyz to rt-edge (RT_EDGE_URL) and keeps the browser's Host header, which
// rt-edge compares with RT_HTTP_HOSTS and with the Origin of state changes. A stand-in edge
// records what reaches it; the SPA's own paths stay with Vite.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FRONTEND = path.join(ROOT, 'frontend');

const freePort = () => new Promise((resolve, reject) => {
  const s = net.createServer();
  s.once('error', reject);
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const seen = [];
const edge = http.createServer((req, res) => {
  seen.push({ path: req.url, host: req.headers.host });
  res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'rt_session=x; HttpOnly; SameSite=Strict; Path=/' });
  res.end(JSON.stringify({ from: 'edge', path: req.url }));
});
edge.on('upgrade', (req, socket) => {
  seen.push({ path: req.url, host: req.headers.host, upgrade: true });
  socket.end('HTTP/1.1 401 Unauthorized\r\ncontent-length: 0\r\n\r\n');
});
const edgePort = await freePort();
await new Promise((r) => edge.listen(edgePort, '127.0.0.1', r));
const vitePort = await freePort();
const vite = spawn(path.join(FRONTEND, 'node_modules/.bin/vite'), ['--host', '127.0.0.1', '--port', String(vitePort), '--strictPort'], {
  cwd: FRONTEND, env: { ...process.env, RT_EDGE_URL: `http://127.0.0.1:${edgePort}`, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
vite.stdout.on('data', (d) => { out += d; });
vite.stderr.on('data', (d) => { out += d; });
test.after(() => { vite.kill('SIGTERM'); edge.close(); });

const base = `http://127.0.0.1:${vitePort}`;
await (async () => {
  for (let i = 0; i < 150; i++) {
    try { await fetch(`${base}/@vite/client`); return; } catch { await new Promise((r) => setTimeout(r, 200)); }
  }
  throw new Error(`vite did not start:\n${out}`);
})();

for (const p of ['/api/auth/me', '/healthz', '/readyz']) {
  test(`Vite forwards ${p} to rt-edge with the browser's Host`, async () => {
    const n = seen.length;
    const res = await fetch(base + p);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { from: 'edge', path: p });
    assert.match(res.headers.get('set-cookie') ?? '', /^rt_session=x; HttpOnly/, 'the session cookie comes through');
    assert.deepEqual(seen.slice(n), [{ path: p, host: `127.0.0.1:${vitePort}` }]);
  });
}

test('Vite forwards the WebSocket upgrade of /ws to rt-edge (its answer, 401 here, reaches the client)', async () => {
  const n = seen.length;
  const status = await new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${vitePort}/ws?after=5`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    ws.on('open', () => { ws.close(); resolve('open'); });
    ws.on('error', () => resolve('error'));
  });
  assert.equal(status, 401);
  assert.deepEqual(seen.slice(n), [{ path: '/ws?after=5', host: `127.0.0.1:${vitePort}`, upgrade: true }]);
});

test('the SPA itself is served by Vite, not forwarded', async () => {
  const n = seen.length;
  const res = await fetch(`${base}/chats`);
  assert.equal(res.status, 200);
  assert.match(await res.text(), /<div id="root">|@vite\/client/);
  assert.equal(seen.length, n);
});
