// Issue 7, sessions: an admin who loses access loses it at once, everywhere.
// (a) Disabling, demoting or re-passwording an admin, through the API or by a DBA's UPDATE, ends
//     every session of theirs: the open WebSocket is closed, a new /ws upgrade and REST answer
//     401, the Redis keys are gone. (The old edge kept the socket streaming, upgraded again and
//     answered REST 403 while extending the session.)
// (b) No 401/403 (nor other error) extends a session; a success slides it (TTL read from Redis).
// (c) A session deleted in Redis closes its socket (bounded periodic re-check).
// (d) Expiry and sliding refresh on an edge with a short RT_SESSION_TTL_SEC.
// (e) After a Redis restart the first /ws upgrade succeeds (the blocking lookup reconnects).
// (f) A new password set while no edge ran (no edge acted on its journal row) ends the sessions
//     made before it: the session's epoch is older than the admin's (45_session_epoch.sql).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startEdge, pgSuper, redisClient } from '../lib/stack.mjs';
import { request, login, openWs, wsUpgradeStatus, waitFor, sleep } from '../lib/http.mjs';
import { client, uniq } from '../lib/api.mjs';
import { ownRedis } from '../lib/delivery.mjs';
import Redis from 'ioredis';

const redisClientFor = (url) => new Redis(url, { maxRetriesPerRequest: 2 });

const CLOSE_BOUND_MS = 10000; // the socket must be gone well within this
let edge; let db; let redis; let owner;

