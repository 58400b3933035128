// The rt-edge half of tests/backup/run.sh: drives a real rt-edge (the ASan build of the test run)
// over REST and Redis, against the database and Redis the caller names.
//   node tests/backup/edge-steps.mjs populate   fills the source database through the real path
//   node tests/backup/edge-steps.mjs verify     proves the restored database ingests, serves and replies
// Environment: the stack's (scripts/stack.sh env) plus BACKUP_EDGE_ENV, a JSON object of variables
// for rt-edge (POSTGRES_HOST/PORT/DB, REDIS_URL), and BACKUP_STATE, a JSON file both steps share
// (chat ids, texts). Prints "ok - ..." / "not ok - ..." lines; exits 1 when any check failed.
import fs from 'node:fs';
import Redis from 'ioredis';
import { startEdge, textUpdate } from '../lib/stack.mjs';
import { request, login, waitFor } from '../lib/http.mjs';
import { assertResponse } from '../lib/openapi.mjs';

const mode = process.argv[2];
const edgeEnv = JSON.parse(process.env.BACKUP_EDGE_ENV ?? '{}');
const statePath = process.env.BACKUP_STATE;
let failed = 0;

async function check(name, fn) {
  try {
    await fn();
    console.log(`ok - ${name}`);
  } catch (e) {
    failed++;
    console.log(`not ok - ${name}`);
    console.log(String(e?.stack ?? e).split('\n').slice(0, 12).map((l) => `    ${l}`).join('\n'));
  }
}
function must(cond, what) {
  if (!cond) throw new Error(what);
}

const edge = await startEdge({ name: `backup-${mode}`, env: edgeEnv });
const s = await login(edge.url);
const api = {
  get: (p) => request(edge.url, 'GET', p, { cookie: s.cookie }),
  send: (m, p, json) => request(edge.url, m, p, { cookie: s.cookie, csrf: s.csrf, json }),
};
const history = async (chatId) => {
  const r = await api.get(`/api/messages?chat_id=${chatId}&limit=500`);
  assertResponse('listMessages', r);
  must(r.status === 200, `GET /api/messages: ${r.status} ${r.text}`);
  return r.json.items;
};
const simulate = async (body) => {
  const r = await api.send('POST', '/api/simulator/messages', body);
  assertResponse('simulateMessage', r);
  must(r.status === 202, `simulator: ${r.status} ${r.text}`);
  return r.json;
};
const storedText = (chatId, text) => waitFor(async () => (await history(chatId)).find((m) => m.text === text),
  { timeoutMs: 30000, what: `"${text}" stored in chat ${chatId}` });
const botReplyTo = (chatId, pk) => waitFor(async () => (await history(chatId)).find((m) => m.direction === 'out' && m.in_reply_to === pk),
  { timeoutMs: 45000, intervalMs: 200, what: `the bot's auto-reply to message ${pk} in chat ${chatId}` });

