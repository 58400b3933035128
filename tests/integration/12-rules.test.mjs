// Issue 3 playbooks, moderation rules, the rule tester and manual moderation through REST:
// CRUD with versions, role refusals (viewer, moderator on rules), flag/unflag/delete of a
// message by a moderator (delete queues telegram.delete), audit actor admin:<id>.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'rules' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

let updateSeq = 0;
async function seedMessage(text = 'plain words') {
  const chatId = uniqueId();
  const updateId = 7_100_000_000_000 + (process.pid % 1000) * 1_000_000 + Date.now() % 1_000_000 * 10 + (++updateSeq);
  const { rows } = await db.query('SELECT rt.ingest($1::jsonb) AS r', [JSON.stringify([textUpdate({ chatId, text, messageId: 1, updateId })])]);
  assert.equal(rows[0].r.stored, 1, JSON.stringify(rows[0].r));
  const m = await db.query('SELECT id FROM rt.messages WHERE chat_id = $1 ORDER BY id DESC LIMIT 1', [chatId]);
  return { chatId, messageId: Number(m.rows[0].id) };
}

test('playbooks: CRUD, list, stale version 409, bad kind 400; viewer and moderator refused', async () => {
  const word = `pbword${uniq()}`;
  const body = { name: `it-playbook-${uniq()}`, pattern: word, pattern_kind: 'word', reply_text: 'fixed reply', priority: 10, stop: true };
  const c = await as.admin.send('POST', '/api/playbooks', body);
  assertResponse('createPlaybook', c);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.reply_text, 'fixed reply');
  assert.equal(c.json.enabled, true);
  const id = c.json.id;

  const g = await as.viewer.get(`/api/playbooks/${id}`);
  assertResponse('getPlaybook', g);
  assert.equal(g.json.pattern, word);
  const l = await as.viewer.get(`/api/playbooks?q=${encodeURIComponent(body.name)}`);
  assertResponse('listPlaybooks', l);
  assert.deepEqual(l.json.items.map((x) => x.id), [id]);

  const u = await as.admin.send('PUT', `/api/playbooks/${id}`, { ...body, priority: 5, version: c.json.version });
  assertResponse('updatePlaybook', u);
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.priority, 5);
  assert.equal(u.json.version, c.json.version + 1);
  const stale = await as.admin.send('PUT', `/api/playbooks/${id}`, { ...body, version: c.json.version });
  assertProblem(stale, 409);
  const bad = await as.admin.send('POST', '/api/playbooks', { ...body, name: `x-${uniq()}`, pattern_kind: 'fuzzy' });
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'pattern_kind');

  for (const who of ['viewer', 'moderator']) {
    const res = await as[who].send('PUT', `/api/playbooks/${id}`, { ...body, priority: 1 });
    assertResponse('updatePlaybook', res);
    assertProblem(res, 403);
  }
  const d = await as.admin.send('DELETE', `/api/playbooks/${id}`);
  assertResponse('deletePlaybook', d);
  assert.equal(d.status, 204);
  assertProblem(await as.viewer.get(`/api/playbooks/${id}`), 404);
});

test('moderation rules: CRUD and the rule tester finds an evasive spelling', async () => {
  const word = `spamword${uniq().replace(/[0-9]/g, 'x')}`;
  const body = { name: `it-rule-${uniq()}`, pattern: word, pattern_kind: 'word', label: 'spam', action: 'flag' };
  const c = await as.admin.send('POST', '/api/moderation/rules', body);
  assertResponse('createModerationRule', c);
  assert.equal(c.status, 201, c.text);
  assert.equal(c.json.evasion, true, 'evasion defaults to true');
  const id = c.json.id;

  const l = await as.viewer.get(`/api/moderation/rules?q=${encodeURIComponent(body.name)}`);
  assertResponse('listModerationRules', l);
  assert.deepEqual(l.json.items.map((x) => x.id), [id]);
  const g = await as.viewer.get(`/api/moderation/rules/${id}`);
  assertResponse('getModerationRule', g);

  const spaced = word.toUpperCase().split('').join(' ');
  const t = await as.viewer.send('POST', '/api/rules/test', { text: `hey ${spaced} now`, rule_set: 'moderation' });
  assertResponse('testRules', t);
  assert.equal(t.status, 200, t.text);
  assert.ok(t.json.matches.some((m) => m.rule_id === id), JSON.stringify(t.json));
  const inside = await as.viewer.send('POST', '/api/rules/test', { text: `pre${word}post`, rule_set: 'moderation' });
  assert.ok(!inside.json.matches.some((m) => m.rule_id === id), 'a whole-word rule does not fire inside a longer word');

  const u = await as.admin.send('PUT', `/api/moderation/rules/${id}`, { ...body, action: 'hide', version: c.json.version });
  assertResponse('updateModerationRule', u);
  assert.equal(u.json.action, 'hide');
  const mod = await as.moderator.send('POST', '/api/moderation/rules', { ...body, name: `m-${uniq()}` });
  assertProblem(mod, 403);
  const d = await as.admin.send('DELETE', `/api/moderation/rules/${id}`);
  assertResponse('deleteModerationRule', d);
  assert.equal(d.status, 204);
});

test('manual moderation: moderator flags, unflags and deletes a message; viewer refused; audit names the admin', async () => {
  const { messageId } = await seedMessage();
  const f = await as.moderator.send('POST', `/api/messages/${messageId}/flag`, { label: 'abuse' });
  assertResponse('flagMessage', f);
  assert.equal(f.status, 200, f.text);
  assert.equal(f.json.moderation, 'flagged');
  assert.ok(f.json.labels.includes('abuse'));

  const v = await as.viewer.send('POST', `/api/messages/${messageId}/flag`, { label: 'x' });
  assertResponse('flagMessage', v);
  assertProblem(v, 403);

  const uf = await as.moderator.send('POST', `/api/messages/${messageId}/unflag`);
  assertResponse('unflagMessage', uf);
  assert.equal(uf.status, 200, uf.text);
  assert.equal(uf.json.moderation, null);

  const del = await as.moderator.send('POST', `/api/messages/${messageId}/delete`);
  assertResponse('deleteMessage', del);
  assert.equal(del.status, 200, del.text);
  assert.equal(del.json.moderation, 'deleted');
  const job = await db.query(`SELECT kind FROM rt.outbox WHERE kind = 'telegram.delete' AND payload->>'message_pk' = $1`, [String(messageId)]);
  assert.equal(job.rows.length, 1, 'delete queues telegram.delete');

  const audit = await as.viewer.get(`/api/audit?actor=${encodeURIComponent(`admin:${as.moderator.admin.id}`)}`);
  assertResponse('listAudit', audit);
  const actions = audit.json.items.map((e) => e.action);
  for (const a of ['flag', 'unflag', 'delete']) assert.ok(actions.some((x) => x.includes(a)), `audit has a ${a}: ${actions}`);

  const unknown = await as.moderator.send('POST', '/api/messages/999999999999/flag', { label: 'x' });
  assertProblem(unknown, 404);
});
