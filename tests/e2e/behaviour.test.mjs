// Browser end-to-end for the behaviour controls: log in, create a preset on the Presets page,
// apply it to a chat for 2 hours from the chat's controls panel (and see the effective
// parameters come from it), toggle auto-reply, reply as admin through the editable preview and
// see the queued message appear in the stream.
//
// Env: RT_BASE_URL (rt-edge serving frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD,
// TELEGRAM_FAKE_URL (optional; without it the chat is created through the simulator panel).
// Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, SCREENSHOTS, TELEGRAM_FAKE_URL, openBrowser, runStamp } from '../lib/browser.mjs';
import path from 'node:path';
import { navigate } from '../lib/console-e2e.mjs';

const LIVE_TIMEOUT_MS = 20_000;

const stamp = runStamp();
const chatId = -(5_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
const userId = 800_000_000 + Math.floor(Math.random() * 100_000_000);
const chatTitle = `Behaviour ${stamp}`;
const presetName = `E2E calm ${stamp}`;
// Telegram update ids must grow across the whole e2e stage: the edge stores its getUpdates
// offset, so an id above the ones live.test.mjs (which runs after this file) derives from the
// clock would make the fake skip that test's updates. Stay a little below "now" in seconds.
const updateIdBase = Math.floor(Date.now() / 1000) - 30;

let browser;
let page;
let pageErrors = [];

async function createChat(text, messageId = 1, updateSeq = messageId) {
  if (TELEGRAM_FAKE_URL) {
    const update = {
      update_id: updateIdBase + updateSeq,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: 'group', title: chatTitle },
        from: { id: userId, is_bot: false, first_name: 'Boris', username: `b_${stamp}` },
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
  // The simulator lives in the header's "Simulator" drawer; a negative chat id is a group.
  const panel = page.getByRole('region', { name: 'Simulator (no Telegram token)' });
  if (!(await panel.isVisible())) await page.getByRole('button', { name: 'Simulator' }).click();
  await panel.getByRole('radio', { name: 'Group' }).check();
  await panel.getByLabel('Chat ID').fill(String(chatId));
  await panel.getByLabel('Chat title').fill(chatTitle);
  await panel.getByLabel('User ID').fill(String(userId));
  await panel.getByLabel('First name').fill('Boris');
  await panel.getByLabel('Text', { exact: true }).fill(text);
  await panel.getByRole('button', { name: 'Send' }).click();
  await panel.getByRole('status').filter({ hasText: 'Queued' }).waitFor();
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
}

const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, name) });

