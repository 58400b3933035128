// Test-stack helpers: the stack's environment (from scripts/stack.sh env), starting/stopping
// rt-edge with that env, free ports, and superuser SQL / Redis clients for assertions.
import { execFileSync, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Redis from 'ioredis';
import { request, sleep } from './http.mjs';
import { recordEnvSecrets } from './secrets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '../..');

let cachedEnv;
/**
 * The stack's variables. scripts/test.sh exports them; a suite run by hand reads them from
 * `scripts/stack.sh env` with the test defaults (RT_HOME=.rt/test, ports 54330/63800/18080).
 */
export function stackEnv() {
  if (cachedEnv) return cachedEnv;
  if (process.env.RT_HOME && process.env.POSTGRES_PASSWORD && process.env.RT_PG_SOCKET_DIR) {
    cachedEnv = { ...process.env };
    return cachedEnv;
  }
  const env = { RT_HOME: '.rt/test', RT_PG_PORT: '54330', RT_REDIS_PORT: '63800', RT_HTTP_PORT: '18080', ...process.env };
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/stack.sh'), 'env'], { env, encoding: 'utf8' });
  cachedEnv = { ...env };
  for (const line of out.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m) cachedEnv[m[1]] = m[2].replace(/^'(.*)'$/, '$1').replace(/\\(.)/g, '$1');
  }
  // login() in http.mjs defaults to these.
  process.env.ADMIN_LOGIN ??= cachedEnv.ADMIN_LOGIN;
  process.env.ADMIN_PASSWORD ??= cachedEnv.ADMIN_PASSWORD;
  return cachedEnv;
}

