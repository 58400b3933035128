// Browser end-to-end: the chat simulator is a Telegram client for the AI round table. In the
// simulator send /start and see the menu's three buttons (the bot's reply keyboard, under the
// panel's form and under the bot's message in the chat view); press «Новое обсуждение», answer
// the bot's question with a topic, watch labelled demo turns arrive in the chat view and the
// chat header link to the running session; press «Остановить диалог», see the bot confirm and
// no further turn arrive; send /donate and see the inline button as a link to PAYMENT_URL.
//
// The simulator is off while rt-edge has a bot token, and the e2e stage's edge polls the fake
// Telegram; so this file starts a second rt-edge on the same stack without a token (as a
// `make demo` without keys runs) and drives the browser against it.
//
// The participants are every enabled non-demo provider, else the demo model playing each
// personality (docs/design/contract-roundtable.md). As roundtable.test.mjs does, the test makes
// the demo provider the only enabled one and clears the session limits over REST (rounds raised
// so the debate is still running when it is stopped), sets payment.url, and puts all back after.
//
// Env: the stack's (scripts/test.sh exports it; else `scripts/stack.sh env` with the test
// defaults), RT_EDGE_BIN. Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SCREENSHOTS, openBrowser } from '../lib/browser.mjs';
import { adminCreds, startEdge } from '../lib/stack.mjs';

const LIVE_TIMEOUT_MS = 20_000;
// Demo turns (each streamed in small pieces) on a slow, shared box.
const DEBATE_TIMEOUT_MS = 120_000;
// After the stop: long enough for a turn in flight (a demo turn takes a few seconds) to have
// been posted, had the stop not cancelled it.
const QUIET_MS = 6_000;
const PAYMENT_URL = 'https://pay.example.com/xyz';

// A private chat: its id is the user's.
const chatId = 600_000_000 + Math.floor(Math.random() * 100_000_000);
const topic = `Simulator debate ${Date.now().toString(36)}: should schools teach chess?`;

let edge;
let browser;
let page;
let pageErrors = [];
let csrf;
const restoreProviders = [];
const restoreSettings = [];

/** A screenshot with the simulator's bot keyboard scrolled into view in its panel. */
async function shot(name) {
  await keyboard().scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });
}

