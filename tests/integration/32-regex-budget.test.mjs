// Issue 7, "Nothing a user sends may stall everyone — regex rules": the review's rule
// ^((a+)\2)+y plus one 51-character message stalled ingest for every chat for 15 s, and the
// rule tester let any viewer burn CPU the same way. Now:
//   * saving a rule with a back-reference or lookaround answers 400 naming `pattern`
//     (moderation rules and playbooks, create and update);
//   * the rule tester gives a bounded answer that names a rule it skipped for its budget;
//   * through the real ingest path (simulator -> {rt}:in -> rt.ingest), the review's message
//     against a back-reference rule saved before the upgrade, and a long message against a
//     heavy but allowed rule, are stored while another chat's messages keep flowing; the
//     heavy rule is skipped and the admins are told.
// rt_edge's sessions get roundtable.regex_budget_ms = 1 (ALTER ROLE, reset after), so the
// heavy rule reliably runs out; no timing is asserted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId } from '../lib/stack.mjs';
import { waitFor } from '../lib/http.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';

const EVIL = '^((a+)\\2)+y';
const HEAVY = '[ab]*a[ab]{250}[ab]{250}[ab]{250}[ab]{250}y';

let edge; let as; let db;
before(async () => {
  db = await pgSuper();
  await db.query("SELECT rt.normalize('x')"); // loads the extension, so the setting is known
  await db.query('ALTER ROLE rt_edge SET roundtable.regex_budget_ms = 1');
  edge = await startEdge({ name: 'regex-budget' });
  as = await roleClients(edge.url);
});
after(async () => {
  await db?.query('ALTER ROLE rt_edge RESET roundtable.regex_budget_ms');
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** A pseudo-random a/b text: every character is a DFA cache miss for HEAVY. */
function abText(n) {
  let x = 12345; let s = '';
  for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) % 2147483648; s += (x >> 16) & 1 ? 'a' : 'b'; }
  return s;
}

test('a back-reference or lookaround rule is refused with 400 naming pattern', async () => {
  const body = { name: `it-evil-${uniq()}`, pattern: EVIL, pattern_kind: 'regex', label: 'spam', action: 'flag' };
  const c = await as.admin.send('POST', '/api/moderation/rules', body);
  assertResponse('createModerationRule', c);
  assertProblem(c, 400);
  assert.equal(c.json.field, 'pattern', c.text);
  assert.match(c.json.detail, /back-reference/);

  const look = await as.admin.send('POST', '/api/moderation/rules', { ...body, pattern: '(?=.*(?=.*x))' });
  assertResponse('createModerationRule', look);
  assertProblem(look, 400);
  assert.equal(look.json.field, 'pattern');
  assert.match(look.json.detail, /lookahead or lookbehind/);

  const pb = await as.admin.send('POST', '/api/playbooks', { name: `it-evil-${uniq()}`, pattern: EVIL, pattern_kind: 'regex', reply_text: 'x' });
  assertResponse('createPlaybook', pb);
  assertProblem(pb, 400);
  assert.equal(pb.json.field, 'pattern');

  const ok = await as.admin.send('POST', '/api/moderation/rules', { ...body, pattern: 'casino|poker' });
  assertResponse('createModerationRule', ok);
  assert.equal(ok.status, 201, ok.text);
  const upd = await as.admin.send('PUT', `/api/moderation/rules/${ok.json.id}`, { pattern: '(a)\\1', version: ok.json.version });
  assertResponse('updateModerationRule', upd);
  assertProblem(upd, 400);
  assert.equal(upd.json.field, 'pattern');
  assertResponse('deleteModerationRule', await as.admin.send('DELETE', `/api/moderation/rules/${ok.json.id}`));
});

test('the rule tester answers an evil text with a bounded result naming the skipped rule', async () => {
  const heavy = await as.admin.send('POST', '/api/moderation/rules',
    { name: `it-heavy-${uniq()}`, pattern: HEAVY, pattern_kind: 'regex', label: 'heavy', action: 'flag' });
  assert.equal(heavy.status, 201, heavy.text);
  // a rule saved before the upgrade: straight into the table, as the API now refuses it
  const { rows } = await db.query(
    "INSERT INTO rt.moderation_rules (name, pattern, pattern_kind, label) VALUES ($1, $2, 'regex', 'old') RETURNING id",
    [`it-old-evil-${uniq()}`, EVIL]);
  const evilId = Number(rows[0].id);
  try {
    const t = await as.viewer.send('POST', '/api/rules/test', { text: abText(4096), rule_set: 'moderation' });
    assertResponse('testRules', t);
    assert.equal(t.status, 200, t.text);
    assert.ok(t.json.budget_exceeded?.includes(heavy.json.id), `the heavy rule is named as skipped: ${t.text.slice(0, 300)}`);
    assert.ok(!t.json.matches.some((m) => m.rule_id === heavy.json.id));

    const e = await as.viewer.send('POST', '/api/rules/test', { text: `${'a'.repeat(51)}y`, rule_set: 'moderation' });
    assertResponse('testRules', e);
    assert.equal(e.status, 200, e.text);
    assert.ok(!e.json.matches.some((m) => m.rule_id === evilId), 'the back-reference rule never runs');
  } finally {
    await db.query('DELETE FROM rt.moderation_rules WHERE id = ANY($1)', [[evilId, heavy.json.id]]);
  }
});

