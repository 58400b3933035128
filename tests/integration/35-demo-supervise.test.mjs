// `make demo` stays up: scripts/demo.sh supervises rt-edge. A SIGKILLed edge is announced (with
// its signal) and restarted with a growing delay; SIGTERM to the demo stops the edge, Redis and
// PostgreSQL it started — also while it waits to restart the edge and while the edge is starting.
// An edge that shuts down cleanly (exit 0: it was asked to) ends the demo instead.
// The demo runs on its own home and ports (not the test stack), with the already built edge
// (RT_DEMO_SKIP_BUILD=1, RT_EDGE_BIN).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, edgeBinary, freePort, stackEnv } from '../lib/stack.mjs';
import { waitFor } from '../lib/http.mjs';

let env;
let home; // the state folder stack.sh really uses for the demo's RT_HOME
let logDir;

before(async () => {
  const requested = path.join(ROOT, '.rt', `demo-supervise-${process.pid}`);
  env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    RT_HOME: requested,
    RT_HTTP_PORT: String(await freePort()),
    RT_PG_PORT: String(await freePort()),
    RT_REDIS_PORT: String(await freePort()),
    RT_DEMO_SKIP_BUILD: '1',
    RT_EDGE_BIN: edgeBinary(),
    ADMIN_PASSWORD: 'demo-supervise-pass',
    TELEGRAM_BOT_TOKEN: '',
    ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'detect_leaks=1:abort_on_error=1',
    UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1',
    NO_COLOR: '1',
  };
  const out = execFileSync('bash', [path.join(ROOT, 'scripts/stack.sh'), 'env'], { env, encoding: 'utf8' });
  home = /^export RT_HOME=(.*)$/m.exec(out)[1].replace(/^'(.*)'$/, '$1');
  // the demo's output lands next to the test stack's edge logs, so the sanitizer scan reads it
  logDir = path.join(stackEnv().RT_HOME, 'log');
  fs.mkdirSync(logDir, { recursive: true });
});

after(() => {
  // nothing of this home may still run (each test asserts it); its files go
  if (home && home.includes('demo-supervise-') && !stackProcesses().length) fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(env.RT_HOME, { recursive: true, force: true });
});

const alive = (pid) => {
  try { process.kill(pid, 0); return true; } catch { return false; }
};

/** PostgreSQL and Redis processes of the demo's home (by their command line and the port). */
function stackProcesses() {
  const found = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd;
    try { cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { continue; }
    if (cmd.includes(home) || cmd.includes(`redis-server 127.0.0.1:${env.RT_REDIS_PORT}`)) found.push(`${d} ${cmd}`);
  }
  return found;
}

