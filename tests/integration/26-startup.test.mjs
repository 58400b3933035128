// Start-up refuses what it cannot run safely: a missing or malformed SECRETS_KEY (provider keys
// could be neither sealed nor read) and a webhook URL without its secret end rt-edge at once with
// exit code 2 and a message naming the variable, before it listens or touches a database. The
// seed keys from OPENAI_API_KEY reach PostgreSQL sealed: the provider is enabled and keyed, and
// no log line carries the key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { edgeBinary, stackEnv, startEdge, pgSuper, ROOT } from '../lib/stack.mjs';
import { fernetDecrypt } from '../lib/fernet.mjs';

function run(env) {
  return new Promise((resolve) => {
    const p = spawn(edgeBinary(), [], { env: { ...stackEnv(), RT_HTTP_PORT: '1', ...env }, cwd: ROOT });
    let err = '';
    p.stderr.on('data', (c) => { err += c; });
    p.stdout.on('data', () => {});
    const timer = setTimeout(() => p.kill('SIGKILL'), 10000);
    p.on('exit', (code, signal) => { clearTimeout(timer); resolve({ code, signal, err }); });
  });
}

test('a missing or malformed SECRETS_KEY stops rt-edge at start with a clear message', { timeout: 30000 }, async () => {
  for (const key of ['', 'not-a-key', 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4', 'cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e!=']) {
    const r = await run({ SECRETS_KEY: key });
    assert.equal(r.code, 2, `SECRETS_KEY=${JSON.stringify(key)}: exit ${r.code} ${r.signal ?? ''} ${r.err}`);
    assert.match(r.err, /SECRETS_KEY/, r.err);
    assert.match(r.err, /Fernet/, r.err);
  }
});

test('a webhook URL without its secret is refused at start', { timeout: 30000 }, async () => {
  const r = await run({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/api/telegram/webhook', TELEGRAM_WEBHOOK_SECRET: '' });
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /TELEGRAM_WEBHOOK_SECRET/);
});

test('OPENAI_API_KEY seeds the openai provider sealed: keyed, enabled, and never in a log line', { timeout: 60000 }, async () => {
  const db = await pgSuper();
  const plain = `sk-seed-${Date.now()}-abcd`;
  const before = (await db.query("SELECT api_key_enc FROM rt.providers WHERE name = 'openai'")).rows[0];
  // The seed keys only a provider without a key: start from one.
  await db.query("UPDATE rt.providers SET api_key_enc = NULL, api_key_hint = NULL, enabled = false WHERE name = 'openai'");
  const edge = await startEdge({ name: 'seed-key', env: { OPENAI_API_KEY: plain } });
  try {
    const row = await (async () => {
      for (let i = 0; i < 100; i++) {
        const { rows } = await db.query("SELECT api_key_enc, api_key_hint, enabled FROM rt.providers WHERE name = 'openai'");
        if (rows[0]?.api_key_enc) return rows[0];
        await new Promise((r) => setTimeout(r, 100));
      }
      return null;
    })();
    assert.ok(row, 'the openai provider got a key');
    assert.match(row.api_key_enc, /^gAAAAA/);
    assert.equal(fernetDecrypt(row.api_key_enc, stackEnv().SECRETS_KEY).text, plain);
    assert.equal(row.api_key_hint, 'sk-…abcd');
    assert.equal(row.enabled, true);
  } finally {
    assert.deepEqual(await edge.stop(), { code: 0, signal: null }, `log ${edge.logPath}`);
    await db.query("UPDATE rt.providers SET api_key_enc = $1, api_key_hint = NULL, enabled = false WHERE name = 'openai'",
      [before?.api_key_enc ?? null]);
    await db.end();
  }
  assert.ok(!fs.readFileSync(edge.logPath, 'utf8').includes(plain), 'the plain key is in no log line');
});