describe('admin console, behaviour controls', { timeout: 180_000 }, () => {
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
    await page.getByRole('navigation', { name: 'Main' }).waitFor();
  });

  test('create a preset on the Presets page', async () => {
    await navigate(page, 'Presets');
    await page.waitForURL('**/presets');
    await page.getByRole('button', { name: 'New preset' }).click();
    const dialog = page.getByRole('dialog', { name: 'New preset' });
    await dialog.getByLabel('Name').fill(presetName);
    await dialog.getByLabel('Description').fill('Made by the browser test');
    await dialog.getByRole('spinbutton', { name: 'Temperature' }).fill('0.3');
    await dialog.getByRole('combobox', { name: 'Tone' }).selectOption('formal');
    await dialog.getByRole('button', { name: 'Create preset' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('table', { name: 'Presets' }).getByRole('row', { name: new RegExp(presetName) });
    await row.waitFor();
    assert.match(await row.textContent(), /0\.3/);
    await shot('presets.png');
  });

  test('apply the preset to a chat for 2 hours', async () => {
    await navigate(page, 'Chats');
    await page.waitForURL('**/chats');
    await createChat(`hello behaviour ${stamp}`);
    const chatLink = page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(chatTitle) });
    await chatLink.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await chatLink.click();
    await page.waitForURL(`**/chats/${chatId}`);

    const controls = page.getByRole('complementary', { name: 'Chat controls' });
    const effective = controls.getByRole('table', { name: 'Effective parameters' });
    await effective.waitFor();
    await controls.getByRole('combobox', { name: 'Preset', exact: true }).selectOption({ label: presetName });
    await controls.getByRole('spinbutton', { name: 'Hours' }).fill('2');
    await controls.getByRole('button', { name: 'Apply to this chat' }).click();
    await controls.getByRole('status').filter({ hasText: `“${presetName}” applies here for 2 h.` }).waitFor();

    // The explain answer is refetched: temperature now comes from the chat layer, our preset.
    const temperature = effective.getByRole('row', { name: /^Temperature/ });
    await page.waitForFunction(
      (name) => {
        const table = document.querySelector('table[aria-label="Effective parameters"]');
        const row = [...(table?.querySelectorAll('tr') ?? [])].find((r) => r.textContent.startsWith('Temperature'));
        return row && row.textContent.includes('0.3') && row.textContent.includes(name);
      },
      presetName,
      { timeout: LIVE_TIMEOUT_MS },
    );
    assert.match(await temperature.textContent(), /chat/);
  });

  test('toggle auto-reply', async () => {
    const controls = page.getByRole('complementary', { name: 'Chat controls' });
    const autoreply = controls.getByRole('switch', { name: 'Auto-reply' });
    const before = await autoreply.getAttribute('aria-checked');
    const expected = before === 'true' ? 'false' : 'true';
    await autoreply.click();
    await page.waitForFunction(
      (value) => document.querySelector('[role="switch"][aria-checked]')?.getAttribute('aria-checked') === value,
      expected,
    );
    assert.equal(await autoreply.getAttribute('aria-checked'), expected);
  });

  test('reply as admin through the editable preview', async () => {
    const draft = `draft reply ${stamp}`;
    const final = `edited reply ${stamp}`;
    await page.getByRole('textbox', { name: 'Reply text' }).fill(draft);
    await page.getByRole('button', { name: 'Reply as admin' }).click();
    const dialog = page.getByRole('dialog', { name: 'Preview: reply as admin' });
    const text = dialog.getByRole('textbox', { name: 'Message text' });
    assert.equal(await text.inputValue(), draft);
    await text.fill(final);
    await shot('reply-preview.png');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await dialog.waitFor({ state: 'detached' });

    const stream = page.getByRole('log', { name: `Messages in ${chatTitle}` });
    const message = stream.getByRole('article').filter({ hasText: final });
    await message.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const content = await message.textContent();
    assert.match(content, /outgoing/);
    // The status moves queued → sending → sent; the first render may show any of them.
    assert.match(content, /queued|sending|sent/);
    if (TELEGRAM_FAKE_URL) {
      // With the fake Telegram the edge delivers it, and the status reaches "sent" live.
      await stream.locator('article[data-status="sent"]').filter({ hasText: final }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    }
    assert.equal(await stream.getByText(draft).count(), 0, 'the unedited draft was not sent');

    // Sending by hand paused auto-reply in this chat.
    const controls = page.getByRole('complementary', { name: 'Chat controls' });
    await controls.getByRole('button', { name: 'Resume auto-reply' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await shot('behaviour.png');
  });

  test('a mention during the takeover notifies the admin live', { skip: !TELEGRAM_FAKE_URL && 'needs the fake Telegram' }, async () => {
    // The bot's username decides what counts as a mention; the edge sets it from getMe, and an
    // admin can set it on the Settings page.
    await navigate(page, 'Settings');
    const username = page.getByRole('textbox', { name: 'Bot username' });
    await username.waitFor();
    if ((await username.inputValue()) !== 'rt_test_bot') {
      await username.fill('rt_test_bot');
      await username.locator('xpath=ancestor::form').getByRole('button', { name: 'Save' }).click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('button')].some((b) => b.textContent === 'Save' && b.disabled),
      );
    }
    await navigate(page, 'Chats');
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(chatTitle) }).click();

    const bell = page.getByRole('button', { name: /^Notifications, \d+ unacknowledged$/ });
    const count = async () => Number((await bell.getAttribute('aria-label')).match(/(\d+)/)[1]);
    const before = await count();
    const text = `@rt_test_bot are you there? ${stamp}`;
    // Telegram numbers a chat's messages together with the bot's own: the admin's reply above
    // took id 2 in the fake, so this update takes an id well past it.
    await createChat(text, 1000, 2);
    await page.getByRole('log', { name: `Messages in ${chatTitle}` }).getByText(text).waitFor({ timeout: LIVE_TIMEOUT_MS });
    // notification.created over the WebSocket: a toast and a higher count, no reload.
    // (the toast's title names who and where: "Boris mentioned the bot in Behaviour …")
    await page.getByText(`mentioned the bot in ${chatTitle}`).first().waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.waitForFunction(
      (n) => {
        const label = document.querySelector('button[aria-label^="Notifications,"]')?.getAttribute('aria-label') ?? '';
        return Number(label.match(/(\d+)/)?.[1] ?? 0) > n;
      },
      before,
      { timeout: LIVE_TIMEOUT_MS },
    );
    // The chat's mention badge in the list went up with it...
    const chatLink = page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(chatTitle) });
    const badge = chatLink.locator('[title^="Mentions:"]');
    await badge.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await bell.click();
    const panel = page.getByRole('region', { name: 'Notifications', exact: true });
    await panel.getByText(text).first().waitFor();
    await shot('mention.png');
    await panel.getByRole('button', { name: 'Acknowledge all' }).click();
    await page.getByRole('button', { name: 'Notifications, 0 unacknowledged' }).waitFor();
    await page.keyboard.press('Escape');
    // ...and goes away once the mentions are acknowledged, without a reload.
    await badge.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
  });

  test('flag, then delete, a message by hand', async () => {
    const stream = page.getByRole('log', { name: `Messages in ${chatTitle}` });
    const first = stream.getByRole('article').filter({ hasText: `hello behaviour ${stamp}` });
    await first.hover();
    await first.getByRole('button', { name: 'Flag' }).click();
    const flag = page.getByRole('dialog', { name: 'Flag message' });
    await flag.getByRole('textbox', { name: 'Label' }).fill('e2e');
    await flag.getByRole('button', { name: 'Flag' }).click();
    await flag.waitFor({ state: 'detached' });
    await first.getByText('#e2e').waitFor({ timeout: LIVE_TIMEOUT_MS });
    await first.getByText('flagged', { exact: true }).waitFor();

    await first.hover();
    await first.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Delete this message?' });
    await confirm.getByRole('button', { name: 'Delete message' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.waitForFunction(
      (text) =>
        [...document.querySelectorAll('article[data-moderation="deleted"]')].some((a) =>
          a.textContent.includes(text),
        ),
      `hello behaviour ${stamp}`,
      { timeout: LIVE_TIMEOUT_MS },
    );
    await shot('moderated.png');
  });

  test('a moderation rule catches an evasive spelling in the rule tester', async () => {
    await navigate(page, 'Moderation');
    await page.waitForURL('**/moderation');
    await page.getByRole('button', { name: 'New rule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New rule' });
    const ruleName = `E2E spam ${stamp}`;
    await dialog.getByLabel('Name').fill(ruleName);
    await dialog.getByLabel('Pattern', { exact: true }).fill('spam');
    await dialog.getByLabel('Label').fill('spam');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByRole('table', { name: 'Moderation rules' }).getByRole('row', { name: new RegExp(ruleName) }).waitFor();

    await page.getByLabel('Sample text').fill('buy s.p.a.m now');
    await page.getByRole('button', { name: 'Test', exact: true }).click();
    const matches = page.getByRole('list', { name: 'Matching rules' });
    await matches.getByText(ruleName).waitFor();
    await shot('moderation.png');
  });

  test('a playbook is created, listed by priority and switched off', async () => {
    await navigate(page, 'Playbooks');
    await page.waitForURL('**/playbooks');
    const name = `E2E price ${stamp}`;
    await page.getByRole('button', { name: 'New playbook' }).click();
    const dialog = page.getByRole('dialog', { name: 'New playbook' });
    await dialog.getByLabel('Name').fill(name);
    await dialog.getByRole('spinbutton', { name: 'Priority' }).fill('5');
    await dialog.getByLabel('Pattern', { exact: true }).fill('how much');
    await dialog.getByRole('combobox', { name: 'Match as' }).selectOption('phrase');
    await dialog.getByRole('combobox', { name: 'Apply preset' }).selectOption({ label: presetName });
    await dialog.getByRole('spinbutton', { name: 'For hours' }).fill('1');
    await dialog.getByLabel('Fixed reply').fill('Prices are on our site.');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: /^Playbooks/ }).getByRole('row', { name: new RegExp(name) });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`preset “${presetName}” for 1 h`));
    const enabled = row.getByRole('switch', { name: `Enabled: ${name}` });
    assert.equal(await enabled.getAttribute('aria-checked'), 'true');
    await enabled.click();
    await page.waitForFunction(
      (label) => document.querySelector(`[aria-label="${label}"]`)?.getAttribute('aria-checked') === 'false',
      `Enabled: ${name}`,
      { timeout: LIVE_TIMEOUT_MS },
    );
  });

  test('the other screens render from the live API', async () => {
    for (const [link, marker, file] of [
      ['Playbooks', { role: 'heading', name: 'Playbooks' }, 'playbooks.png'],
      ['Audit', { role: 'table', name: 'Audit log' }, 'audit.png'],
      ['Admins', { role: 'table', name: 'Admin accounts' }, 'admins.png'],
      ['Settings', { role: 'spinbutton', name: 'Takeover minutes' }, 'settings.png'],
    ]) {
      await navigate(page, link);
      await page.getByRole(marker.role, { name: marker.name, exact: true }).first().waitFor();
      await shot(file);
    }
    // The audit log holds what this run did.
    await navigate(page, 'Audit');
    await page.getByRole('table', { name: 'Audit log' }).getByText(/preset\./).first().waitFor();

    await page.getByRole('button', { name: /^Notifications, \d+ unacknowledged$/ }).click();
    await page.getByRole('region', { name: 'Notifications', exact: true }).waitFor();
    await shot('notifications.png');
    await page.keyboard.press('Escape');

    // The chat screen in Russian, for a look at the longer labels.
    await navigate(page, 'Chats');
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(chatTitle) }).click();
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await page.getByRole('switch', { name: 'Автоответ' }).waitFor();
    await page.getByRole('button', { name: 'Ответить как бот' }).waitFor();
    await shot('behaviour-ru.png');
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
