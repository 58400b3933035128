// Run after the integration and e2e suites (scripts/test.sh stage secrets-in-logs): no log line
// of rt-edge ($RT_HOME/log/edge-*.log), PostgreSQL or Redis holds a secret the suites used.
//
// The scan knows the secrets, it does not guess them:
//  - every secret the suites handed over, recorded as they ran (tests/lib/secrets.mjs): the
//    edge's secret environment (SECRETS_KEY, database and Redis passwords, the bot token whole
//    and its part after ':', TELEGRAM_WEBHOOK_SECRET, provider keys), every password, API key,
//    secret or token sent in a request body or answered (csrf_token), every session cookie set;
//  - the stack's own secrets (scripts/stack.sh env) and the fake LLM's DEFAULT_KEY;
//  - the sessions still in Redis ({rt}:session:<token>, {rt}:admin_sessions:<id>) and their values;
//  - and, by shape, what the fixtures make: provider keys `sk-…`, Fernet tokens `gAAAAA…`, an
//    `rt_session=` cookie, an `Authorization: Bearer` value.
// A finding names the secret's label, file and line, never the secret. The first test plants
// each kind of secret in a synthetic log and shows the same scan finds it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { recordedSecrets, MIN_SECRET_LENGTH, SECRET_ENV } from '../lib/secrets.mjs';
import { stackEnv, redisClient } from '../lib/stack.mjs';
import { DEFAULT_KEY } from '../fakes/llm.mjs';

const SHAPES = [
  ['provider API key (sk-…)', /\bsk-[A-Za-z0-9_-]{12,}/],
  ['Fernet token', /gAAAAA[A-Za-z0-9_-]{40,}/],
  ['session cookie', /rt_session=[A-Za-z0-9_%-]{8,}/],
  ['Authorization header value', /Bearer\s+[A-Za-z0-9._~+/-]{8,}/i],
];

let env; let secrets; let labels; let tmp;
before(async () => {
  env = stackEnv();
  ({ secrets, labels } = await knownSecrets());
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rt-secrets-scan-'));
});
after(() => { if (tmp) fs.rmSync(tmp, { recursive: true, force: true }); });

/**
 * { secrets: [{label, value}] every secret the scan looks for (at least MIN_SECRET_LENGTH long,
 * one entry per value), labels: Set of every label such a secret was known under }.
 */
async function knownSecrets() {
  const list = [...recordedSecrets(env.RT_HOME)];
  for (const [name, value] of Object.entries(env)) if (SECRET_ENV.test(name) && value) list.push({ label: `stack ${name}`, value });
  try { const u = new URL(env.REDIS_URL); if (u.password) list.push({ label: 'stack Redis password', value: decodeURIComponent(u.password) }); } catch { /* no URL */ }
  list.push({ label: 'fake LLM DEFAULT_KEY', value: DEFAULT_KEY });
  const redis = redisClient();
  try {
    for (const key of await scanKeys(redis, '{rt}:session:*')) {
      list.push({ label: 'session token (Redis)', value: key.slice('{rt}:session:'.length) });
      const v = await redis.get(key).catch(() => null);
      let obj = null;
      try { obj = JSON.parse(v); } catch { /* not JSON */ }
      for (const [k, x] of Object.entries(obj ?? {})) if (typeof x === 'string' && /csrf|token|secret/i.test(k)) list.push({ label: `session ${k} (Redis)`, value: x });
    }
    for (const key of await scanKeys(redis, '{rt}:admin_sessions:*')) {
      for (const t of await redis.smembers(key).catch(() => [])) list.push({ label: 'session token (admin index)', value: t });
    }
  } finally {
    redis.disconnect();
  }
  const byValue = new Map();
  const seen = new Set();
  for (const s of list) {
    const value = String(s.value);
    if (value.length < MIN_SECRET_LENGTH) continue;
    seen.add(s.label);
    if (!byValue.has(value)) byValue.set(value, { label: s.label, value });
  }
  return { secrets: [...byValue.values()], labels: seen };
}

async function scanKeys(redis, pattern) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

/** The forms a secret takes in a log line: as is, URL-encoded, JSON-escaped. */
function forms(value) {
  const out = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
  return [...out];
}