/** scripts/demo.sh, or `make demo` when viaMake (make hands SIGTERM on to the script). */
function startDemo(name, extraEnv = {}, { viaMake = false } = {}) {
  const logPath = path.join(logDir, `edge-demo-supervise-${name}-${process.pid}.log`);
  const [cmd, args] = viaMake ? ['make', ['-s', 'demo']] : ['bash', [path.join(ROOT, 'scripts/demo.sh')]];
  const proc = spawn(cmd, args, { env: { ...env, ...extraEnv }, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const demo = { proc, out: '', logPath, exit: null };
  // whole lines to the log file, without the admin password the demo's banner shows
  let pending = '';
  const take = (c) => {
    demo.out += c;
    pending += c;
    const cut = pending.lastIndexOf('\n') + 1;
    if (cut > 0) {
      fs.appendFileSync(logPath, pending.slice(0, cut).replaceAll(env.ADMIN_PASSWORD, '[password]'));
      pending = pending.slice(cut);
    }
  };
  proc.stdout.on('data', take);
  proc.stderr.on('data', take);
  demo.exited = new Promise((resolve) => proc.once('exit', (code, signal) => { demo.exit = { code, signal }; resolve(demo.exit); }));
  demo.edgePids = () => [...demo.out.matchAll(/rt-edge running \(pid (\d+)\)/g)].map((m) => Number(m[1]));
  demo.tail = () => demo.out.split('\n').filter((l) => !l.startsWith('{')).slice(-30).join('\n');
  return demo;
}

async function ready() {
  try {
    const r = await fetch(`http://127.0.0.1:${env.RT_HTTP_PORT}/readyz`, { signal: AbortSignal.timeout(2000) });
    return r.status === 200;
  } catch { return false; }
}

/**
 * SIGTERM to the demo; it must end and leave no edge, Redis or PostgreSQL of its home. The
 * script exits 0; make, having waited for it, dies of the SIGTERM it was sent.
 */
async function stopAndCheck(demo, expectExit = { code: 0, signal: null }) {
  const edges = demo.edgePids();
  assert.ok(demo.exit === null, `the demo was still running before SIGTERM:\n${demo.tail()}`);
  demo.proc.kill('SIGTERM');
  const timer = setTimeout(() => demo.proc.kill('SIGKILL'), 90000);
  const r = await demo.exited;
  clearTimeout(timer);
  assert.deepEqual(r, expectExit, `how the demo ended after SIGTERM:\n${demo.tail()}`);
  for (const pid of edges) assert.ok(!alive(pid), `rt-edge pid ${pid} is gone`);
  assert.deepEqual(stackProcesses(), [], `no PostgreSQL or Redis of ${home} runs:\n${demo.tail()}`);
  assert.ok(!fs.existsSync(path.join(home, 'pg', 'postmaster.pid')), 'PostgreSQL shut down (no postmaster.pid)');
}

test('a SIGKILLed rt-edge is announced and restarted with a growing delay; SIGTERM then stops edge, Redis and PostgreSQL', { timeout: 240000 }, async () => {
  const demo = startDemo('restart');
  try {
    await waitFor(ready, { timeoutMs: 120000, intervalMs: 250, what: `the demo's /readyz\n${demo.tail()}` });
    const [first] = demo.edgePids();
    assert.ok(first, demo.tail());

    process.kill(first, 'SIGKILL');
    await waitFor(() => demo.edgePids().length >= 2, { timeoutMs: 30000, what: `a restarted edge\n${demo.tail()}` });
    assert.match(demo.out, /rt-edge stopped after \d+s with signal 9 \(SIGKILL\); restarting it in 1s \(restart 1/);
    const second = demo.edgePids()[1];
    assert.notEqual(second, first);
    assert.ok(!alive(first), 'the killed edge is gone');
    await waitFor(ready, { timeoutMs: 60000, intervalMs: 250, what: `/readyz of the restarted edge\n${demo.tail()}` });
    assert.ok(alive(second), 'the restarted edge serves /readyz');

    // a second death waits longer
    process.kill(second, 'SIGKILL');
    await waitFor(() => demo.edgePids().length >= 3, { timeoutMs: 30000, what: `a second restart\n${demo.tail()}` });
    assert.match(demo.out, /with signal 9 \(SIGKILL\); restarting it in 2s \(restart 2/);
    await waitFor(ready, { timeoutMs: 60000, intervalMs: 250, what: `/readyz after the second restart\n${demo.tail()}` });

    await stopAndCheck(demo);
  } finally {
    if (demo.exit === null) { demo.proc.kill('SIGTERM'); await demo.exited; }
  }
});

test('SIGTERM during the wait before a restart stops everything and starts no edge', { timeout: 240000 }, async () => {
  // a long first delay, so the SIGTERM surely lands in the wait
  const demo = startDemo('backoff', { RT_DEMO_BACKOFF_FIRST: '300' });
  try {
    await waitFor(ready, { timeoutMs: 120000, intervalMs: 250, what: `the demo's /readyz\n${demo.tail()}` });
    process.kill(demo.edgePids()[0], 'SIGKILL');
    await waitFor(() => /restarting it in 300s/.test(demo.out), { timeoutMs: 30000, what: `the announcement\n${demo.tail()}` });
    await stopAndCheck(demo);
    assert.equal(demo.edgePids().length, 1, `no edge was started after the SIGTERM:\n${demo.tail()}`);
    assert.doesNotMatch(demo.out, /restarting rt-edge \(restart/);
  } finally {
    if (demo.exit === null) { demo.proc.kill('SIGTERM'); await demo.exited; }
  }
});

test('SIGTERM to `make demo` while rt-edge is starting stops it, Redis and PostgreSQL', { timeout: 240000 }, async () => {
  const demo = startDemo('starting', {}, { viaMake: true });
  try {
    await waitFor(() => demo.edgePids().length >= 1, { timeoutMs: 120000, intervalMs: 20, what: `the edge's start\n${demo.tail()}` });
    await stopAndCheck(demo, { code: null, signal: 'SIGTERM' });
    assert.doesNotMatch(demo.out, /restarting it in/, 'the edge stopped by the demo is not restarted');
  } finally {
    if (demo.exit === null) { demo.proc.kill('SIGTERM'); await demo.exited; }
  }
});


test('an rt-edge that shuts down cleanly (SIGTERM to the edge itself) ends the demo and its stack, without a restart', { timeout: 240000 }, async () => {
  const demo = startDemo('clean-exit');
  try {
    await waitFor(ready, { timeoutMs: 120000, intervalMs: 250, what: `the demo's /readyz\n${demo.tail()}` });
    const [edge] = demo.edgePids();
    process.kill(edge, 'SIGTERM');
    const timer = setTimeout(() => demo.proc.kill('SIGKILL'), 90000);
    const r = await demo.exited;
    clearTimeout(timer);
    assert.deepEqual(r, { code: 0, signal: null }, demo.tail());
    assert.match(demo.out, /rt-edge shut down cleanly \(exit code 0\); stopping the demo/);
    assert.doesNotMatch(demo.out, /restarting it in/);
    assert.ok(!alive(edge), 'the edge is gone');
    assert.deepEqual(stackProcesses(), [], `no PostgreSQL or Redis of ${home} runs:\n${demo.tail()}`);
  } finally {
    if (demo.exit === null) { demo.proc.kill('SIGTERM'); await demo.exited; }
  }
});
