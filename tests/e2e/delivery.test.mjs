// Browser end-to-end for delivery: the Providers screen (the seeded demo model, a provider
// created with an API key that comes back only as a hint, deleted after confirming), a chat
// whose auto-reply is written by the demo model (a bot message marked "demo model" that goes
// from queued to sent), "Reply as bot" (a model draft streamed into the preview, edited, sent
// only on confirm), and the Queue and Settings screens.
//
// Env: RT_BASE_URL (rt-edge serving frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD,
// TELEGRAM_FAKE_URL (optional; without it the chat is created through the simulator panel).
// Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, SCREENSHOTS, TELEGRAM_FAKE_URL, openBrowser, runStamp } from '../lib/browser.mjs';
import path from 'node:path';
import { navigate } from '../lib/console-e2e.mjs';

const LIVE_TIMEOUT_MS = 30_000;

const stamp = runStamp();
// A private chat: its id is the user's, and auto-reply needs no mention there.
const userId = 700_000_000 + Math.floor(Math.random() * 100_000_000);
const chatId = userId;
const firstName = `Dora ${stamp}`;
const providerName = `E2E local ${stamp}`;
// Update ids must grow across the e2e stage (see behaviour.test.mjs); this file runs between
// behaviour and live, so stay a little below "now" in seconds, above behaviour's ids.
const updateIdBase = Math.floor(Date.now() / 1000) - 20;

let browser;
let page;
let pageErrors = [];

async function userSays(text, messageId) {
  if (TELEGRAM_FAKE_URL) {
    const update = {
      update_id: updateIdBase + messageId,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'private', first_name: firstName },
        from: { id: userId, is_bot: false, first_name: firstName, username: `d_${stamp}` },
        text,
      },
    };
    const res = await fetch(`${TELEGRAM_FAKE_URL}/_fake/updates`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([update]),
    });
    assert.equal(res.status, 200, `fake Telegram refused the update: ${await res.text()}`);
    return;
  }
  // The simulator lives in the header's "Simulator" drawer; a private chat's id is the user's id.
  const panel = page.getByRole('region', { name: 'Simulator (no Telegram token)' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Simulator' }).click();
  await panel.getByRole('radio', { name: 'Private chat' }).check();
  await panel.getByLabel('User ID').fill(String(userId));
  await panel.getByLabel('First name').fill(firstName);
  await panel.getByLabel('Text', { exact: true }).fill(text);
  await panel.getByRole('button', { name: 'Send' }).click();
  await panel.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
}

const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, name) });
const stream = () => page.getByRole('log', { name: new RegExp(`^Messages in `) });

