// Redis Cluster readiness of rt-edge's keys (docs/operations/scaling.md). In a Cluster every key
// one command, MULTI/EXEC transaction or Lua script touches must hash to one slot (CRC16 of the
// key, or of its {hash tag}, mod 16384), else Redis answers CROSSSLOT. This file:
//  - checks the CRC16/slot function against the Redis Cluster specification's vectors;
//  - reads the key names from edge/src/edge_keys.h and, for each place in edge/src that uses
//    several keys in one command, checks that their slots are one (every name carries the hash
//    tag {rt}, so all keys share one slot); a mutated edge_keys.h with one name outside the tag
//    shows the check fails then;
//  - fails when edge/src gains a multi-key EVAL or a MULTI that this list does not know, so the
//    list (and the document) cannot silently fall behind the code.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(ROOT, 'edge/src');

/** CRC16-CCITT (XModem), the one Redis Cluster uses. */
function crc16(buf) {
  let crc = 0;
  for (const b of buf) {
    crc ^= b << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}
/** The hash slot of a key: only the part inside the first non-empty {...} when there is one. */
export function slot(key) {
  const s = key.indexOf('{');
  if (s >= 0) {
    const e = key.indexOf('}', s + 1);
    if (e > s + 1) key = key.slice(s + 1, e);
  }
  return crc16(Buffer.from(key, 'utf8')) % 16384;
}

const keysH = fs.readFileSync(path.join(SRC, 'edge_keys.h'), 'utf8');
/** EDGE_KEY_* name -> value, from the text of an edge_keys.h. */
const keyNames = (text) => Object.fromEntries([...text.matchAll(/#define (EDGE_KEY_\w+) "([^"]*)"/g)].map((m) => [m[1], m[2]]));
const K = keyNames(keysH);

test('CRC16 slot function matches the Redis Cluster specification', () => {
  assert.equal(crc16(Buffer.from('123456789')), 0x31c3);
  assert.equal(slot('foo'), 12182);
  assert.equal(slot('{user1000}.following'), slot('{user1000}.followers'));
  assert.equal(slot('foo{}{bar}'), crc16(Buffer.from('foo{}{bar}')) % 16384, 'an empty first tag: the whole key');
  assert.equal(slot('foo{{bar}}zap'), slot('{bar'), 'the tag ends at the first }');
  assert.equal(slot('foo{bar}{zap}'), slot('bar'), 'only the first tag counts');
});

// Every place in edge/src where one command, transaction or script uses several keys.
// Sample ids stand for the variable parts (a token, an admin id, a login hash, an address).
const groupsOf = (K) => [
  { where: 'edge_telegram.c store_entries: MULTI, XADD {rt}:in per update, SET {rt}:tg:offset, EXEC',
    keys: [K.EDGE_KEY_IN, K.EDGE_KEY_TG_OFFSET] },
  { where: 'edge_ingest.c DEAD_SCRIPT: XRANGE + XACK on {rt}:in, XADD to {rt}:dead',
    keys: [K.EDGE_KEY_IN, K.EDGE_KEY_DEAD] },
  { where: 'edge_auth.c count_script / settle_script: the login limiter\'s account and address records',
    keys: [`${K.EDGE_KEY_LOGIN_ACCOUNT_PREFIX}9f86d081884c7d65`, `${K.EDGE_KEY_LOGIN_ADDR_PREFIX}203.0.113.7`] },
  { where: 'edge_auth.c save_script / slide_script: a session and its admin\'s session index',
    keys: [`${K.EDGE_KEY_SESSION_PREFIX}a1b2c3`, `${K.EDGE_KEY_ADMIN_SESSIONS_PREFIX}3`] },
  { where: 'edge_auth.c revoke_script / stale_script: the index (declared) and every session in it (built from ARGV in the script)',
    keys: [`${K.EDGE_KEY_ADMIN_SESSIONS_PREFIX}3`, `${K.EDGE_KEY_SESSION_PREFIX}a1b2c3`, `${K.EDGE_KEY_SESSION_PREFIX}d4e5f6`] },
  { where: 'edge_ws.c recheck_script: the sessions of many WebSocket clients in one EVAL',
    keys: [`${K.EDGE_KEY_SESSION_PREFIX}a1b2c3`, `${K.EDGE_KEY_SESSION_PREFIX}d4e5f6`] },
];

/** The groups whose keys do not share one slot, as "where: key=slot, ...". */
function crossSlot(K) {
  const bad = [];
  for (const g of groupsOf(K)) {
    const slots = g.keys.map(slot);
    if (g.keys.some((k) => typeof k !== 'string' || k.startsWith('undefined'))) bad.push(`${g.where}: a name is missing from edge_keys.h`);
    else if (!slots.every((s) => s === slots[0])) bad.push(`${g.where}: ${g.keys.map((k, i) => `${k}=${slots[i]}`).join(', ')}`);
  }
  return bad;
}

for (const g of groupsOf(K)) {
  test(`one slot: ${g.where}`, () => {
    const slots = g.keys.map(slot);
    assert.ok(slots.every((s) => s === slots[0]), `CROSSSLOT in Redis Cluster: ${g.keys.map((k, i) => `${k} -> ${slots[i]}`).join(', ')}`);
  });
}

test('every key name in edge_keys.h carries the hash tag {rt}, so keys of any command share one slot', () => {
  assert.ok(Object.keys(K).length >= 12, `edge_keys.h names ${Object.keys(K).length} keys`);
  const untagged = Object.entries(K).filter(([, v]) => !v.startsWith('{rt}:')).map(([n, v]) => `${n}=${v}`);
  assert.deepEqual(untagged, []);
  assert.equal(new Set(Object.values(K).map((v) => slot(`${v}x`))).size, 1, 'one slot for all');
  assert.deepEqual(crossSlot(K), []);
});

test('the check fails on a mutated edge_keys.h with a key outside the tag', () => {
  // what someone adding a name the old way would write: rt:dead without the tag
  const mutated = keysH.replace(/#define EDGE_KEY_DEAD "[^"]*"/, '#define EDGE_KEY_DEAD "rt:dead"');
  assert.notEqual(mutated, keysH);
  const bad = crossSlot(keyNames(mutated));
  assert.equal(bad.length, 1, bad.join('\n'));
  assert.match(bad[0], /^edge_ingest\.c DEAD_SCRIPT: .*: \{rt\}:in=\d+, rt:dead=\d+$/);
  // a session prefix with its own tag breaks the session groups
  const own = keysH.replace(/#define EDGE_KEY_SESSION_PREFIX "[^"]*"/, '#define EDGE_KEY_SESSION_PREFIX "{session}:"');
  assert.equal(crossSlot(keyNames(own)).length, 2, 'save/slide and revoke/stale (recheck has only sessions)');
  // the names before 0.5.0 (no tag): every group was CROSSSLOT
  const old = keysH.replace(/"\{rt\}:/g, '"rt:');
  assert.equal(crossSlot(keyNames(old)).length, groupsOf(K).length);
});

test('every multi-key EVAL and MULTI in edge/src is one of the groups above', () => {
  const found = [];
  for (const f of fs.readdirSync(SRC).filter((n) => n.endsWith('.c'))) {
    const src = fs.readFileSync(path.join(SRC, f), 'utf8');
    for (const m of src.matchAll(/"EVAL",\s*(\w+),\s*("(\d+)"|\w+)/g)) {
      const n = m[3] === undefined ? 'n' : m[3];
      if (n === '0' || n === '1') {
        // one declared key: multi-key only when the script builds more keys from ARGV
        if (/revoke_script|stale_script/.test(m[1])) found.push(`${f}:${m[1]}`);
        continue;
      }
      found.push(`${f}:${m[1]}`);
    }
    // an EVAL built in an argv array: argv[0] = "EVAL"; argv[1] = script; argv[2] = key count
    for (const m of src.matchAll(/argv\[0\]\s*=\s*"EVAL";\s*argv\[1\]\s*=\s*(\w+);\s*argv\[2\]\s*=\s*(\w+)/g)) found.push(`${f}:${m[1]}`);
    if (/\{\s*"MULTI"\s*\}/.test(src)) found.push(`${f}:MULTI`);
  }
  const known = new Set(['edge_telegram.c:MULTI', 'edge_ingest.c:DEAD_SCRIPT', 'edge_auth.c:count_script',
    'edge_auth.c:settle_script', 'edge_auth.c:save_script', 'edge_auth.c:slide_script',
    'edge_auth.c:revoke_script', 'edge_auth.c:stale_script', 'edge_ws.c:recheck_script']);
  const unknown = [...new Set(found)].filter((x) => !known.has(x));
  assert.deepEqual(unknown, [], `multi-key Redis commands not in GROUPS (add them, and to docs/operations/scaling.md): ${unknown.join(', ')}`);
  const gone = [...known].filter((x) => !found.includes(x));
  assert.deepEqual(gone, [], `GROUPS lists commands edge/src no longer has: ${gone.join(', ')}`);
});