before(async () => {
  edge = await startEdge({ name: 'sessions' });
  db = await pgSuper();
  redis = redisClient();
  owner = client(edge.url, await login(edge.url));
});
after(async () => {
  await db?.end();
  redis?.disconnect();
  if (!edge) return;
  const exit = await edge.stop();
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge.logPath})`);
});

const tokenOf = (session) => session.cookie.slice('rt_session='.length);

async function newAdmin(role = 'admin') {
  const name = `it30-${role}-${uniq()}`;
  const password = `pw-${uniq()}-${uniq()}`;
  const { rows } = await db.query('SELECT rt.create_admin($1, $2, $3) AS a', [name, password, role]);
  return { id: Number(rows[0].a.id), name, password };
}

/** Resolves { code, reason } when ws closes, rejects after timeoutMs. */
function closed(ws, timeoutMs = CLOSE_BOUND_MS) {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve({ code: null, reason: 'already closed' });
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    ws.once('close', (code, reason) => { clearTimeout(t); resolve({ code, reason: reason.toString() }); });
  });
}

const changes = [
  { how: 'REST', what: 'disabled', apply: (a) => owner.send('PATCH', `/api/admins/${a.id}`, { disabled: true }) },
  { how: 'REST', what: 'demoted', apply: (a) => owner.send('PATCH', `/api/admins/${a.id}`, { role: 'viewer' }) },
  { how: 'REST', what: 'given a new password', apply: (a) => owner.send('PATCH', `/api/admins/${a.id}`, { password: `new-${uniq()}-${uniq()}` }) },
  { how: 'SQL', what: 'disabled', apply: (a) => db.query('UPDATE rt.admins SET disabled_at = now() WHERE id = $1', [a.id]) },
  { how: 'SQL', what: 'demoted', apply: (a) => db.query("UPDATE rt.admins SET role = 'moderator' WHERE id = $1", [a.id]) },
  { how: 'SQL', what: 'given a new password', apply: (a) => db.query("UPDATE rt.admins SET password_hash = rt._crypt('sql-new-password', rt._bcrypt_salt()) WHERE id = $1", [a.id]) },
];

for (const c of changes) {
  test(`an admin ${c.what} via ${c.how}: every session ends, the open socket closes, /ws and REST answer 401`, async () => {
    const a = await newAdmin('admin');
    const s1 = await login(edge.url, a.name, a.password);
    const s2 = await login(edge.url, a.name, a.password); // a second browser
    const ws = await openWs(edge.url, s1.cookie);
    await ws.next((m) => m.type === 'hello');
    assert.equal((await request(edge.url, 'GET', '/api/chats', { cookie: s2.cookie })).status, 200);
    assert.deepEqual((await redis.smembers(`{rt}:admin_sessions:${a.id}`)).sort(), [tokenOf(s1), tokenOf(s2)].sort(),
      'the per-admin index lists both sessions');

    const closing = closed(ws.ws); // listening before the change: the close may beat its answer
    const res = await c.apply(a);
    if (c.how === 'REST') assert.equal(res.status, 200, res.text);

    const { code } = await closing;
    assert.equal(code, 1008, 'closed with policy violation ("session ended")');
    // The edge closes the sockets first and then ends the sessions in Redis (one script, a
    // round trip later), so the keys may outlive the close by a moment: bounded wait.
    for (const s of [s1, s2]) {
      await waitFor(async () => (await redis.exists(`{rt}:session:${tokenOf(s)}`)) === 0,
        { timeoutMs: CLOSE_BOUND_MS, what: 'the session to be gone from Redis' });
      assert.equal(await wsUpgradeStatus(edge.url, { cookie: s.cookie }), 401, 'a new /ws upgrade is refused');
      const r = await request(edge.url, 'GET', '/api/chats', { cookie: s.cookie });
      assert.equal(r.status, 401, `REST with the old cookie: ${r.status} ${r.text}`);
    }
    assert.equal(await redis.exists(`{rt}:admin_sessions:${a.id}`), 0, 'the index is gone too');
    // the owner's session is untouched
    assert.equal((await owner.get('/api/chats')).status, 200);
  });
}

test('an UPDATE that changes none of role, disabled_at, password ends no session', async () => {
  const a = await newAdmin('moderator');
  const s = await login(edge.url, a.name, a.password);
  const ws = await openWs(edge.url, s.cookie);
  await ws.next((m) => m.type === 'hello');
  await db.query("UPDATE rt.admins SET role = 'moderator', login = login || '-x' WHERE id = $1", [a.id]);
  await sleep(3000); // > one re-check tick: nothing may close it
  assert.equal(ws.ws.readyState, WebSocket.OPEN);
  assert.equal((await request(edge.url, 'GET', '/api/chats', { cookie: s.cookie })).status, 200);
  await ws.close();
});

test('no 401 or 403 extends a session; a success slides it (TTL read from Redis)', async () => {
  const a = await newAdmin('viewer');
  const s = client(edge.url, await login(edge.url, a.name, a.password));
  const key = `{rt}:session:${tokenOf(s.session)}`;
  const ttl = () => redis.ttl(key);
  await redis.expire(key, 100);

  const forbidden = await s.send('POST', '/api/presets', { name: `p-${uniq()}` }); // viewer: needs admin
  assert.equal(forbidden.status, 403, forbidden.text);
  const noCsrf = await request(edge.url, 'POST', '/api/auth/logout', { cookie: s.session.cookie });
  assert.equal(noCsrf.status, 403, 'logout without CSRF');
  const missing = await s.get('/api/presets/999999999');
  assert.equal(missing.status, 404);
  const t1 = await ttl();
  assert.ok(t1 > 0 && t1 <= 100, `after 403, 403 and 404 the TTL is still <= 100 s, got ${t1}`);

  const ok = await s.get('/api/chats');
  assert.equal(ok.status, 200);
  const t2 = await waitFor(async () => { const t = await ttl(); return t > 100 ? t : 0; }, { timeoutMs: 5000, what: 'the slide after a 200' });
  assert.ok(t2 > 43000, `a success slides the session to RT_SESSION_TTL_SEC, got ${t2}`);
  assert.ok((await redis.ttl(`{rt}:admin_sessions:${a.id}`)) >= t2 - 5, 'the index lives at least as long as the session');

  // a disabled admin's session (ended by the change) is not brought back by a later request
  await db.query('UPDATE rt.admins SET disabled_at = now() WHERE id = $1', [a.id]);
  await waitFor(async () => (await redis.exists(key)) === 0, { timeoutMs: CLOSE_BOUND_MS, what: 'the session to end' });
  assert.equal((await s.get('/api/chats')).status, 401);
  assert.equal(await redis.exists(key), 0, 'a 401 does not recreate the session');
});

test('a session deleted in Redis closes its open socket', async () => {
  const a = await newAdmin('viewer');
  const s = await login(edge.url, a.name, a.password);
  const ws = await openWs(edge.url, s.cookie);
  await ws.next((m) => m.type === 'hello');
  await redis.del(`{rt}:session:${tokenOf(s)}`);
  const { code } = await closed(ws.ws);
  assert.equal(code, 1008);
});

test('expiry and sliding refresh (RT_SESSION_TTL_SEC=8)', { timeout: 90000 }, async () => {
  const short = await startEdge({ name: 'sessions-ttl', env: { RT_SESSION_TTL_SEC: '8' } });
  try {
    const a = await newAdmin('viewer');
    const s = await login(short.url, a.name, a.password);
    const key = `{rt}:session:${tokenOf(s)}`;
    const t0 = await redis.ttl(key);
    assert.ok(t0 > 0 && t0 <= 8, `a new session lives RT_SESSION_TTL_SEC, got ${t0}`);
    // used every 2 s for 14 s: well past 8 s, still alive because each success slides it
    const start = Date.now();
    while (Date.now() - start < 14000) {
      const r = await request(short.url, 'GET', '/api/chats', { cookie: s.cookie });
      assert.equal(r.status, 200, `in use after ${Date.now() - start} ms: ${r.status}`);
      await sleep(2000);
    }
    const ws = await openWs(short.url, s.cookie);
    await ws.next((m) => m.type === 'hello');
    // then idle: the session expires and the socket goes with it
    const { code } = await closed(ws.ws, 8000 + CLOSE_BOUND_MS);
    assert.equal(code, 1008);
    assert.equal(await redis.exists(key), 0);
    assert.equal((await request(short.url, 'GET', '/api/chats', { cookie: s.cookie })).status, 401);
    assert.equal(await wsUpgradeStatus(short.url, { cookie: s.cookie }), 401);
  } finally {
    await short.stop();
  }
});

test('an admin disabled while no edge runs: the next edge closes their socket and ends the session', { timeout: 90000 }, async () => {
  // its own Redis, so that this suite's running edge (which reads the journal) does not help
  const own = await ownRedis('sessions-down');
  let e = await startEdge({ name: 'sessions-down-1', env: { REDIS_URL: own.url } });
  try {
    const a = await newAdmin('admin');
    const s = await login(e.url, a.name, a.password);
    await e.stop();
    await db.query('UPDATE rt.admins SET disabled_at = now() WHERE id = $1', [a.id]); // nobody reads the row
    e = await startEdge({ name: 'sessions-down-2', env: { REDIS_URL: own.url } });
    let ws = null;
    try { ws = await openWs(e.url, s.cookie); } catch (err) { assert.equal(err.statusCode, 401, err.message); }
    if (ws) assert.equal((await closed(ws.ws)).code, 1008, 'the socket is closed once the database says so');
    const r = redisClientFor(own.url);
    try {
      await waitFor(async () => (await r.exists(`{rt}:session:${tokenOf(s)}`)) === 0, { timeoutMs: CLOSE_BOUND_MS, what: 'the session to end' });
    } finally { r.disconnect(); }
    assert.equal(await wsUpgradeStatus(e.url, { cookie: s.cookie }), 401);
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: s.cookie })).status, 401);
  } finally {
    await e.stop();
    await own.stop();
  }
});

test('a new password set while no edge runs: on the next edge the old cookies get 401 on REST, me and /ws, an open socket closes, a new login works', { timeout: 90000 }, async () => {
  // The admin.changed journal row of a change made while every edge is down is never acted on
  // (an edge reads only rows after its start position), and the old safety net compared the
  // role only: the old cookies went on working (REST 200). Now each session carries the admin's
  // session epoch and the database refuses an older one in the same call (28000 -> 401), which
  // ends every session of that admin made at that epoch or before. Three admins, one per way in:
  // REST (a), GET /api/auth/me (b), straight to /ws (c).
  const own = await ownRedis('sessions-epoch');
  let e = await startEdge({ name: 'sessions-epoch-1', env: { REDIS_URL: own.url } });
  const r = redisClientFor(own.url);
  try {
    const [a, b, c] = [await newAdmin('admin'), await newAdmin('viewer'), await newAdmin('moderator')];
    const [sa, sa2, sb, sc] = [await login(e.url, a.name, a.password), await login(e.url, a.name, a.password),
      await login(e.url, b.name, b.password), await login(e.url, c.name, c.password)];
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: sa.cookie })).status, 200);
    await e.stop();
    const newPassword = (x) => `pw-new-${x.id}-${uniq()}`;
    for (const x of [a, b, c]) {
      x.newPassword = newPassword(x);
      await db.query('UPDATE rt.admins SET password_hash = rt._crypt($2, rt._bcrypt_salt()) WHERE id = $1', [x.id, x.newPassword]);
    }
    e = await startEdge({ name: 'sessions-epoch-2', env: { REDIS_URL: own.url } });

    const chats = await request(e.url, 'GET', '/api/chats', { cookie: sa.cookie });
    assert.equal(chats.status, 401, `REST with a cookie from before the new password: ${chats.status} ${chats.text}`);
    assert.match(chats.json.detail, /log in again/);
    const me = await request(e.url, 'GET', '/api/auth/me', { cookie: sb.cookie });
    assert.equal(me.status, 401, `me with a cookie from before the new password: ${me.status} ${me.text}`);
    assert.match(me.json.detail, /log in again/);
    for (const s of [sa, sa2, sb]) { // sa2 was never used: it ended with sa (same admin, same epoch)
      assert.equal(await r.exists(`{rt}:session:${tokenOf(s)}`), 0, 'the stale session is ended in Redis');
      assert.equal(await wsUpgradeStatus(e.url, { cookie: s.cookie }), 401, 'and its /ws upgrade is refused');
      assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: s.cookie })).status, 401);
    }
    // c's old cookie goes straight to /ws: the upgrade is refused (the edge loaded every admin's
    // epoch at start: it cannot ask the database while it upgrades), never opened, and it ends
    assert.equal(await wsUpgradeStatus(e.url, { cookie: sc.cookie }), 401, 'the /ws upgrade of a stale session');
    await waitFor(async () => (await r.exists(`{rt}:session:${tokenOf(sc)}`)) === 0, { timeoutMs: CLOSE_BOUND_MS, what: 'the stale session to end' });
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: sc.cookie })).status, 401);

    // the admin logs in with the new password: that session works, and a late use of an old
    // cookie (ended already) does not end it
    const fresh = await login(e.url, a.name, a.newPassword);
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: fresh.cookie })).status, 200);
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: sa.cookie })).status, 401);
    assert.equal((await request(e.url, 'GET', '/api/chats', { cookie: fresh.cookie })).status, 200, 'the new session still works');
  } finally {
    r.disconnect();
    await e.stop();
    await own.stop();
  }
});

test('after a Redis restart the first /ws upgrade succeeds (the blocking lookup reconnects)', { timeout: 90000 }, async () => {
  const own = await ownRedis('sessions-redis');
  const e = await startEdge({ name: 'sessions-redis', env: { REDIS_URL: own.url } });
  try {
    const s = await login(e.url);
    const first = await openWs(e.url, s.cookie); // opens the blocking lookup connection
    await first.next((m) => m.type === 'hello');
    await first.close();
    await own.kill();
    await own.start(); // appendonly: the session survives
    await waitFor(async () => (await request(e.url, 'GET', '/readyz')).status === 200, { timeoutMs: 20000, what: 'the edge back on Redis' });
    assert.equal(await wsUpgradeStatus(e.url, { cookie: s.cookie }), 101, 'the first upgrade after the restart');
    assert.equal(await wsUpgradeStatus(e.url, { cookie: s.cookie }), 101);
  } finally {
    await e.stop();
    await own.stop();
  }
});