try {
  if (mode === 'populate') {
    const base = 880000000 + (process.pid % 10000) * 10;
    const st = { privateChat: base + 1, groupChat: -(base + 2), texts: [] };
    await check('populate: simulated messages in a private chat and a group are stored', async () => {
      for (const [chat, user, text] of [[st.privateChat, st.privateChat, 'backup: hello from Ada'],
        [st.privateChat, st.privateChat, 'backup: second line'], [st.groupChat, base + 3, 'backup: group hello']]) {
        await simulate({ chat_id: chat, user_id: user, first_name: 'Ada', username: 'ada_backup', text,
          ...(chat < 0 ? { chat_title: 'Backup group' } : {}) });
        await storedText(chat, text);
        st.texts.push(text);
      }
    });
    await check('populate: auto-reply with the demo provider answers in the private chat', async () => {
      const providers = await api.get('/api/providers');
      must(providers.status === 200, providers.text);
      const list = Array.isArray(providers.json) ? providers.json : providers.json.items;
      const demo = list.find((p) => p.type === 'demo' && p.enabled);
      must(demo, `no enabled demo provider: ${providers.text.slice(0, 300)}`);
      const patch = await api.send('PATCH', `/api/chats/${st.privateChat}`, { autoreply: true, provider_id: demo.id });
      assertResponse('updateChat', patch);
      must(patch.status === 200, `PATCH chat: ${patch.text}`);
      await simulate({ chat_id: st.privateChat, user_id: st.privateChat, first_name: 'Ada', text: 'backup: what is a backup?' });
      const q = await storedText(st.privateChat, 'backup: what is a backup?');
      const reply = await botReplyTo(st.privateChat, q.id);
      must(reply.text && reply.text.length > 0, `empty bot reply ${JSON.stringify(reply)}`);
      st.texts.push(q.text);
      st.botReply = reply.text;
    });
    await check('populate: an admin sends a message by hand', async () => {
      const r = await api.send('POST', '/api/messages', { chat_id: st.groupChat, text: 'backup: the admin speaks' });
      assertResponse('sendMessage', r);
      must(r.status === 202, `POST /api/messages: ${r.status} ${r.text}`);
      await storedText(st.groupChat, 'backup: the admin speaks');
      st.texts.push('backup: the admin speaks');
    });
    await check('populate: a preset, a moderation rule and a provider are created', async () => {
      const p = await api.send('POST', '/api/presets', { name: `backup-preset-${base}`, temperature: 0.3 });
      must(p.status === 201, `POST /api/presets: ${p.status} ${p.text}`);
      const m = await api.send('POST', '/api/moderation/rules', { name: `backup-rule-${base}`, pattern: 'spamword',
        pattern_kind: 'word', label: 'spam', action: 'flag' });
      must(m.status === 201, `POST /api/moderation/rules: ${m.status} ${m.text}`);
      const v = await api.send('POST', '/api/providers', { name: `backup-demo-${base}`, type: 'demo', model_id: 'demo-2', enabled: false });
      must(v.status === 201, `POST /api/providers: ${v.status} ${v.text}`);
    });
    await check('populate: updates XADDed to {rt}:in from 2023 and two months ahead land in other partitions', async () => {
      const redis = new Redis(edgeEnv.REDIS_URL, { maxRetriesPerRequest: 2 });
      try {
        const ahead = Math.floor(Date.now() / 1000) + 62 * 86400;
        for (const [date, text, id] of [[1700000000, 'backup: from 2023', 1], [ahead, 'backup: from two months ahead', 2]]) {
          const u = textUpdate({ chatId: st.privateChat, text, messageId: 100 + id, date, updateId: st.privateChat * 10 + id, firstName: 'Ada' });
          await redis.xadd('{rt}:in', '*', 'u', JSON.stringify(u));
          await storedText(st.privateChat, text);
          st.texts.push(text);
        }
      } finally {
        redis.disconnect();
      }
    });
    fs.writeFileSync(statePath, JSON.stringify(st));
  } else if (mode === 'verify') {
    const st = JSON.parse(fs.readFileSync(statePath, 'utf8'));
    await check('restored: REST history of the chats holds every message of the source, the bot\'s reply too', async () => {
      const texts = [...(await history(st.privateChat)), ...(await history(st.groupChat))].map((m) => m.text);
      for (const t of [...st.texts, st.botReply]) must(texts.includes(t), `"${t}" missing from ${JSON.stringify(texts)}`);
    });
    await check('restored: the chat list serves both chats', async () => {
      const r = await api.get('/api/chats?limit=200');
      assertResponse('listChats', r);
      must(r.status === 200, r.text);
      const ids = (r.json.items ?? r.json).map((c) => c.id);
      for (const id of [st.privateChat, st.groupChat]) must(ids.includes(id), `chat ${id} not in ${JSON.stringify(ids)}`);
    });
    await check('restored: the simulator goes on (its ids come from the restored database, not the fresh Redis) and the bot auto-replies', async () => {
      // rt.sim_ids is in the dump: the next id is past every simulated update restored, so
      // rt.ingest does not drop it as a duplicate although this Redis has never seen the old ones.
      const { update_id: next } = await simulate({ chat_id: st.privateChat, user_id: st.privateChat, first_name: 'Ada',
        text: 'backup: after the restore' });
      const restored = await history(st.privateChat);
      const maxRestored = Math.max(...restored.filter((x) => x.update_id != null).map((x) => Number(x.update_id)));
      must(next > maxRestored, `the simulator's next update id ${next} is past the restored ${maxRestored}`);
      const m = await storedText(st.privateChat, 'backup: after the restore');
      const reply = await botReplyTo(st.privateChat, m.id);
      must(reply.text && reply.text.length > 0, 'empty bot reply');
      const texts = (await history(st.privateChat)).map((x) => x.text);
      must(texts.includes('backup: hello from Ada') && texts.includes('backup: after the restore'),
        'history does not hold the old and the new message together');
      st.afterRestoreId = m.id;
    });
    fs.writeFileSync(statePath, JSON.stringify(st));
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} finally {
  const exit = await edge.stop();
  if (exit.code !== 0) {
    failed++;
    console.log(`not ok - rt-edge (${mode}) stops cleanly on SIGTERM: ${JSON.stringify(exit)}, log ${edge.logPath}`);
  }
  const log = edge.log();
  if (/ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:/.test(log)) {
    failed++;
    console.log(`not ok - rt-edge (${mode}) log has sanitizer reports: ${edge.logPath}`);
  }
}
process.exit(failed ? 1 : 0);
