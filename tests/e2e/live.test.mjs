// Browser end-to-end: log in through the admin SPA, feed a Telegram update (through the fake
// Telegram when TELEGRAM_FAKE_URL is set, else through the UI's simulator panel), open the chat
// and see the message arrive live — no reload — then a second one while the chat is open.
//
// Env: RT_BASE_URL (rt-edge serving frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD,
// TELEGRAM_FAKE_URL (optional). Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, SCREENSHOTS, TELEGRAM_FAKE_URL, openBrowser, runStamp } from '../lib/browser.mjs';
import path from 'node:path';

// Ingest goes through Redis and PostgreSQL before the WS broadcast; allow for a slow CI box.
const LIVE_TIMEOUT_MS = 20_000;

const stamp = runStamp();
// A group id of our own per run, so earlier runs' chats never match.
const chatId = -(4_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
const userId = 700_000_000 + Math.floor(Math.random() * 100_000_000);
const chatTitle = `E2E ${stamp}`;
// Explicit update ids that grow from run to run (Unix seconds, below 2^31): on a stack that
// other suites or earlier runs have used, the edge's stored offset and the update_id
// idempotency keys would otherwise skip or drop a fresh fake's ids 1, 2, ...
const updateIdBase = Math.floor(Date.now() / 1000);

let browser;
let page;
let pageErrors = [];

/** Queues one text message from our test user in our test group on the fake Telegram. */
async function pushTelegramMessage(text, messageId) {
  const update = {
    update_id: updateIdBase + messageId,
    message: {
      message_id: messageId,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'group', title: chatTitle },
      from: { id: userId, is_bot: false, first_name: 'Erika', username: `e2e_${stamp}` },
      text,
    },
  };
  const res = await fetch(`${TELEGRAM_FAKE_URL}/_fake/updates`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([update]),
  });
  assert.equal(res.status, 200, `fake Telegram refused the update: ${await res.text()}`);
}

/** Sends one message through the SPA's simulator panel, as an admin would. */
async function sendViaSimulator(text) {
  // The simulator lives in the header's "Simulator" drawer; a negative chat id is a group.
  const panel = page.getByRole('region', { name: 'Simulator (no Telegram token)' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Simulator' }).click();
  await panel.getByRole('radio', { name: 'Group' }).check();
  await panel.getByLabel('Chat ID').fill(String(chatId));
  await panel.getByLabel('Chat title').fill(chatTitle);
  await panel.getByLabel('User ID').fill(String(userId));
  await panel.getByLabel('First name').fill('Erika');
  await panel.getByLabel('Text', { exact: true }).fill(text);
  await panel.getByRole('button', { name: 'Send' }).click();
  await panel.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
}

async function feed(text, messageId) {
  if (TELEGRAM_FAKE_URL) await pushTelegramMessage(text, messageId);
  else await sendViaSimulator(text);
}

describe('admin console, live updates', { timeout: 120_000 }, () => {
  before(async () => {
    assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must be set');
    ({ browser, page, pageErrors } = await openBrowser({ lang: null }));
  });

  after(async () => {
    await browser?.close();
  });

  test('an unauthenticated visit lands on the login page', async () => {
    await page.goto(`${BASE_URL}/`);
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });

  test('a wrong password shows the server problem detail', async () => {
    await page.getByLabel('Login').fill(ADMIN_LOGIN);
    await page.getByLabel('Password').fill(`${ADMIN_PASSWORD}-wrong`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.notEqual((await alert.textContent()).trim(), '');
  });

  test('logging in shows the chat list, the admin and a live connection', async () => {
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/chats');
    await page.getByRole('navigation', { name: 'Chats' }).waitFor();
    // The login shows as text from 1536 px; narrower, on the Log out button's hover title.
    await page.getByRole('button', { name: 'Log out' }).and(page.getByTitle(new RegExp(`^Signed in as ${ADMIN_LOGIN} `))).waitFor();
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    // Survives only if the page is never reloaded from here on.
    await page.evaluate(() => {
      window.__rtE2eNoReload = true;
    });
  });

  test('a new Telegram message appears live in its chat, and so does the next one', async () => {
    const first = `hello from e2e ${stamp}`;
    await feed(first, 1);

    // The chat arrives over the WebSocket (chat.updated) into the already-loaded list.
    const chats = page.getByRole('navigation', { name: 'Chats' });
    const chatLink = chats.getByRole('link', { name: new RegExp(chatTitle) });
    await chatLink.waitFor({ timeout: LIVE_TIMEOUT_MS });

    // Search narrows the list to it (GET /api/chats?q=).
    await page.getByRole('searchbox', { name: 'Search chats' }).fill(chatTitle);
    await assert.doesNotReject(() =>
      page.waitForFunction(
        (title) => {
          const links = document.querySelectorAll('nav[aria-label="Chats"] a');
          return links.length === 1 && links[0].textContent.includes(title);
        },
        chatTitle,
        { timeout: 10_000 },
      ),
    );

    await chatLink.click();
    await page.waitForURL(`**/chats/${chatId}`);
    // The URL changes before React re-renders the list, so wait for the marker, don't read it once.
    await chats
      .locator('a[aria-current="page"]', { hasText: chatTitle })
      .waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.equal(await chatLink.getAttribute('aria-current'), 'page');

    const stream = page.getByRole('log', { name: `Messages in ${chatTitle}` });
    await stream.getByText(first, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });

    // With the chat open, the next message must arrive through the WebSocket alone.
    const second = `second live message ${stamp}`;
    await feed(second, 2);
    await stream.getByText(second, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });

    const texts = await stream.getByRole('article').allTextContents();
    const firstAt = texts.findIndex((t) => t.includes(first));
    const secondAt = texts.findIndex((t) => t.includes(second));
    assert.ok(firstAt >= 0 && secondAt > firstAt, 'newest message is at the bottom');
    assert.equal(texts.filter((t) => t.includes(second)).length, 1, 'no duplicate');
    assert.match(texts[secondAt], /Erika/);
    assert.match(texts[secondAt], new RegExp(`chat ${chatId}`));

    // The list preview follows the newest message.
    await chatLink.getByText(second).waitFor({ timeout: LIVE_TIMEOUT_MS });

    assert.equal(await page.evaluate(() => window.__rtE2eNoReload), true, 'page was not reloaded');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'live.png') });
  });

  test('the language switcher turns the UI Russian', async () => {
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await page.getByRole('status').filter({ hasText: 'В эфире' }).waitFor();
    await page.getByRole('button', { name: 'Выйти' }).waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'live-ru.png') });
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
  });

  test('logging out returns to the login page', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