/** A TCP port that is free now, from a range no other engineer's servers use. */
export async function freePort(from = 18100, to = 18999) {
  for (let tries = 0; tries < 200; tries++) {
    const port = from + Math.floor(Math.random() * (to - from));
    const ok = await new Promise((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (ok) return port;
  }
  throw new Error('no free port');
}

export function edgeBinary() {
  const bin = process.env.RT_EDGE_BIN ?? path.join(ROOT, 'edge/build/rt-edge');
  return path.isAbsolute(bin) ? bin : path.join(ROOT, bin);
}

let edgeSeq = 0;
/**
 * Starts rt-edge with the stack env plus overrides; waits for /readyz 200 unless ready:false.
 * Its stderr/stdout go to $RT_HOME/log/edge-<name>-<n>.log (scanned for sanitizer reports by
 * scripts/test.sh). Returns { url, port, proc, logPath, stop(), kill(), exited }.
 */
export async function startEdge({ name = 'edge', env = {}, port, ready = true, telegram, resetOffset = true } = {}) {
  const base = stackEnv();
  if (telegram && resetOffset) {
    // A fresh fake Telegram numbers its updates from scratch: forget the offset an earlier
    // suite's edge confirmed, as a newly created bot would have none.
    const r = redisClient();
    await r.del('{rt}:tg:offset');
    r.disconnect();
  }
  // A fake still on its default token "123:TEST" gets a distinctive one, so the log scan
  // (tests/scan) can look for the token's secret half, which "TEST" alone is too common to be.
  if (telegram?.setToken && telegram.token() === '123:TEST') telegram.setToken(`123456789:TEST-${crypto.randomBytes(12).toString('hex')}`);
  port ??= await freePort();
  const logDir = path.join(base.RT_HOME, 'log');
  fs.mkdirSync(logDir, { recursive: true });
  const logPath = path.join(logDir, `edge-${name}-${process.pid}-${++edgeSeq}.log`);
  const fd = fs.openSync(logPath, 'a');
  const childEnv = {
    ...base,
    RT_HTTP_HOST: '127.0.0.1',
    RT_HTTP_PORT: String(port),
    RT_STATIC_DIR: base.RT_STATIC_DIR ?? path.join(ROOT, 'frontend/dist'),
    RT_LOG_LEVEL: 'info',
    ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:abort_on_error=1',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1',
    TELEGRAM_BOT_TOKEN: '',
    ...(telegram ? { TELEGRAM_API_BASE: telegram.url, TELEGRAM_BOT_TOKEN: telegram.token?.() ?? '123:TEST', TELEGRAM_POLL_TIMEOUT: '2' } : {}),
    ...env,
  };
  recordEnvSecrets(childEnv, base.RT_HOME);
  const proc = spawn(edgeBinary(), [], { env: childEnv, stdio: ['ignore', fd, fd], cwd: ROOT });
  fs.closeSync(fd);
  let exitInfo = null;
  const exited = new Promise((resolve) => proc.once('exit', (code, signal) => { exitInfo = { code, signal }; resolve(exitInfo); }));
  proc.once('error', (e) => { exitInfo = { code: null, signal: null, error: e.message }; });
  const url = `http://127.0.0.1:${port}`;
  const edge = {
    url, port, proc, logPath, exited, env: childEnv,
    log: () => fs.readFileSync(logPath, 'utf8'),
    alive: () => exitInfo === null,
    /** SIGTERM, wait; resolves { code, signal }. */
    async stop(timeoutMs = 15000) {
      if (exitInfo) return exitInfo;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
      const r = await exited;
      clearTimeout(t);
      return r;
    },
    async kill() {
      if (exitInfo) return exitInfo;
      proc.kill('SIGKILL');
      return exited;
    },
    async waitReady(timeoutMs = 30000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        if (exitInfo) throw new Error(`rt-edge exited (${JSON.stringify(exitInfo)}) before ready; log ${logPath}:\n${edge.log().slice(-3000)}`);
        try {
          const r = await request(url, 'GET', '/readyz', { timeout: 2000 });
          if (r.status === 200) return r;
        } catch { /* not listening yet */ }
        if (Date.now() > end) throw new Error(`rt-edge not ready within ${timeoutMs} ms; log ${logPath}:\n${edge.log().slice(-3000)}`);
        await sleep(100);
      }
    },
  };
  if (ready) {
    // an edge that never got ready is stopped, not left running against the shared stack
    try { await edge.waitReady(); } catch (e) { await edge.kill(); throw e; }
  }
  return edge;
}

/** Superuser client over the unix socket in $RT_HOME/run (caller ends it). */
export async function pgSuper(database) {
  const env = stackEnv();
  const client = new pg.Client({ host: env.RT_PG_SOCKET_DIR, port: Number(env.RT_PG_PORT ?? env.POSTGRES_PORT), user: 'postgres', database: database ?? env.POSTGRES_DB ?? 'roundtable' });
  await client.connect();
  return client;
}

/** ioredis client for the stack's Redis (caller quits it). */
export function redisClient() {
  const env = stackEnv();
  return new Redis(env.REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 2 });
}

/** Admin credentials of the stack. */
export function adminCreds() {
  const env = stackEnv();
  return { login: env.ADMIN_LOGIN ?? 'admin', password: env.ADMIN_PASSWORD };
}

let chatSeq = 0;
/** A unique chat/user id base per call so suites never see each other's rows. */
export function uniqueId() {
  return 700000000 + (process.pid % 100000) * 1000 + (++chatSeq) * 7 + Math.floor(Math.random() * 7);
}

/** A Telegram text Update (without update_id unless given). */
export function textUpdate({ chatId, userId = chatId, text, messageId, date, updateId, chatType = 'private', username = 'tester', firstName = 'Test' }) {
  const u = {
    message: {
      message_id: messageId,
      from: { id: userId, is_bot: false, first_name: firstName, username },
      chat: chatType === 'private' ? { id: chatId, type: 'private', first_name: firstName, username } : { id: chatId, type: chatType, title: `Group ${chatId}` },
      date: date ?? Math.floor(Date.now() / 1000),
      text,
    },
  };
  return updateId !== undefined ? { update_id: updateId, ...u } : u;
}
