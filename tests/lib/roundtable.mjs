// Helpers for the round-table suites (40, 41): the two debaters on one fake OpenAI-compatible
// server ("ChatGPT" = gpt-4o-mini speaking as Оптимист, "DeepSeek" = deepseek-chat as Скептик,
// created over REST at positions before every other provider), the round table's settings, a
// user's commands through the fake Telegram, and what a chat was sent.
import assert from 'node:assert/strict';
import { DEFAULT_KEY } from '../fakes/llm.mjs';
import { textUpdate } from './stack.mjs';
import { uniq } from './api.mjs';
import { waitFor } from './http.mjs';
import { PRICES } from './delivery.mjs';

/** The contract's Russian defaults the suites look for (bot.texts). */
export const TEXTS = {
  welcome: 'Здравствуйте! Я устраиваю круглый стол нейросетей',
  ask_topic: 'О чём поговорим? Напишите тему обсуждения одним сообщением.',
  button_new: 'Новое обсуждение',
  button_stop: 'Остановить диалог',
  button_donate: 'Отблагодарить создателя',
  ended_rounds_done: 'Обсуждение завершено: все раунды пройдены',
  ended_timeout: 'Обсуждение прервано: модель не ответила вовремя.',
  ended_token_limit: 'Обсуждение завершено: исчерпан лимит токенов.',
  ended_cost_limit: 'Обсуждение завершено: исчерпан лимит стоимости.',
  ended_stopped_by_user: 'Обсуждение остановлено по вашей команде.',
  ended_stopped_by_admin: 'Обсуждение остановлено администратором.',
  excluded: 'исключён из обсуждения',
  donate: 'Спасибо, что хотите поддержать проект!',
  donate_button: 'Поддержать',
  donate_unavailable: 'Спасибо! Ссылка для поддержки пока не настроена.',
};

export const ROUNDTABLE_SETTINGS = ['roundtable.max_rounds', 'roundtable.turn_timeout_sec', 'roundtable.max_tokens',
  'roundtable.max_cost', 'payment.url'];

/** The seeded personalities by title. */
export async function personalities(api) {
  const res = await api.get('/api/personalities?limit=200');
  assert.equal(res.status, 200, res.text);
  const by = Object.fromEntries(res.json.items.map((p) => [p.title, p]));
  assert.ok(by['Оптимист'] && by['Скептик'], `the seed's personalities: ${res.text.slice(0, 300)}`);
  return by;
}

/**
 * The two debaters on the fake: every other enabled non-demo provider is switched off first
 * (restored by the returned cleanup), so the session's participants are exactly these two.
 */
export async function debaters(api, db, llm) {
  const p = await personalities(api);
  const was = (await db.query("SELECT id FROM rt.providers WHERE enabled AND type <> 'demo'")).rows.map((r) => Number(r.id));
  if (was.length) await db.query('UPDATE rt.providers SET enabled = false WHERE id = ANY($1)', [was]);
  const make = async (name, model, personality, position) => {
    const res = await api.send('POST', '/api/providers', { name, type: 'openai_compatible', base_url: `${llm.url}/v1`, model_id: model,
      api_key: DEFAULT_KEY, enabled: true, position, prices: PRICES, personality_id: personality.id });
    assert.equal(res.status, 201, `create ${name}: ${res.text}`);
    return res.json;
  };
  const suffix = uniq();
  const chatgpt = await make(`ChatGPT-${suffix}`, 'gpt-4o-mini', p['Оптимист'], 0);
  const deepseek = await make(`DeepSeek-${suffix}`, 'deepseek-chat', p['Скептик'], 1);
  return {
    chatgpt, deepseek, personalities: p,
    speaker: { chatgpt: `${chatgpt.name} · Оптимист`, deepseek: `${deepseek.name} · Скептик` },
    async cleanup() {
      for (const x of [chatgpt, deepseek]) await db.query('DELETE FROM rt.providers WHERE id = $1', [x.id]).catch(() => {});
      if (was.length) await db.query('UPDATE rt.providers SET enabled = true WHERE id = ANY($1)', [was]);
    },
  };
}

/** PUT /api/settings/{key} {value}; 200 expected. */
export async function put(api, key, value) {
  const res = await api.send('PUT', `/api/settings/${key}`, { value });
  assert.equal(res.status, 200, `PUT ${key}=${JSON.stringify(value)}: ${res.text}`);
  return res.json;
}

/** The round table's settings back to their defaults (null = the built-in default). */
export async function resetSettings(db) {
  await db.query('DELETE FROM rt.settings WHERE key = ANY($1)', [ROUNDTABLE_SETTINGS]);
}

/** A user's text in a chat through the fake Telegram; returns its message id. */
export function say(tg, chatId, text, { userId = chatId, chatType = 'private' } = {}) {
  const messageId = tg.nextMessageId(chatId);
  tg.push([textUpdate({ chatId, userId, text, messageId, chatType, username: `u${Math.abs(chatId)}`, firstName: 'Tester' })]);
  return messageId;
}

/** Successful sendMessage calls to a chat, in order, as { text, markup, t, result }. */
export function posts(tg, chatId) {
  return tg.sentMessages(chatId).map((s) => ({
    text: String(s.params.text),
    markup: typeof s.params.reply_markup === 'string' ? JSON.parse(s.params.reply_markup) : s.params.reply_markup,
    t: s.t, result: s.result,
  }));
}

/** The first post to chatId containing needle (waits). */
export function waitPost(tg, chatId, needle, timeoutMs = 60000) {
  return waitFor(() => posts(tg, chatId).find((p) => p.text.includes(needle)),
    { timeoutMs, intervalMs: 50, what: `a post in chat ${chatId} containing "${needle}"` });
}

/** The chat's newest session row (superuser view). */
export async function sessionOf(db, chatId) {
  return waitFor(async () => (await db.query('SELECT * FROM rt.sessions WHERE chat_id = $1 ORDER BY id DESC LIMIT 1', [chatId])).rows[0],
    { timeoutMs: 20000, what: `a session in chat ${chatId}` });
}

/** Model calls whose request carries the topic, in order. */
export const callsOf = (llm, topic) => llm.calls.filter((c) => JSON.stringify(c.body ?? '').includes(topic));

/** The text of a chat request's system prompt (messages[0] system or Anthropic's system). */
export function systemOf(body) {
  const m = (body?.messages ?? []).find((x) => x.role === 'system');
  return typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? body?.system ?? '');
}
