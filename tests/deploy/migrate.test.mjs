// scripts/migrate.sh (make migrate, compose's migrate service, the Helm Job) against the real
// PostgreSQL of the test stack, in scratch databases (never `roundtable`): a fresh install, a
// second run that changes nothing, the upgrade of an old version, rt_edge's password, the first
// owner, and bad input (short admin password, wrong superuser password, no server, an injection
// attempt through the variables) with a clear error and a non-zero exit.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { ROOT, pgSuper, stackEnv } from '../lib/stack.mjs';

const MIGRATE = path.join(ROOT, 'scripts/migrate.sh');
const env = stackEnv();
const scratch = [];
let su;

function migrate(extra = {}, args = []) {
  const r = spawnSync(MIGRATE, args, {
    encoding: 'utf8',
    timeout: 120000,
    env: {
      PATH: process.env.PATH,
      POSTGRES_HOST: env.RT_PG_SOCKET_DIR,
      POSTGRES_PORT: env.RT_PG_PORT,
      POSTGRES_SUPERUSER: 'postgres',
      POSTGRES_USER: 'rt_edge',
      POSTGRES_PASSWORD: env.POSTGRES_PASSWORD,
      MIGRATE_WAIT_SEC: '5',
      ...extra,
    },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function scratchDb(tag) {
  const name = `rt_migrate_${tag}_${process.pid}`;
  await su.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await su.query(`CREATE DATABASE ${name}`);
  scratch.push(name);
  return name;
}

async function inDb(db, fn) {
  const c = await pgSuper(db);
  try { return await fn(c); } finally { await c.end(); }
}

/** Login over TCP with a password (what rt-edge does). */
async function loginAs(db, user, password) {
  const c = new pg.Client({ host: '127.0.0.1', port: Number(env.RT_PG_PORT), database: db, user, password });
  await c.connect();
  return c;
}

/** Everything a migration may touch, to compare runs (ACLs as sorted sets: sql/roles.sql revokes
 * and grants again, which reorders equal ACL arrays). */
async function snapshot(db) {
  return inDb(db, async (c) => (await c.query(`
    SELECT (SELECT extversion FROM pg_extension WHERE extname = 'roundtable') AS version,
           (SELECT rolpassword FROM pg_authid WHERE rolname = 'rt_edge') AS edge_verifier,
           (SELECT json_agg(a ORDER BY a.id) FROM rt.admins a) AS admins,
           (SELECT count(*) FROM rt.audit_log) AS audit_rows,
           (SELECT datacl::text FROM pg_database WHERE datname = current_database()) AS datacl,
           (SELECT md5(string_agg(p.oid::regprocedure::text || coalesce((SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM unnest(p.proacl) x), ''), ',' ORDER BY p.oid::regprocedure::text))
              FROM pg_proc p WHERE p.pronamespace = 'rt'::regnamespace) AS function_acls,
           (SELECT md5(string_agg(c.relname || coalesce((SELECT string_agg(x::text, ' ' ORDER BY x::text) FROM unnest(c.relacl) x), ''), ',' ORDER BY c.relname))
              FROM pg_class c WHERE c.relnamespace = 'rt'::regnamespace) AS table_acls,
           (SELECT array_agg(extname ORDER BY extname) FROM pg_extension) AS extensions`)).rows[0]);
}

const defaultVersion = async () => (await su.query("SELECT default_version FROM pg_available_extensions WHERE name = 'roundtable'")).rows[0].default_version;

before(async () => { su = await pgSuper('postgres'); });
after(async () => {
  // rt_edge is cluster-wide: whatever a test did, it leaves with the stack's password
  await su.query(`ALTER ROLE rt_edge PASSWORD '${env.POSTGRES_PASSWORD.replace(/'/g, "''")}'`);
  for (const db of scratch) await su.query(`DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await su.end();
});

describe('scripts/migrate.sh', () => {
  test('fresh database: extension at the default version, roles, rt_edge logs in, one owner; the second run changes nothing', async () => {
    const db = await scratchDb('fresh');
    const want = await defaultVersion();
    const vars = { POSTGRES_DB: db, ADMIN_LOGIN: 'first-owner', ADMIN_PASSWORD: 'correct horse battery' };
    const first = migrate(vars);
    assert.equal(first.code, 0, first.err);
    assert.match(first.out, /roundtable before: none/);
    assert.match(first.out, new RegExp(`roundtable after: ${want.replace(/\./g, '\\.')}\\n`));
    assert.match(first.out, /created the owner 'first-owner'/);
    for (const secret of ['correct horse battery', env.POSTGRES_PASSWORD]) assert.ok(!(first.out + first.err).includes(secret), 'no secret in the output');

    let s1 = await snapshot(db);
    assert.equal(s1.version, want);
    for (const e of ['pg_trgm', 'pgcrypto', 'roundtable']) assert.ok(s1.extensions.includes(e), `${e} installed`);
    assert.deepEqual(s1.admins.map((a) => [a.login, a.role]), [['first-owner', 'owner']]);
    assert.match(s1.datacl, /rt_edge=c\//, 'rt_edge may connect (sql/roles.sql ran)');
    assert.doesNotMatch(s1.datacl, /(^|[{,])=[A-Za-z]*c/, 'PUBLIC may not connect');

    // rt_edge logs in with POSTGRES_PASSWORD over TCP and may call the API, as rt-edge does
    const edge = await loginAs(db, 'rt_edge', env.POSTGRES_PASSWORD);
    try {
      const r = await edge.query('SELECT rt.admin_login($1, $2) AS a', ['first-owner', 'correct horse battery']);
      assert.equal(r.rows[0].a.role, 'owner');
      await assert.rejects(edge.query('SELECT * FROM rt.admins'), /permission denied/);
    } finally { await edge.end(); }
    s1 = await snapshot(db); // after the login (it is audited)

    const second = migrate({ ...vars, ADMIN_PASSWORD: 'another password entirely' });
    assert.equal(second.code, 0, second.err);
    assert.match(second.out, new RegExp(`roundtable before: ${want.replace(/\./g, '\\.')} `));
    assert.match(second.out, /role rt_edge: password unchanged/);
    assert.match(second.out, /an owner exists/);
    assert.deepEqual(await snapshot(db), s1, 'the second run changed nothing');
  });

  test('rt_edge\'s password follows POSTGRES_PASSWORD, and is only rewritten when it differs', async () => {
    const db = await scratchDb('password');
    const fresh = `pw-${process.pid}-${Date.now()}`;
    const r1 = migrate({ POSTGRES_DB: db, POSTGRES_PASSWORD: fresh });
    assert.equal(r1.code, 0, r1.err);
    assert.match(r1.out, /role rt_edge: password set/);
    assert.match(r1.err, /no console owner exists and ADMIN_PASSWORD is empty/);
    const c = await loginAs(db, 'rt_edge', fresh);
    await c.end();
    await assert.rejects(loginAs(db, 'rt_edge', env.POSTGRES_PASSWORD), /password authentication failed/);
    const before_ = await snapshot(db);
    const r2 = migrate({ POSTGRES_DB: db, POSTGRES_PASSWORD: fresh });
    assert.equal(r2.code, 0, r2.err);
    assert.match(r2.out, /password unchanged/);
    assert.equal((await snapshot(db)).edge_verifier, before_.edge_verifier);
    // back to the stack's password, through the script
    const r3 = migrate({ POSTGRES_DB: db });
    assert.equal(r3.code, 0, r3.err);
    assert.match(r3.out, /password set/);
    (await loginAs(db, 'rt_edge', env.POSTGRES_PASSWORD)).end();
  });

  test('upgrades an old install (0.1.0, before pg_trgm) to the default version', async () => {
    const db = await scratchDb('upgrade');
    await inDb(db, (c) => c.query("CREATE EXTENSION roundtable VERSION '0.1.0' CASCADE"));
    const r = migrate({ POSTGRES_DB: db, ADMIN_PASSWORD: 'upgrade-owner-pw' });
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /roundtable before: 0\.1\.0 /);
    const s = await snapshot(db);
    assert.equal(s.version, await defaultVersion());
    assert.ok(s.extensions.includes('pg_trgm'));
    assert.deepEqual(s.admins.map((a) => [a.login, a.role]), [['admin', 'owner']]);
  });

  test('--stack (make migrate) takes the stack\'s own connection and secrets', async () => {
    const db = await scratchDb('stack');
    const r = spawnSync(MIGRATE, ['--stack'], {
      encoding: 'utf8',
      timeout: 120000,
      env: { PATH: process.env.PATH, RT_HOME: env.RT_HOME, RT_PG_PORT: env.RT_PG_PORT, RT_REDIS_PORT: env.RT_REDIS_PORT, POSTGRES_DB: db },
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`database ${db} on ${env.RT_PG_SOCKET_DIR.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${env.RT_PG_PORT} as postgres`));
    assert.match(r.stdout, /password unchanged/, 'the stack\'s rt_edge password');
    const edge = await loginAs(db, 'rt_edge', env.POSTGRES_PASSWORD);
    try {
      const a = await edge.query('SELECT rt.admin_login($1, $2) AS a', [env.ADMIN_LOGIN ?? 'admin', env.ADMIN_PASSWORD]);
      assert.equal(a.rows[0].a.role, 'owner', 'the stack\'s admin password works');
    } finally { await edge.end(); }
  });

  test('bad input: a short ADMIN_PASSWORD fails with SQLSTATE 22023 and leaves the database untouched', async () => {
    const db = await scratchDb('short');
    const r = migrate({ POSTGRES_DB: db, ADMIN_PASSWORD: 'short' });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /ERROR: {2}22023: field "password" must be 8 to 72 bytes long/);
    assert.match(r.err, /migration of .* failed/);
    assert.doesNotMatch(r.out, /roundtable after/);
    const ext = await inDb(db, (c) => c.query("SELECT count(*)::int AS n FROM pg_extension WHERE extname = 'roundtable'"));
    assert.equal(ext.rows[0].n, 0, 'one transaction: nothing installed');
  });

  test('bad input: wrong superuser password, no server: clear errors, non-zero exit', async () => {
    const db = await scratchDb('auth');
    const wrong = migrate({ POSTGRES_DB: db, POSTGRES_HOST: '127.0.0.1', POSTGRES_SUPERPASSWORD: 'not-the-password' });
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.err, /password authentication failed for user "postgres"/);
    assert.doesNotMatch(wrong.out + wrong.err, /not-the-password/);
    const none = migrate({ POSTGRES_DB: db, POSTGRES_HOST: '127.0.0.1', POSTGRES_PORT: '1', MIGRATE_WAIT_SEC: '1' });
    assert.notEqual(none.code, 0);
    assert.match(none.err, /PostgreSQL at 127\.0\.0\.1:1 did not accept connections within 1s/);
    const badWait = migrate({ POSTGRES_DB: db, MIGRATE_WAIT_SEC: '1; rm -rf /' });
    assert.notEqual(badWait.code, 0);
    assert.match(badWait.err, /MIGRATE_WAIT_SEC must be a number/);
  });

  test('attack: SQL in ADMIN_LOGIN / ADMIN_PASSWORD / POSTGRES_PASSWORD stays data', async () => {
    const db = await scratchDb('inject');
    const login = "x');DROP/**/TABLE/**/rt.admins;--";
    const password = "p'w\\\" :'admin_login' $$; DROP TABLE rt.admins; --";
    const edgePw = `e'd"g\\e ${process.pid}`;
    const r = migrate({ POSTGRES_DB: db, ADMIN_LOGIN: login, ADMIN_PASSWORD: password, POSTGRES_PASSWORD: edgePw });
    assert.equal(r.code, 0, r.err);
    const s = await snapshot(db);
    assert.deepEqual(s.admins.map((a) => [a.login, a.role]), [[login, 'owner']]);
    const edge = await loginAs(db, 'rt_edge', edgePw);
    try {
      const a = await edge.query('SELECT rt.admin_login($1, $2) AS a', [login, password]);
      assert.equal(a.rows[0].a.login, login);
    } finally { await edge.end(); }
  });
});