/** Findings in the files: [{file, line, label}] (the secret itself is never part of a finding). */
export function scan(files, known) {
  const needles = known.flatMap((s) => forms(s.value).map((f) => ({ label: s.label, f })));
  const findings = [];
  for (const file of files) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, i) => {
      for (const n of needles) if (text.includes(n.f)) findings.push({ file, line: i + 1, label: n.label });
      for (const [label, re] of SHAPES) if (re.test(text)) findings.push({ file, line: i + 1, label: `shape: ${label}` });
    });
  }
  return findings;
}

const show = (findings) => findings.slice(0, 40).map((f) => `${path.relative(process.cwd(), f.file)}:${f.line} holds ${f.label}`).join('\n');

function logFiles(pattern) {
  const dir = path.join(env.RT_HOME, 'log');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => pattern.test(n)).map((n) => path.join(dir, n)) : [];
}

test('the scan knows the suites\' secrets and finds each one planted in a log', () => {
  const want = ['TELEGRAM_BOT_TOKEN', "TELEGRAM_BOT_TOKEN (after ':')", 'SECRETS_KEY', 'POSTGRES_PASSWORD', 'ADMIN_PASSWORD', 'session cookie'];
  const missing = want.filter((w) => ![...labels].some((l) => l === w || l.endsWith(` ${w}`)));
  assert.deepEqual(missing, [], `secrets the suites must have recorded (run this after the suites; recorded: ${[...labels].join(', ')})`);

  // Every known secret, planted in the ways a log would hold it, is found; a clean line is not.
  const planted = path.join(tmp, 'edge-planted.log');
  const lines = ['{"ts":"2026-01-01T00:00:00Z","level":"info","msg":"http request","method":"GET","path":"/api/chats","status":"200"}'];
  secrets.forEach((s, i) => {
    const way = i % 3;
    if (way === 0) lines.push(`{"level":"info","msg":"planted","value":${JSON.stringify(s.value)}}`);
    else if (way === 1) lines.push(`GET /bot${encodeURIComponent(s.value)}/getUpdates failed`);
    else lines.push(`{"level":"warn","msg":"planted","detail":"… ${JSON.stringify(s.value).slice(1, -1)} …"}`);
  });
  const shapes = ['{"msg":"key","v":"sk-test-0123456789abcdef"}', '{"msg":"enc","v":"gAAAAABlZ3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3R0ZXN0dGVzdHRlc3Q="}',
    'cookie: rt_session=abcdefghijklmnop', 'authorization: Bearer abcdefghijkl'];
  lines.push(...shapes);
  fs.writeFileSync(planted, `${lines.join('\n')}\n`);
  const found = scan([planted], secrets);
  const foundLines = new Set(found.map((f) => f.line));
  const notFound = secrets.filter((_, i) => !foundLines.has(i + 2)).map((s) => s.label);
  assert.deepEqual(notFound, [], 'every planted secret found');
  assert.equal(foundLines.has(1), false, 'a clean line is not a finding');
  for (let k = 0; k < shapes.length; k++) assert.ok(foundLines.has(secrets.length + 2 + k), `shape ${k} found`);
});

test('no rt-edge log line holds a secret', (t) => {
  const files = logFiles(/^edge-.*\.log$/);
  t.diagnostic(`${secrets.length} secrets (${labels.size} kinds) and ${SHAPES.length} shapes in ${files.length} rt-edge logs`);
  assert.ok(files.length > 0, `no rt-edge logs in ${env.RT_HOME}/log: run this after the suites`);
  const findings = scan(files, secrets);
  assert.deepEqual(findings.length, 0, `${findings.length} secret(s) in ${files.length} rt-edge logs:\n${show(findings)}`);
});

test('the PostgreSQL and Redis logs hold no secret', () => {
  const files = logFiles(/^(postgres|redis).*\.log$/);
  assert.ok(files.length > 0, 'the stack\'s logs exist');
  const findings = scan(files, secrets);
  assert.deepEqual(findings.length, 0, `${findings.length} secret(s) in the stack's logs:\n${show(findings)}`);
});