describe('admin console, delivery', { timeout: 240_000 }, () => {
  before(async () => {
    assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must be set');
    ({ browser, page, pageErrors } = await openBrowser());
  });

  after(async () => {
    await browser?.close();
  });

  test('log in', async () => {
    await page.goto(`${BASE_URL}/login`);
    await page.getByLabel('Login').fill(ADMIN_LOGIN);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/chats');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  });

  test('providers: the demo model is seeded; a keyed provider shows only its hint; delete asks first', async () => {
    await navigate(page, 'Providers');
    await page.waitForURL('**/providers');
    const table = page.getByRole('table', { name: 'Providers' });
    const demo = table.getByRole('row').filter({ hasText: 'Demo (built in)' }).first();
    await demo.waitFor();
    await demo.getByText('demo model', { exact: true }).waitFor();

    await page.getByRole('button', { name: 'New provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'New provider' });
    await dialog.getByRole('textbox', { name: 'Name' }).fill(providerName);
    await dialog.getByRole('combobox', { name: 'Type' }).selectOption('openai_compatible');
    // Checked before anything is sent: an OpenAI-compatible provider needs a base URL.
    await dialog.getByRole('textbox', { name: 'Model' }).fill('local-model');
    await dialog.getByRole('button', { name: 'Create provider' }).click();
    await dialog.getByText('Required for this type').waitFor();
    await dialog.getByRole('textbox', { name: 'Base URL' }).fill('http://127.0.0.1:9/v1');
    await dialog.getByRole('spinbutton', { name: 'Input', exact: true }).fill('1');
    await dialog.getByRole('spinbutton', { name: 'Cached input' }).fill('0.5');
    await dialog.getByRole('spinbutton', { name: 'Output' }).fill('2');
    await dialog.getByLabel('API key').fill(`sk-e2e-${stamp}-abcd`);
    await dialog.getByRole('checkbox', { name: 'Enabled' }).uncheck();
    await dialog.getByRole('button', { name: 'Create provider' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = table.getByRole('row', { name: new RegExp(providerName) });
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const text = await row.textContent();
    assert.ok(!text.includes(`sk-e2e-${stamp}-abcd`), 'the key itself is never shown');
    assert.match(text, /abcd/, 'the key hint is shown');
    assert.equal(await row.getByRole('switch', { name: `Enabled: ${providerName}` }).getAttribute('aria-checked'), 'false');
    await shot('providers.png');

    // The edit dialog never fills the key in.
    await row.getByRole('button', { name: `Edit ${providerName}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit provider “${providerName}”` });
    assert.equal(await edit.getByLabel('API key').inputValue(), '');
    await edit.getByText(/A key is stored/).waitFor();
    await edit.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Delete ${providerName}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete provider “${providerName}”?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
  });

  test('an auto-reply by the demo model arrives marked, and is delivered', async () => {
    await navigate(page, 'Chats');
    await page.waitForURL('**/chats');
    await userSays(`hello delivery ${stamp}`, 1);
    const chatLink = page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(firstName) });
    await chatLink.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await chatLink.click();
    await page.waitForURL(`**/chats/${chatId}`);

    const controls = page.getByRole('complementary', { name: 'Chat controls' });
    const provider = controls.getByRole('combobox', { name: 'Provider' });
    await provider.locator('option', { hasText: 'Demo' }).first().waitFor({ state: 'attached' });
    const demoValue = await provider.locator('option', { hasText: 'Demo' }).first().getAttribute('value');
    await provider.selectOption(demoValue);
    await page.waitForFunction(
      (value) => document.querySelector('select[id]') && [...document.querySelectorAll('select')].some((s) => s.value === value),
      demoValue,
    );
    const autoreply = controls.getByRole('switch', { name: 'Auto-reply' });
    if ((await autoreply.getAttribute('aria-checked')) !== 'true') {
      await autoreply.click();
      await page.waitForFunction(
        () => document.querySelector('[role="switch"][aria-checked]')?.getAttribute('aria-checked') === 'true',
      );
    }

    await userSays(`tell me something ${stamp}`, 2);
    const reply = stream().locator('article[data-author="bot"]').filter({ hasText: 'demo model' }).first();
    await reply.waitFor({ timeout: LIVE_TIMEOUT_MS });
    // The meta line names the model call.
    assert.match(await reply.textContent(), /tokens/);
    // Queued first, then sent once the (fake or simulated) Telegram took it.
    await page.waitForFunction(
      () => [...document.querySelectorAll('article[data-author="bot"]')].some((a) => a.getAttribute('data-status') === 'sent'),
      null,
      { timeout: LIVE_TIMEOUT_MS },
    );
    await shot('auto-reply.png');
  });

  test('reply as bot: a model draft streams into the preview, is edited, and sent on confirm', async () => {
    await page.getByRole('button', { name: 'Reply as bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Preview: reply as bot' });
    await dialog.getByRole('status').filter({ hasText: 'Draft ready' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    const text = dialog.getByRole('textbox', { name: 'Message text' });
    const draft = await text.inputValue();
    assert.ok(draft.trim().length > 0, 'the draft has text');
    await dialog.getByText('demo model', { exact: true }).waitFor();
    await shot('bot-draft.png');

    const final = `${draft.trim().slice(0, 200)} (checked by a human ${stamp})`;
    await text.fill(final);
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });
    const sent = stream().locator('article[data-author="bot"]').filter({ hasText: `checked by a human ${stamp}` });
    await sent.waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.match(await sent.textContent(), /queued|sending|sent/);
    // Sending by hand paused auto-reply in this chat.
    await page.getByRole('complementary', { name: 'Chat controls' }).getByRole('button', { name: 'Resume auto-reply' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
  });

  test('the queue and the delivery settings render from the live API', async () => {
    await navigate(page, 'Queue');
    await page.waitForURL('**/queue');
    await page.getByRole('region', { name: 'Dead letters' }).waitFor();
    await page.getByRole('combobox', { name: 'State' }).selectOption('done');
    await page.getByRole('table', { name: 'Finished jobs' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await shot('queue.png');

    await navigate(page, 'Settings');
    await page.getByRole('combobox', { name: 'Default provider' }).waitFor();
    await page.getByRole('switch', { name: 'Stream replies into Telegram' }).waitFor();
    await page.getByRole('textbox', { name: 'Admin signature' }).waitFor();
    await shot('settings-delivery.png');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
