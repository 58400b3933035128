// Issue 9 names: the REST answers carry names next to the ids (AuditEntry actor_name /
// target_name, Binding target_name / created_by_name, Notification chat_title / user_name /
// rule_name), validated against openapi.yaml (additionalProperties: false), live over the
// WebSocket too; a playbook's binding is the rule's act, not the edge's (db:rt_edge); the audit
// actor filter takes a login, "system" and "rule".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { openWs } from '../lib/http.mjs';
import { assertResponse, assertSchema } from '../lib/openapi.mjs';
import { roleClients, uniq } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'names' });
  as = await roleClients(edge.url);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** rt.ingest as the edge's worker does it: role rt_edge, no rt.actor. */
async function ingestAsEdge(update) {
  await db.query('BEGIN');
  try {
    await db.query('SET LOCAL ROLE rt_edge');
    const { rows } = await db.query('SELECT rt.ingest($1::jsonb) AS r', [JSON.stringify([update])]);
    await db.query('COMMIT');
    return rows[0].r;
  } catch (e) {
    await db.query('ROLLBACK');
    throw e;
  }
}

test("a playbook's binding is audited as the rule and named in the audit log and the bindings list", async () => {
  const tag = uniq();
  const preset = await as.admin.send('POST', '/api/presets', { name: `names preset ${tag}`, temperature: 0.3 });
  assert.equal(preset.status, 201, preset.text);
  const word = `names${tag}`;
  const pb = await as.admin.send('POST', '/api/playbooks', {
    name: `names playbook ${tag}`, pattern: word, pattern_kind: 'word', preset_id: preset.json.id, preset_hours: 1, chat_ids: null,
  });
  assertResponse('createPlaybook', pb);
  assert.equal(pb.status, 201, pb.text);

  const chatId = -uniqueId();
  await ingestAsEdge(textUpdate({ chatId, userId: uniqueId(), chatType: 'supergroup', text: `tell me ${word}`, messageId: 1, updateId: uniqueId(), firstName: 'Вера' }));

  const audit = await as.viewer.get('/api/audit?actor=rule&action=binding&limit=200');
  assertResponse('listAudit', audit);
  assert.equal(audit.status, 200, audit.text);
  const entry = audit.json.items.find((e) => e.after?.chat_id === chatId);
  assert.ok(entry, `no rule entry for the binding: ${audit.text}`);
  assert.equal(entry.actor, `rule:playbook:${pb.json.id}`, 'the rule acted, not db:rt_edge');
  assert.equal(entry.actor_name, `rule: names playbook ${tag}`);
  assert.equal(entry.target_name, `names preset ${tag} → Group ${chatId}`);

  const bindings = await as.viewer.get('/api/bindings?limit=200');
  assertResponse('listBindings', bindings);
  const b = bindings.json.items.find((x) => x.chat_id === chatId);
  assert.ok(b, bindings.text);
  assert.equal(b.target_name, `Group ${chatId}`);
  assert.equal(b.created_by, `playbook:${pb.json.id}`);
  assert.equal(b.created_by_name, `rule: names playbook ${tag}`);
});

test("admins' entries name the admin and the object, also after it is deleted; actor filter by login", async () => {
  const tag = uniq();
  const preset = await as.admin.send('POST', '/api/presets', { name: `names gone ${tag}` });
  assert.equal(preset.status, 201, preset.text);
  const del = await as.admin.send('DELETE', `/api/presets/${preset.json.id}`);
  assert.equal(del.status, 204, del.text);

  const res = await as.viewer.get(`/api/audit?actor=${encodeURIComponent(as.admin.creds.login)}&target=preset:${preset.json.id}`);
  assertResponse('listAudit', res);
  assert.equal(res.status, 200, res.text);
  assert.deepEqual(res.json.items.map((e) => e.action), ['preset.delete', 'preset.insert']);
  for (const e of res.json.items) {
    assert.equal(e.actor, `admin:${as.admin.admin.id}`);
    assert.equal(e.actor_name, as.admin.creds.login);
    assert.equal(e.target_name, `names gone ${tag}`, 'the deleted preset keeps its name');
  }
});

test('a mention notification names its chat and sender, in the list and live', async () => {
  const { rows } = await db.query("SELECT rt.setting('bot.username') #>> '{}' AS u");
  const bot = rows[0].u;
  assert.ok(bot, 'the edge stored the bot username');
  const chatId = -uniqueId();
  const userId = uniqueId();
  const ws = await openWs(edge.url, as.viewer.session.cookie);
  try {
    await ws.next((m) => m.type === 'hello');
    const text = `@${bot} помогите ${uniq()}`;
    const update = textUpdate({ chatId, userId, chatType: 'supergroup', text, messageId: 7, updateId: uniqueId(), firstName: 'Олег' });
    update.message.entities = [{ type: 'mention', offset: 0, length: bot.length + 1 }];
    await ingestAsEdge(update);
    const ev = await ws.next((m) => m.type === 'notification.created' && m.data?.chat_id === chatId, 10000);
    assertSchema('Notification', ev.data);
    assert.equal(ev.data.kind, 'mention');
    assert.equal(ev.data.chat_title, `Group ${chatId}`);
    assert.equal(ev.data.user_name, 'Олег');
    assert.equal(ev.data.rule_name, null);
  } finally {
    await ws.close();
  }
  const list = await as.viewer.get('/api/notifications?kind=mention&limit=200');
  assertResponse('listNotifications', list);
  const n = list.json.items.find((x) => x.chat_id === chatId);
  assert.ok(n, list.text);
  assert.equal(n.chat_title, `Group ${chatId}`);
  assert.equal(n.user_name, 'Олег');
});
