// Runs a command against a live rt-edge: starts the fake Telegram and rt-edge (polling the fake
// with token 123:TEST), exports RT_BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, TELEGRAM_FAKE_URL,
// runs the command, then stops both. Used by scripts/test.sh for the browser test.
//   node tests/lib/with-edge.mjs [--port 18080] [--no-telegram] -- cmd args...
import { spawn } from 'node:child_process';
import { start as startTelegram } from '../fakes/telegram.mjs';
import { startEdge, adminCreds } from './stack.mjs';

const argv = process.argv.slice(2);
const dash = argv.indexOf('--');
if (dash < 0 || dash === argv.length - 1) {
  console.error('usage: with-edge.mjs [--port N] [--no-telegram] -- command [args...]');
  process.exit(2);
}
const opts = argv.slice(0, dash);
const cmd = argv.slice(dash + 1);
const portArg = opts.indexOf('--port');
const port = portArg >= 0 ? Number(opts[portArg + 1]) : undefined;

const telegram = opts.includes('--no-telegram') ? null : await startTelegram({ port: 0 });
const edge = await startEdge({ name: 'with-edge', port, telegram: telegram ?? undefined });
const creds = adminCreds();
console.error(`with-edge: rt-edge ${edge.url} (log ${edge.logPath})${telegram ? `, fake Telegram ${telegram.url}` : ''}`);

const child = spawn(cmd[0], cmd.slice(1), {
  stdio: 'inherit',
  env: { ...process.env, RT_BASE_URL: edge.url, ADMIN_LOGIN: creds.login, ADMIN_PASSWORD: creds.password, ...(telegram ? { TELEGRAM_FAKE_URL: telegram.url } : {}) },
});
const forward = (sig) => child.kill(sig);
process.on('SIGINT', forward);
process.on('SIGTERM', forward);
const code = await new Promise((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
const exit = await edge.stop();
if (telegram) await telegram.close();
if (exit.code !== 0) {
  console.error(`with-edge: rt-edge exited with ${JSON.stringify(exit)} on SIGTERM (log ${edge.logPath})`);
  process.exit(code || 1);
}
process.exit(code);
