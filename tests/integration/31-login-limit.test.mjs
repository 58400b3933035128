// Issue 7, the login limiter. The old one counted a failure only after the password check and per
// TCP peer only, and any successful login cleared it: 100 concurrent wrong passwords all got 401,
// a moderator's login reset the count on the owner's password, and behind a proxy one attacker
// locked everybody out. Each test performs the attack.
//   edge "direct": no trusted proxy (X-Forwarded-For ignored);
//   edge "proxied": RT_TRUSTED_PROXIES=127.0.0.1 (the test plays the proxy and names clients).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper } from '../lib/stack.mjs';
import { request } from '../lib/http.mjs';
import { uniq } from '../lib/api.mjs';

let direct; let proxied; let db;
before(async () => {
  direct = await startEdge({ name: 'login-direct' });
  proxied = await startEdge({ name: 'login-proxied', env: { RT_TRUSTED_PROXIES: '127.0.0.1' } });
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  for (const e of [direct, proxied]) {
    if (!e) continue;
    const exit = await e.stop();
    assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${e.logPath})`);
  }
});

async function newAdmin(role) {
  const name = `it31-${role}-${uniq()}`;
  const password = `pw-${uniq()}-${uniq()}`;
  await db.query('SELECT rt.create_admin($1, $2, $3)', [name, password, role]);
  return { name, password };
}

let clientSeq = 0;
/** A client address of its own (TEST-NET-3 and beyond), different for every call. */
const newClient = () => { clientSeq++; return `198.51.${100 + (clientSeq >> 8)}.${clientSeq & 255}`; };

const attempt = (edge, loginName, password, xff) =>
  request(edge.url, 'POST', '/api/auth/login', { json: { login: loginName, password }, headers: xff ? { 'x-forwarded-for': xff } : {} });

function assert429(res) {
  assert.equal(res.status, 429);
  assert.match(res.headers['content-type'], /^application\/problem\+json/);
  assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${res.headers['retry-after']}`);
}

const tally = (rs) => rs.reduce((t, r) => ({ ...t, [r.status]: (t[r.status] ?? 0) + 1 }), {});

test('100 concurrent wrong passwords for one account: 429s appear, at most 5 reach the password check', async () => {
  const owner = await newAdmin('owner');
  const rs = await Promise.all(Array.from({ length: 100 }, () => attempt(direct, owner.name, 'wrong-password-xyz')));
  const t = tally(rs);
  assert.ok((t[401] ?? 0) <= 5, `at most 5 wrong passwords checked, got ${JSON.stringify(t)}`);
  assert.ok((t[429] ?? 0) >= 95, `the rest refused with 429, got ${JSON.stringify(t)}`);
  assert.deepEqual(Object.keys(t).sort(), ['401', '429'], JSON.stringify(t));
  assert429(rs.find((r) => r.status === 429));
  // and the owner's right password is refused too until the lock ends
  assert429(await attempt(direct, owner.name, owner.password));
});

test('a moderator\'s successful logins do not clear the count on the owner\'s password', async () => {
  const owner = await newAdmin('owner');
  const moderator = await newAdmin('moderator');
  const me = newClient(); // one attacker, one address, holding a moderator account
  const seen = [];
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4; i++) seen.push((await attempt(proxied, owner.name, `guess-${round}-${i}`, me)).status);
    const m = await attempt(proxied, moderator.name, moderator.password, me);
    assert.equal(m.status, 200, `the moderator's own login works (round ${round})`);
  }
  assert.deepEqual(seen.slice(0, 5), [401, 401, 401, 401, 401], 'five guesses are checked');
  assert.ok(seen.slice(5).every((s) => s === 429), `then the owner account is locked: ${seen}`);
  assert429(await attempt(proxied, owner.name, owner.password, newClient()));
});

test('X-Forwarded-For from a peer that is not a trusted proxy is ignored', async () => {
  // one attacker spraying many accounts and claiming a new address each time
  const statuses = [];
  for (let i = 0; i < 25; i++) {
    statuses.push((await attempt(direct, `nobody-${uniq()}`, 'wrong-password', newClient())).status);
  }
  const first429 = statuses.indexOf(429);
  assert.ok(first429 > 0 && first429 <= 20, `the address limit (20) applies to the TCP peer: ${statuses}`);
  assert.ok(statuses.slice(first429).every((s) => s === 429), `${statuses}`);
});

test('behind a trusted proxy each client has its own count: one attacker does not lock everyone out', async () => {
  const attacker = newClient();
  const statuses = [];
  for (let i = 0; i < 25; i++) statuses.push((await attempt(proxied, `nobody-${uniq()}`, 'wrong-password', attacker)).status);
  assert.ok(statuses.includes(429), `the attacker's own address is limited: ${statuses}`);
  // the proxy (127.0.0.1) forwards other clients: they are not locked out
  const viewer = await newAdmin('viewer');
  const ok = await attempt(proxied, viewer.name, viewer.password, newClient());
  assert.equal(ok.status, 200, `another client logs in: ${ok.status} ${ok.text}`);
  // a forged left part does not help: the rightmost untrusted hop is the client
  assert429(await attempt(proxied, `nobody-${uniq()}`, 'wrong-password', `${newClient()}, ${attacker}`));
});

test('a correct password for an unlocked account works, also after other accounts were locked', async () => {
  const a = await newAdmin('admin');
  for (let i = 0; i < 4; i++) assert.equal((await attempt(proxied, a.name, `typo-${i}`, newClient())).status, 401);
  const ok = await attempt(proxied, a.name, a.password, newClient());
  assert.equal(ok.status, 200, 'four typos do not lock; the right password works');
  // and the success cleared this account's count: four more typos are still not a lock
  for (let i = 0; i < 4; i++) assert.equal((await attempt(proxied, a.name, `typo2-${i}`, newClient())).status, 401);
  assert.equal((await attempt(proxied, a.name, a.password, newClient())).status, 200);
});

test('logins in flight are capped: a burst of right passwords gets 429 Retry-After beyond the cap, not a queue', async () => {
  const admins = [];
  for (let i = 0; i < 30; i++) admins.push(await newAdmin('viewer'));
  const rs = await Promise.all(admins.map((a) => attempt(proxied, a.name, a.password, newClient())));
  const t = tally(rs);
  assert.ok((t[200] ?? 0) >= 8, `the first ones are checked: ${JSON.stringify(t)}`);
  assert.ok((t[429] ?? 0) >= 1, `beyond 8 in flight: 429, got ${JSON.stringify(t)}`);
  assert.deepEqual(Object.keys(t).sort(), ['200', '429'], JSON.stringify(t));
  rs.filter((r) => r.status === 429).forEach(assert429);
});
