// The secrets the suites hand to rt-edge, written down so a scan after the suites can prove that
// no log line holds one (tests/scan/secrets-in-logs.test.mjs, stage secrets-in-logs).
// recordSecret(label, value) appends {label, value} to $RT_HOME/log/secrets-used.jsonl; the file
// lives next to the logs it is checked against and is removed with them by scripts/test.sh.
import fs from 'node:fs';
import path from 'node:path';

/** Values shorter than this cannot be told from ordinary words in a log; the scan skips them. */
export const MIN_SECRET_LENGTH = 8;

/** Env variables whose values are secrets (the edge's configuration and the suites' overrides). */
export const SECRET_ENV = /(PASSWORD|SECRET|TOKEN|_KEY)$/;

function file(home) {
  const h = home ?? process.env.RT_HOME;
  return h ? path.join(h, 'log', 'secrets-used.jsonl') : null;
}

/** Notes one secret the suite used (no-op without RT_HOME or for an empty value). */
export function recordSecret(label, value, home) {
  const f = file(home);
  if (!f || value === undefined || value === null || String(value) === '') return;
  try {
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.appendFileSync(f, `${JSON.stringify({ label, value: String(value) })}\n`);
  } catch { /* recording must never break a suite */ }
}

/**
 * Records the secrets in an environment: every SECRET_ENV variable, the password in a URL
 * (REDIS_URL), and a bot token whole and its part after ':' (the part Telegram keeps secret).
 */
export function recordEnvSecrets(env, home) {
  for (const [name, value] of Object.entries(env)) {
    if (!value) continue;
    if (SECRET_ENV.test(name)) recordSecret(name, value, home);
    if (name === 'TELEGRAM_BOT_TOKEN' && String(value).includes(':')) recordSecret(`${name} (after ':')`, String(value).split(':').slice(1).join(':'), home);
    if (/_URL$/.test(name)) {
      try {
        const u = new URL(String(value));
        if (u.password) recordSecret(`${name} password`, decodeURIComponent(u.password), home);
      } catch { /* not a URL */ }
    }
  }
}

/** Every secret recorded so far: [{label, value}], deduplicated by value. */
export function recordedSecrets(home) {
  const f = file(home);
  if (!f || !fs.existsSync(f)) return [];
  const seen = new Map();
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      const s = JSON.parse(line);
      if (!seen.has(s.value)) seen.set(s.value, s);
    } catch { /* a torn line from a killed suite */ }
  }
  return [...seen.values()];
}