test('ingest: the review\'s message (longer) and a heavy one are stored while another chat flows', { timeout: 120000 }, async () => {
  const heavy = await as.admin.send('POST', '/api/moderation/rules',
    { name: `it-heavy-${uniq()}`, pattern: HEAVY, pattern_kind: 'regex', label: 'heavy', action: 'flag' });
  assert.equal(heavy.status, 201, heavy.text);
  const cheap = await as.admin.send('POST', '/api/moderation/rules',
    { name: `it-cheap-${uniq()}`, pattern: 'b{3}', pattern_kind: 'regex', label: 'cheap', action: 'flag' });
  assert.equal(cheap.status, 201, cheap.text);
  const { rows } = await db.query(
    "INSERT INTO rt.moderation_rules (name, pattern, pattern_kind, label) VALUES ($1, $2, 'regex', 'old') RETURNING id",
    [`it-old-evil-${uniq()}`, EVIL]);
  const evilId = Number(rows[0].id);
  const chatA = uniqueId(); const chatB = uniqueId();
  const send = async (chatId, text) => {
    const r = await as.admin.send('POST', '/api/simulator/messages', { chat_id: chatId, user_id: chatId, first_name: 'Spam', text });
    assertResponse('simulateMessage', r);
    assert.equal(r.status, 202, r.text);
  };
  try {
    // the review's message, ten characters longer: before the fix this alone held rt.ingest
    // for every chat for about ten minutes (time doubles every two characters; 51 took ~20 s)
    await send(chatA, `${'a'.repeat(61)}y`);
    await send(chatB, 'hello bbb 1');
    await send(chatA, abText(4096));
    for (let i = 2; i <= 5; i++) await send(chatB, `hello bbb ${i}`);

    const stored = async (chatId) => (await db.query(
      'SELECT text, labels FROM rt.messages WHERE chat_id = $1 ORDER BY message_id', [chatId])).rows;
    await waitFor(async () => (await stored(chatA)).length === 2 && (await stored(chatB)).length === 5,
      { timeoutMs: 60000, what: 'both chats\' messages stored' });
    const b = await stored(chatB);
    assert.deepEqual(b.map((m) => m.labels), Array(5).fill(['cheap']), 'the other chat was moderated as usual');
    const a = await stored(chatA);
    assert.equal(a[0].text, `${'a'.repeat(61)}y`);
    assert.ok(!a[1].labels.includes('heavy'), 'the heavy rule was skipped for the long message');
    assert.ok(a[1].labels.includes('cheap'), 'the other rules still applied to it');

    const notes = await db.query(
      "SELECT payload FROM rt.notifications WHERE kind = 'error' AND payload->>'source' = 'matcher' AND (payload->>'rule_id')::bigint = ANY($1)",
      [[heavy.json.id, evilId]]);
    const reasons = notes.rows.map((n) => `${n.payload.rule_id}:${n.payload.reason}`).sort();
    assert.ok(reasons.includes(`${heavy.json.id}:regex_budget`), `heavy rule reported: ${reasons}`);
    assert.ok(reasons.includes(`${evilId}:regex_refused`), `old back-reference rule reported: ${reasons}`);
  } finally {
    await db.query('DELETE FROM rt.moderation_rules WHERE id = ANY($1)', [[evilId, heavy.json.id, cheap.json.id]]);
  }
});

test('a user cancel still stops a match the budget lets run', { timeout: 60000 }, async () => {
  const { rows } = await db.query(
    "INSERT INTO rt.moderation_rules (name, pattern, pattern_kind, label) VALUES ($1, $2, 'regex', 'heavy') RETURNING id",
    [`it-heavy-${uniq()}`, HEAVY]);
  const heavyId = Number(rows[0].id);
  const worker = await pgSuper();
  try {
    await worker.query('SET roundtable.regex_budget_ms = 60000');
    const { rows: [{ pid }] } = await worker.query('SELECT pg_backend_pid() AS pid');
    await worker.query('CREATE TEMP TABLE long_text (t text)');
    await worker.query('INSERT INTO long_text VALUES ($1)', [abText(262144)]);
    // seconds of matching, far below the budget. A query without parameters goes by the simple
    // protocol, which reports "active" only once the whole query has been read: a cancel sent
    // while an extended-protocol Bind is still being read would be dropped by PostgreSQL.
    const running = worker.query('SELECT rt.moderation_verdict(NULL, t) AS v FROM long_text')
      .then(() => 'finished', (e) => e.code);
    await waitFor(async () => (await db.query(
      "SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%moderation_verdict%'", [pid])).rowCount === 1,
    { timeoutMs: 20000, intervalMs: 20, what: 'the match running' });
    await db.query('SELECT pg_cancel_backend($1)', [pid]);
    assert.equal(await running, '57014', 'pg_cancel_backend cancels it');
    const after = await worker.query("SELECT rt.moderation_verdict(NULL, 'bbb') AS v");
    assert.ok(after.rows[0].v, 'the session goes on: no cancel is left pending');
  } finally {
    await worker.end();
    await db.query('DELETE FROM rt.moderation_rules WHERE id = $1', [heavyId]);
  }
});