/** REST through the page's own session (cookie jar shared with the browser). */
async function api(method, url, body) {
  const res = await page.request.fetch(`${edge.url}${url}`, {
    method,
    headers: { ...(csrf ? { 'X-CSRF-Token': csrf } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status(), json: text ? JSON.parse(text) : null, text };
}

/** Sets settings over REST, remembering the values to put back. */
async function setSettings(want) {
  const settings = await api('GET', '/api/settings');
  assert.equal(settings.status, 200, settings.text);
  const now = Object.fromEntries(settings.json.items.map((s) => [s.key, s.value]));
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(now[key] ?? null) === JSON.stringify(value)) continue;
    const res = await api('PUT', `/api/settings/${key}`, { value });
    assert.equal(res.status, 200, res.text);
    restoreSettings.push({ key, value: now[key] ?? null });
  }
}

/** The demo model alone takes part: other providers off, the demo one on; no session limits. */
async function demoOnly() {
  const me = await api('GET', '/api/auth/me');
  assert.equal(me.status, 200, me.text);
  csrf = me.json.csrf_token;
  const list = await api('GET', '/api/providers?limit=200');
  assert.equal(list.status, 200, list.text);
  const demo = list.json.items.find((p) => p.type === 'demo');
  assert.ok(demo, 'the stack has the built-in demo provider');
  for (const p of list.json.items) {
    const want = p.id === demo.id;
    if (p.enabled === want) continue;
    const res = await api('PUT', `/api/providers/${p.id}`, { enabled: want, version: p.version });
    assert.equal(res.status, 200, res.text);
    restoreProviders.push({ id: p.id, enabled: p.enabled });
  }
  await setSettings({
    'roundtable.max_rounds': 20,
    'roundtable.max_tokens': null,
    'roundtable.max_cost': null,
    'roundtable.summary_provider': null,
    'roundtable.turn_timeout_sec': 60,
  });
}

/** The chat's round-table turns (messages with a speaker) as the server has them. */
async function turnsOf(sessionId) {
  const res = await api('GET', `/api/messages?chat_id=${chatId}&limit=200`);
  assert.equal(res.status, 200, res.text);
  return res.json.items.filter((m) => m.session_id === sessionId && m.speaker !== null && m.direction === 'out');
}

const panel = () => page.getByRole('region', { name: 'Simulator (no Telegram token)' });
const keyboard = () => panel().getByRole('group', { name: 'Bot keyboard' });
const stream = () => page.getByRole('log', { name: /^Messages in / });

async function sendText(text) {
  await panel().getByLabel('Text', { exact: true }).fill(text);
  await panel().getByRole('button', { name: 'Send' }).click();
  await panel().getByRole('status').filter({ hasText: 'Queued' }).waitFor();
}

async function press(label) {
  const before = await panel().getByRole('status').textContent().catch(() => '');
  await keyboard().getByRole('button', { name: label, exact: true }).click();
  // A new update id in the "queued" line: the press was sent.
  await panel().getByRole('status').filter({ hasNotText: before || '\u0000' }).filter({ hasText: 'Queued' }).waitFor();
}

describe('the simulator as a Telegram client of the round table', { timeout: 300_000 }, () => {
  before(async () => {
    edge = await startEdge({ name: 'e2e-simulator' });
    ({ browser, page, pageErrors } = await openBrowser());
  });

  after(async () => {
    // Put the stack back as other suites left it.
    if (page) {
      for (const { id, enabled } of restoreProviders.reverse()) {
        const cur = await api('GET', `/api/providers/${id}`).catch(() => null);
        if (cur?.status === 200) await api('PUT', `/api/providers/${id}`, { enabled, version: cur.json.version }).catch(() => {});
      }
      for (const { key, value } of restoreSettings.reverse()) await api('PUT', `/api/settings/${key}`, { value }).catch(() => {});
    }
    await browser?.close();
    const exit = await edge?.stop();
    if (exit) assert.equal(exit.code, 0, `rt-edge exited with ${JSON.stringify(exit)} (log ${edge.logPath})`);
  });

  test('log in to the token-less edge; only the demo model takes part', async () => {
    const { login, password } = adminCreds();
    assert.ok(password, 'ADMIN_PASSWORD must be set');
    await page.goto(`${edge.url}/login`);
    await page.getByLabel('Login').fill(login);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/chats');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await demoOnly();
    await setSettings({ 'payment.url': PAYMENT_URL });
  });

  test('/start shows the menu: three buttons in the simulator and under the bot message', async () => {
    await page.goto(`${edge.url}/chats/${chatId}`);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    // The header's "Simulator" drawer opens on the chat of the page: a private chat, whose id is
    // the user's id.
    await page.getByRole('button', { name: 'Simulator' }).click();
    assert.ok(await panel().getByRole('radio', { name: 'Private chat' }).isChecked());
    assert.equal(await panel().getByLabel('User ID').inputValue(), String(chatId));
    await panel().getByLabel('First name').fill('Vera');
    await keyboard().getByText(/No keyboard from the bot in this chat yet/).waitFor();
    await sendText('/start');

    const buttons = keyboard().getByRole('button');
    await keyboard().getByRole('button', { name: 'Новое обсуждение' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.deepEqual(await buttons.allTextContents(), ['Новое обсуждение', 'Остановить диалог', 'Отблагодарить создателя']);
    // The chat view shows the keyboard the welcome was sent with.
    const welcome = stream().getByRole('article').filter({ hasText: 'Здравствуйте!' });
    const sent = welcome.getByRole('group', { name: 'Keyboard sent with this message' });
    await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.deepEqual(await sent.getByRole('listitem').allTextContents(), ['Новое обсуждение', 'Остановить диалогОтблагодарить создателя']);
    await shot('simulator-keyboard.png');
  });

  let sessionId;

  test('«Новое обсуждение» → the bot asks the topic → labelled demo turns, the header links the session', async () => {
    await press('Новое обсуждение');
    await stream().getByRole('article').filter({ hasText: 'О чём поговорим?' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await sendText(topic);

    // The header names the session (entity.changed session refetches the chat).
    const link = page.getByTestId('chat-session').getByRole('link', { name: /^Session #\d+$/ });
    await link.waitFor({ timeout: LIVE_TIMEOUT_MS });
    sessionId = Number((await link.textContent()).replace(/\D/g, ''));
    assert.equal(await link.getAttribute('href'), `/sessions/${sessionId}`);
    await stream().getByRole('article').filter({ hasText: `Тема: «${topic}»` }).waitFor({ timeout: LIVE_TIMEOUT_MS });

    // At least two turns of distinct, labelled demo speakers, live.
    const turns = stream().getByRole('article', { name: /^demo · / });
    await turns.nth(1).waitFor({ timeout: DEBATE_TIMEOUT_MS });
    const names = new Set();
    for (const label of await turns.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label')))) {
      names.add(label.split(',')[0]);
    }
    assert.ok(names.size >= 2, `two distinct speakers: ${[...names].join(', ')}`);
    const server = await turnsOf(sessionId);
    assert.ok(server.length >= 2, `the server has ${server.length} turns`);
    await shot('simulator-debate.png');
  });

  test('«Остановить диалог» stops it: the bot says why and no further turn arrives', async () => {
    await press('Остановить диалог');
    await stream().getByRole('article').filter({ hasText: 'Обсуждение остановлено по вашей команде.' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    const session = await api('GET', `/api/sessions/${sessionId}`);
    assert.equal(session.status, 200, session.text);
    assert.equal(session.json.status, 'stopped');
    assert.equal(session.json.stop_reason, 'stopped_by_user');
    // The chat has no session any more: the header link goes.
    await page.getByTestId('chat-session').waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });

    const turnsAfterStop = (await turnsOf(sessionId)).length;
    const shownAfterStop = await stream().getByRole('article', { name: /^demo · / }).count();
    await sleep(QUIET_MS);
    assert.equal((await turnsOf(sessionId)).length, turnsAfterStop, 'no turn recorded after the stop');
    assert.equal(await stream().getByRole('article', { name: /^demo · / }).count(), shownAfterStop, 'no turn shown after the stop');
    // The confirmation is the last message of the chat.
    const last = stream().locator('article[data-author]').last();
    assert.match(await last.textContent(), /Обсуждение остановлено по вашей команде\./);
    await shot('simulator-stopped.png');
  });

  test('/donate sends the inline button: a link to PAYMENT_URL', async () => {
    await sendText('/donate');
    const thanks = stream().getByRole('article').filter({ hasText: 'Спасибо, что хотите поддержать проект!' });
    await thanks.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const link = thanks.getByRole('group', { name: 'Buttons sent with this message' }).getByRole('link', { name: 'Поддержать' });
    assert.equal(await link.getAttribute('href'), PAYMENT_URL);
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    await shot('simulator-donate.png');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
