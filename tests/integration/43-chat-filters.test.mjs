// Issue 9 chat list filters and badges over REST: GET /api/chats with type, autoreply, unread,
// mentions, flagged and roundtable (each alone and together, every answer validated against the
// spec), bad values as 400 problem+json naming the parameter, POST /api/chats/{id}/read marking
// the chat read for the calling admin only (a viewer may, 404 for an unknown chat, CSRF needed),
// a new user message unread again, and GET /api/users?chat_id= scoped to one chat.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startEdge, pgSuper, uniqueId, textUpdate } from '../lib/stack.mjs';
import { assertResponse, assertProblem } from '../lib/openapi.mjs';
import { roleClients } from '../lib/api.mjs';

let edge; let as; let db;
before(async () => {
  edge = await startEdge({ name: 'chat-filters' });
  as = await roleClients(edge.url, ['admin', 'viewer']);
  db = await pgSuper();
});
after(async () => {
  await db?.end();
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

let seq = 0;
const tag = `cf${process.pid}${Date.now() % 100000}`;
async function ingest(update) {
  const updateId = 9_100_000_000_000 + (process.pid % 1000) * 1_000_000 + (Date.now() % 100_000) * 10 + (++seq);
  const { rows } = await db.query('SELECT rt.ingest($1::jsonb) AS r', [JSON.stringify([{ update_id: updateId, ...update }])]);
  assert.equal(rows[0].r.stored, 1, JSON.stringify(rows[0].r));
}
async function say({ chatId, userId, chatType = 'group', text }) {
  // one second apart, so the list's order (last activity, then id) is the order of the calls
  const date = Math.floor(Date.now() / 1000) - 600 + ++seq;
  const u = textUpdate({ chatId, userId, text, messageId: seq, date, chatType, firstName: `${tag}u${userId}` });
  if (chatType !== 'private') u.message.chat.title = `${tag} ${chatId}`;
  else u.message.chat.first_name = `${tag} private`;
  await ingest(u);
}

async function list(who, query = '') {
  const res = await as[who].get(`/api/chats?q=${tag}${query}`);
  assertResponse('listChats', res);
  assert.equal(res.status, 200, res.text);
  return res.json.items;
}
const ids = (items) => items.map((c) => c.id);
const byId = (items, id) => items.find((c) => c.id === id);

let group; let priv; let flaggedGroup;
test('seed: a group with two users, a private chat with auto-reply, a flagged group with a round table', async () => {
  group = -uniqueId();
  priv = uniqueId();
  flaggedGroup = -uniqueId();
  await say({ chatId: group, userId: uniqueId(), text: 'one' });
  await say({ chatId: group, userId: uniqueId(), text: 'two' });
  await say({ chatId: priv, userId: priv, chatType: 'private', text: 'hello' });
  await say({ chatId: flaggedGroup, userId: uniqueId(), chatType: 'supergroup', text: 'spam' });
  await db.query('UPDATE rt.chats SET autoreply = true WHERE id = $1', [priv]);
  await db.query("UPDATE rt.messages SET moderation = 'flagged' WHERE chat_id = $1", [flaggedGroup]);
  await db.query('UPDATE rt.chats SET session_id = 987654 WHERE id = $1', [flaggedGroup]);
  await db.query("INSERT INTO rt.notifications (kind, chat_id) VALUES ('mention', $1)", [group]);
});

test('GET /api/chats: every item carries the counts; each filter keeps the chats it names', async () => {
  const all = await list('viewer');
  assert.deepEqual(ids(all), [flaggedGroup, priv, group]);
  assert.deepEqual(
    all.map((c) => [c.unread_count, c.mention_count, c.flagged_count]),
    [[1, 0, 1], [1, 0, 0], [2, 1, 0]],
  );
  assert.deepEqual(ids(await list('viewer', '&type=private')), [priv]);
  assert.deepEqual(ids(await list('viewer', '&type=group')), [flaggedGroup, group]);
  assert.deepEqual(ids(await list('viewer', '&autoreply=true')), [priv]);
  assert.deepEqual(ids(await list('viewer', '&autoreply=false')), [flaggedGroup, group]);
  assert.deepEqual(ids(await list('viewer', '&mentions=true')), [group]);
  assert.deepEqual(ids(await list('viewer', '&flagged=true')), [flaggedGroup]);
  assert.deepEqual(ids(await list('viewer', '&roundtable=true')), [flaggedGroup]);
  assert.deepEqual(ids(await list('viewer', '&type=group&mentions=true&unread=true')), [group]);
});

test('GET /api/chats: a bad filter value is a 400 problem naming the parameter', async () => {
  for (const [query, field] of [
    ['type=channel', 'type'], ['autoreply=yes', 'autoreply'], ['unread=1', 'unread'],
    ['mentions=on', 'mentions'], ['flagged=', 'flagged'], ['roundtable=TRUE', 'roundtable'],
    ['sort=title', 'sort'], ['limit=0', 'limit'],
  ]) {
    const res = await as.viewer.get(`/api/chats?${query}`);
    assertResponse('listChats', res);
    assertProblem(res, 400);
    assert.equal(res.json.field, field, `${query}: ${res.text}`);
  }
});

test('POST /api/chats/{id}/read: a viewer marks a chat read for itself only; new user messages are unread again', async () => {
  const res = await as.viewer.send('POST', `/api/chats/${group}/read`);
  assertResponse('markChatRead', res);
  assert.equal(res.status, 204, res.text);
  assert.equal(byId(await list('viewer'), group).unread_count, 0);
  assert.equal(byId(await list('admin'), group).unread_count, 2, 'the other admin keeps its count');
  assert.deepEqual(ids(await list('viewer', '&unread=true')), [flaggedGroup, priv]);
  assert.deepEqual(ids(await list('admin', '&unread=true')), [flaggedGroup, priv, group]);

  await say({ chatId: group, userId: uniqueId(), text: 'three' });
  const after = await list('viewer');
  assert.equal(after[0].id, group, 'ordered by last activity');
  assert.equal(byId(after, group).unread_count, 1);
  assert.equal(byId(await list('admin'), group).unread_count, 3);
});

test('POST /api/chats/{id}/read: 404 for an unknown chat, 400 for a bad id, 403 without the CSRF token', async () => {
  const missing = await as.viewer.send('POST', `/api/chats/${-uniqueId()}/read`);
  assertResponse('markChatRead', missing);
  assertProblem(missing, 404);
  const bad = await as.viewer.send('POST', '/api/chats/abc/read');
  assertResponse('markChatRead', bad);
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'id');
  const noCsrf = await as.viewer.send('POST', `/api/chats/${group}/read`, undefined, { csrf: undefined });
  assert.equal(noCsrf.status, 403, noCsrf.text);
  assert.equal(byId(await list('viewer'), group).unread_count, 1, 'the refused request marked nothing');
});

test('GET /api/users?chat_id=: only the users who wrote in that chat; a bad id is a 400 naming chat_id', async () => {
  const res = await as.viewer.get(`/api/users?chat_id=${group}&limit=200`);
  assertResponse('listUsers', res);
  assert.equal(res.status, 200, res.text);
  assert.equal(res.json.items.length, 3);
  assert.ok(res.json.items.every((u) => u.first_name?.startsWith(tag)), res.text);
  const priv1 = await as.viewer.get(`/api/users?chat_id=${priv}`);
  assertResponse('listUsers', priv1);
  assert.deepEqual(priv1.json.items.map((u) => u.id), [priv]);
  const bad = await as.viewer.get('/api/users?chat_id=abc');
  assertResponse('listUsers', bad);
  assertProblem(bad, 400);
  assert.equal(bad.json.field, 'chat_id');
});
