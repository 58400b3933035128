// Issue 7, the login limiter. The old one counted a failure only after the password check and per
// TCP peer only, and any successful login cleared it: 100 concurrent wrong passwords all got 401,
// a moderator's login reset the count on the owner's password, and behind a proxy one attacker
// locked everybody out. Each test performs the attack.
// The counts then lived in each edge's memory: several edges (the product runs replicas)
// multiplied the limits and a restart cleared them. They are in Redis now ({rt}:login:*, one Lua
// script per attempt), shared by every edge; without Redis no login is checked (503).
//   edge "direct": no trusted proxy (X-Forwarded-For ignored);
//   edge "proxied": RT_TRUSTED_PROXIES=127.0.0.1 (the test plays the proxy and names clients).
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startEdge, pgSuper, redisClient, freePort } from '../lib/stack.mjs';
import { request } from '../lib/http.mjs';
import { uniq } from '../lib/api.mjs';

let direct; let proxied; let db; let redis;
const extraEdges = [];
before(async () => {
  direct = await startEdge({ name: 'login-direct' });
  proxied = await startEdge({ name: 'login-proxied', env: { RT_TRUSTED_PROXIES: '127.0.0.1' } });
  db = await pgSuper();
  redis = redisClient();
});
// The address counts are shared and outlive the edges now: a test that locks the test runner's
// own address (127.0.0.1, the direct peer) must not lock out the suites that follow.
const unlockRunner = () => redis.del('{rt}:login:addr:127.0.0.1', '{rt}:login:addr:::1', '{rt}:login:addr:::ffff:127.0.0.1');
afterEach(unlockRunner);
after(async () => {
  await unlockRunner();
  redis?.disconnect();
  await db?.end();
  for (const e of [direct, proxied, ...extraEdges]) {
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

const accountKey = (login) => `{rt}:login:account:${crypto.createHash('sha256').update(login).digest('hex')}`;

test('two edges share the count: guesses spread over both lock the account after 5 in total, and the lock survives an edge restart', async () => {
  // the old limiter counted in each edge's memory: 3 guesses here and 2 there locked nothing,
  // the 6th guess was checked (401), and a restarted edge had forgotten everything
  const second = await startEdge({ name: 'login-second' });
  extraEdges.push(second);
  const owner = await newAdmin('owner');
  const edges = [direct, second];
  const seen = [];
  for (let i = 0; i < 5; i++) seen.push((await attempt(edges[i % 2], owner.name, `guess-${i}`)).status);
  assert.deepEqual(seen, [401, 401, 401, 401, 401], 'five guesses are checked, three on one edge and two on the other');
  const locked = await attempt(second, owner.name, 'guess-5');
  assert429(locked);
  assert429(await attempt(direct, owner.name, 'guess-6'));
  assert429(await attempt(direct, owner.name, owner.password)); // even the right password, on either edge
  // what Redis holds: a hash of the login (never the login itself) that expires
  const key = accountKey(owner.name);
  const state = await redis.hgetall(key);
  assert.ok(Number(state.lu) > 0 && Number(state.s) === 1, `locked once: ${JSON.stringify(state)}`);
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= 86400 + 3600, `the record expires (TTL ${ttl})`);
  const keys = await redis.keys('{rt}:login:*');
  assert.ok(!keys.some((k) => k.includes(owner.name)), 'no key holds the login');
  // a restart forgets nothing: the second edge stops, a new one starts, the account is still locked
  assert.deepEqual(await second.stop(), { code: 0, signal: null });
  const third = await startEdge({ name: 'login-third' });
  extraEdges.push(third);
  const after = await attempt(third, owner.name, owner.password);
  assert429(after);
  assert.ok(Number(after.headers['retry-after']) <= Number(locked.headers['retry-after']), 'the same lock, running down');
});

test('backoff doubles across edges: the second lock of an account lasts twice as long as the first', async () => {
  const a = await newAdmin('admin');
  for (let i = 0; i < 5; i++) assert.equal((await attempt(i % 2 ? proxied : direct, a.name, `g1-${i}`, newClient())).status, 401);
  const first = await attempt(direct, a.name, 'g1-5');
  assert429(first);
  assert.ok(Number(first.headers['retry-after']) <= 30 && Number(first.headers['retry-after']) >= 28, `first lock 30 s: ${first.headers['retry-after']}`);
  // the lock runs out (the test moves its end to now instead of waiting 30 s)
  await redis.hset(accountKey(a.name), 'lu', '0');
  for (let i = 0; i < 5; i++) assert.equal((await attempt(i % 2 ? direct : proxied, a.name, `g2-${i}`, newClient())).status, 401);
  const second = await attempt(proxied, a.name, 'g2-5', newClient());
  assert429(second);
  assert.ok(Number(second.headers['retry-after']) <= 60 && Number(second.headers['retry-after']) >= 58, `second lock 60 s: ${second.headers['retry-after']}`);
});

test('without Redis no login is checked: 503 problem+json with Retry-After (fail closed), not an uncounted guess', async () => {
  // an edge whose Redis is a closed port: the old limiter counted in memory and checked the
  // password anyway (401 for a guess); now an attempt that cannot be counted is not checked
  const dead = await freePort(19000, 19999);
  const edge = await startEdge({ name: 'login-noredis', ready: false, env: { REDIS_URL: `redis://127.0.0.1:${dead}/0` } });
  extraEdges.push(edge);
  const owner = await newAdmin('owner');
  let res;
  for (let i = 0; i < 50; i++) { // the HTTP server comes up before Redis would have
    res = await attempt(edge, owner.name, 'wrong-password').catch(() => null);
    if (res) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(res, 'the edge answers');
  assert.equal(res.status, 503, `${res.status} ${res.text}`);
  assert.match(res.headers['content-type'], /^application\/problem\+json/);
  assert.ok(Number(res.headers['retry-after']) >= 1, `Retry-After: ${res.headers['retry-after']}`);
  assert.match(JSON.parse(res.text).detail ?? JSON.parse(res.text).title, /attempts cannot be counted|unavailable/);
  const right = await attempt(edge, owner.name, owner.password);
  assert.equal(right.status, 503, 'the right password is not checked either');
});

test('nothing the limiter stores lives for ever: every {rt}:login:* key has a TTL, the window unless it was locked', async () => {
  const name = `sprayed-${uniq()}-${'x'.repeat(60)}`; // however long the login, its key is 81 bytes
  assert.equal((await attempt(proxied, name, 'wrong-password', newClient())).status, 401);
  const key = accountKey(name);
  assert.equal(key.length, '{rt}:login:account:'.length + 64);
  const ttl = await redis.ttl(key);
  assert.ok(ttl > 0 && ttl <= 900, `a never-locked key lives for the 15-minute window, TTL ${ttl}`);
  const keys = await redis.keys('{rt}:login:*'); // every key this suite made, locked ones included
  assert.ok(keys.length > 10, `${keys.length} keys`);
  const ttls = await Promise.all(keys.map((k) => redis.ttl(k)));
  const forever = keys.filter((k, i) => !(ttls[i] > 0 && ttls[i] <= 86400 + 3600));
  assert.deepEqual(forever, [], 'each key expires within a day and the longest lock');
});
