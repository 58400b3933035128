// Browser end-to-end for the complete console (issue 9), the scenarios the older files do not
// cover: export a preset to a file, delete it and import the file back (a real download and a
// real upload through the UI); filter a chat's history by keyword and time and reload the shared
// URL; see the audit entries of those actions with names; a Telegram message carrying HTML and
// script is shown as text everywhere it appears (stream, chat list, mention toast, bell) and runs
// nothing; and screenshots of the main screens in English and Russian, light and dark.
//
// The twelve browser scenarios of issue 9 and where each is tested:
//   1 log in .......................... live.test.mjs (wrong password, then signed in, live)
//   2 a message arrives live .......... live.test.mjs
//   3 reply as admin, reaches "sent" .. behaviour.test.mjs (data-status="sent" via the fake Telegram)
//   4 bot draft generated/edited/sent . delivery.test.mjs
//   5 auto-reply off + group @mention . this file (the XSS test), and behaviour.test.mjs (during a takeover)
//   6 apply a preset for N hours ...... behaviour.test.mjs (effective parameters follow)
//   7 export, delete, import a preset . this file (7a-7d)
//   8 history filter + shared URL ..... this file (8a, 8b)
//   9 flag and delete a message ....... behaviour.test.mjs
//  10 audit entries, with names ....... this file (10a, 10b)
//  11 round table from the simulator .. simulator-roundtable.test.mjs (roundtable.test.mjs: from the console)
//  12 390 px and 1024 px .............. responsive.test.mjs
//
// Env: RT_BASE_URL (rt-edge serving frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD,
// TELEGRAM_FAKE_URL (the e2e stage runs every file under tests/lib/with-edge.mjs).
// Screenshots go to tests/e2e/screenshots/console/ (git-ignored; the stage's artifacts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ADMIN_LOGIN, BASE_URL, TELEGRAM_FAKE_URL, runStamp } from '../lib/browser.mjs';
import {
  LIVE_TIMEOUT_MS, assertInViewport, assertTextFits, documentBox, groupMessage, launch, liveStatus, login, mainNav, navigate, newPage, pushUpdates, restOf, screenshotDir,
} from '../lib/console-e2e.mjs';

const stamp = runStamp();
const presetName = `E2E export ${stamp}`;
const user = { id: 810_000_000 + Math.floor(Math.random() * 80_000_000), firstName: 'Greta', username: `g_${stamp}` };
const filterChat = { id: -(1_007_000_000_000 + Math.floor(Math.random() * 900_000_000)), title: `Filters ${stamp}` };
const xssChat = {
  id: -(1_008_000_000_000 + Math.floor(Math.random() * 900_000_000)),
  title: `XSS <img src=x onerror=window.__xss=3> ${stamp}`,
};
const XSS_TEXT = `@rt_test_bot <img src=x onerror=window.__xss=1> <script>window.__xss=2</script> <b>bold</b> ${stamp}`;
// Update ids must grow across the e2e stage (the edge keeps its getUpdates offset): this file runs
// after behaviour.test.mjs (now - 30 + n) and before delivery.test.mjs (now - 20 + n).
const updateIdBase = Math.floor(Date.now() / 1000) - 25;
let updateSeq = 0;

let browser;
let page;
let rest;
let tmp;
let shots;
const chatTitleName = (title) => new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

/** "YYYY-MM-DDTHH:MM" of a Date, in UTC: a datetime-local value (the context's clock is UTC). */
const localValue = (d) => d.toISOString().slice(0, 16);

describe('admin console, issue 9 scenarios', { timeout: 300_000 }, () => {
  before(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'rt-console-e2e-'));
    shots = await screenshotDir('console');
    browser = await launch();
    page = await newPage(browser);
    rest = restOf(page);
  });

  after(async () => {
    await browser?.close();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  test('log in', async () => {
    await login(page);
    await mainNav(page).waitFor();
  });

  let exportedFile;
  let presetId;
  let deletedPresetId;

  test('7a. export a preset to a file through the UI (a real download)', async () => {
    const created = await rest('POST', '/api/presets', {
      name: presetName, description: 'exported, deleted and imported by the browser test',
      temperature: 0.7, max_tokens: 321, tone: 'friendly', verbosity: 'short', emotional_intensity: 42,
    });
    assert.equal(created.status, 201, created.text);
    presetId = created.json.id;

    await navigate(page, 'Presets');
    await page.waitForURL('**/presets');
    const row = page.getByRole('table', { name: 'Presets' }).getByRole('row', { name: chatTitleName(presetName) });
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: `Export ${presetName}` }).click(),
    ]);
    assert.match(download.suggestedFilename(), /\.json$/);
    exportedFile = path.join(tmp, download.suggestedFilename());
    await download.saveAs(exportedFile);
    const doc = JSON.parse(await readFile(exportedFile, 'utf8'));
    assert.equal(doc.schema, 'roundtable.presets');
    assert.equal(doc.schema_version, 1);
    assert.equal(doc.presets.length, 1, 'one preset exported');
    const item = doc.presets[0];
    assert.equal(item.name, presetName);
    assert.equal(item.temperature, 0.7);
    assert.equal(item.max_tokens, 321);
    assert.equal(item.tone, 'friendly');
    assert.equal(item.verbosity, 'short');
    assert.equal(item.emotional_intensity, 42);
  });

  test('7b. delete the preset after confirming', async () => {
    const row = page.getByRole('table', { name: 'Presets' }).getByRole('row', { name: chatTitleName(presetName) });
    await row.getByRole('button', { name: `Delete ${presetName}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete preset “${presetName}”?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await confirm.waitFor({ state: 'detached' });
    await row.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    deletedPresetId = presetId;
    const gone = await rest('GET', `/api/presets/${presetId}`);
    assert.equal(gone.status, 404, gone.text);
  });

  test('7c. a file that is not a preset export is refused in the dialog', async () => {
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import presets' });
    const bad = path.join(tmp, 'not-presets.json');
    await writeFile(bad, JSON.stringify({ schema: 'something.else', presets: 'no' }));
    await dialog.getByLabel('Preset file (JSON)').setInputFiles(bad);
    await dialog.getByText('This is not a roundtable preset file.').waitFor();
    assert.equal(await dialog.getByRole('button', { name: 'Import', exact: true }).isDisabled(), true);
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
  });

  test('7d. import the exported file (a real upload): the preset is back with its parameters', async () => {
    await page.getByRole('button', { name: 'Import…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Import presets' });
    await dialog.getByLabel('Preset file (JSON)').setInputFiles(exportedFile);
    await dialog.getByText('Presets in the file: 1').waitFor();
    await dialog.getByRole('button', { name: 'Import', exact: true }).click();
    const status = dialog.getByRole('status');
    await status.getByText('Imported.').waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.match(await status.textContent(), new RegExp(`Created: ${presetName}`));
    await page.screenshot({ path: path.join(shots, 'preset-imported.png') });
    await dialog.getByRole('button', { name: 'Close' }).first().click();
    await dialog.waitFor({ state: 'detached' });

    const row = page.getByRole('table', { name: 'Presets' }).getByRole('row', { name: chatTitleName(presetName) });
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const text = await row.textContent();
    assert.match(text, /0\.7/);
    assert.match(text, /321/);
    assert.match(text, /friendly/);
    const list = await rest('GET', `/api/presets?q=${encodeURIComponent(presetName)}`);
    assert.equal(list.status, 200, list.text);
    const back = list.json.items.filter((p) => p.name === presetName);
    assert.equal(back.length, 1, 'exactly one preset of that name');
    assert.notEqual(back[0].id, presetId, 'a new row, not the deleted one');
    presetId = back[0].id;
  });

  const now = new Date();
  const old = new Date(now.getTime() - 3 * 3600_000);
  const texts = {
    oldAlpha: `alpha early ${stamp}`,
    newAlpha: `alpha recent ${stamp}`,
    beta: `beta recent ${stamp}`,
  };

  test('8a. filter a chat history by keyword, then by time', async () => {
    let mid = 0;
    const msg = (text, date) => groupMessage({
      updateId: updateIdBase + ++updateSeq, chatId: filterChat.id, title: filterChat.title, messageId: ++mid, user, text,
      date: Math.floor(date.getTime() / 1000),
    });
    await pushUpdates([msg(texts.oldAlpha, old), msg(texts.newAlpha, now), msg(texts.beta, now)]);

    await navigate(page, 'Chats');
    const link = page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: chatTitleName(filterChat.title) });
    await link.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await link.click();
    await page.waitForURL(`**/chats/${filterChat.id}`);
    const stream = page.getByRole('log', { name: `Messages in ${filterChat.title}` });
    for (const t of Object.values(texts)) await stream.getByText(t, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });

    const filters = page.getByRole('search', { name: 'History filters' });
    await filters.getByRole('searchbox', { name: 'Keyword' }).fill('alpha');
    await stream.getByText(texts.beta, { exact: true }).waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    await stream.getByText(texts.oldAlpha, { exact: true }).waitFor();
    await stream.getByText(texts.newAlpha, { exact: true }).waitFor();

    // From one hour ago: the early alpha (three hours old) drops out.
    await filters.getByLabel('From').fill(localValue(new Date(now.getTime() - 3600_000)));
    await stream.getByText(texts.oldAlpha, { exact: true }).waitFor({ state: 'detached', timeout: LIVE_TIMEOUT_MS });
    await stream.getByText(texts.newAlpha, { exact: true }).waitFor();
    assert.equal(await stream.getByText(texts.beta, { exact: true }).count(), 0);
    await page.screenshot({ path: path.join(shots, 'history-filtered.png') });
  });

  test('8b. the filtered view lives in the URL: reloading it shows the same view', async () => {
    const from = localValue(new Date(now.getTime() - 3600_000));
    await page.waitForFunction(() => new URL(window.location.href).searchParams.get('q') === 'alpha', null, { timeout: LIVE_TIMEOUT_MS });
    const url = new URL(page.url());
    assert.equal(url.pathname, `/chats/${filterChat.id}`);
    assert.equal(url.searchParams.get('q'), 'alpha');
    assert.equal(url.searchParams.get('from'), from);

    // The shared link, opened in another tab of the same admin: same filters, same messages.
    const other = await page.context().newPage();
    try {
      await other.goto(url.toString());
      await liveStatus(other).waitFor({ timeout: LIVE_TIMEOUT_MS });
      const filters = other.getByRole('search', { name: 'History filters' });
      assert.equal(await filters.getByRole('searchbox', { name: 'Keyword' }).inputValue(), 'alpha');
      assert.equal(await filters.getByLabel('From').inputValue(), from);
      const stream = other.getByRole('log', { name: `Messages in ${filterChat.title}` });
      await stream.getByText(texts.newAlpha, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      assert.equal(await stream.getByText(texts.oldAlpha, { exact: true }).count(), 0);
      assert.equal(await stream.getByText(texts.beta, { exact: true }).count(), 0);

      // A plain reload of this very page keeps it too; clearing the filters clears the URL.
      await page.reload();
      const again = page.getByRole('log', { name: `Messages in ${filterChat.title}` });
      await again.getByText(texts.newAlpha, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      assert.equal(await again.getByText(texts.beta, { exact: true }).count(), 0);
      await page.getByRole('search', { name: 'History filters' }).getByRole('button', { name: 'Clear filters' }).click();
      await again.getByText(texts.beta, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT_MS });
      await page.waitForFunction(() => !new URL(window.location.href).searchParams.get('q'));
    } finally {
      await other.close();
    }
  });

  test('5 + XSS: auto-reply off, a group @mention notifies; its HTML and script (and the chat title\'s) show as text and run nothing', async () => {
    // Mentions need the bot's username (the edge stores getMe's, bot.username); an unanswered
    // mention (auto-reply off) notifies the admins.
    const settings = await rest('GET', '/api/settings');
    assert.equal(settings.status, 200, settings.text);
    if (settings.json.items.find((s) => s.key === 'bot.username')?.value !== 'rt_test_bot') {
      const put = await rest('PUT', '/api/settings/bot.username', { value: 'rt_test_bot' });
      assert.equal(put.status, 200, put.text);
    }
    await navigate(page, 'Chats');
    await page.waitForURL('**/chats');
    await page.evaluate(() => { delete window.__xss; });

    await pushUpdates([groupMessage({
      updateId: updateIdBase + ++updateSeq, chatId: xssChat.id, title: xssChat.title, messageId: 1, user, text: `first ${stamp}`,
    })]);
    const link = page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: chatTitleName(xssChat.title) });
    await link.waitFor({ timeout: LIVE_TIMEOUT_MS });
    // Scenario 5: turn auto-reply off in the chat's controls (a new group may start with it on or off).
    await link.click();
    await page.waitForURL(`**/chats/${xssChat.id}`);
    const autoreply = page.getByRole('complementary', { name: 'Chat controls' }).getByRole('switch', { name: 'Auto-reply' });
    await autoreply.waitFor();
    if ((await autoreply.getAttribute('aria-checked')) === 'false') {
      await autoreply.click();
      await page.waitForFunction(() => document.querySelector('[role="switch"][aria-checked]')?.getAttribute('aria-checked') === 'true');
    }
    await autoreply.click();
    await page.waitForFunction(() => document.querySelector('[role="switch"][aria-checked]')?.getAttribute('aria-checked') === 'false');
    const chatNow = await rest('GET', `/api/chats?q=${encodeURIComponent(stamp)}&limit=50`);
    assert.equal(chatNow.json.items.find((c) => c.id === xssChat.id)?.autoreply, false, 'the server has auto-reply off');

    // ...and an @mention in the group raises a notification: a toast, with the text literally.
    await pushUpdates([groupMessage({
      updateId: updateIdBase + ++updateSeq, chatId: xssChat.id, title: xssChat.title, messageId: 2, user, text: XSS_TEXT,
      entities: [{ type: 'mention', offset: 0, length: '@rt_test_bot'.length }],
    })]);
    // The toast's title names who and where ("Greta mentioned the bot in XSS <img …>"), literally.
    const toast = page.getByRole('listitem').filter({ hasText: /mentioned/ }).filter({ hasText: stamp }).last();
    await toast.waitFor({ timeout: LIVE_TIMEOUT_MS });
    await toast.getByText('<img src=x onerror=window.__xss=1>', { exact: false }).first().waitFor();
    assert.ok((await toast.textContent()).includes(xssChat.title), `the toast names the chat: ${await toast.textContent()}`);
    // The chat list's preview and title, literally.
    await link.getByText(XSS_TEXT, { exact: false }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.match(await link.textContent(), /<img src=x onerror=window\.__xss=3>/);
    // The stream, literally.
    const stream = page.getByRole('log', { name: `Messages in ${xssChat.title}` });
    const article = stream.getByRole('article').filter({ hasText: '<script>window.__xss=2</script>' });
    await article.waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.match(await article.textContent(), /<img src=x onerror=window\.__xss=1>/);
    assert.match(await article.textContent(), /<b>bold<\/b>/);

    // The bell's list shows it literally too.
    await page.getByRole('button', { name: /^Notifications, \d+ unacknowledged$/ }).click();
    const panel = page.getByRole('region', { name: 'Notifications', exact: true });
    const item = panel.getByRole('listitem').filter({ hasText: '<script>window.__xss=2</script>' }).first();
    await item.waitFor({ timeout: LIVE_TIMEOUT_MS });
    assert.match(await item.textContent(), /auto-reply is off in this chat/, 'the notification says why the bot kept quiet');
    await page.screenshot({ path: path.join(shots, 'xss-chat.png') });
    await page.keyboard.press('Escape');

    const dom = await page.evaluate(() => ({
      xss: window.__xss,
      imgs: document.querySelectorAll('img[src="x"]').length,
      scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__xss')).length,
      bolds: [...document.querySelectorAll('b')].filter((b) => b.textContent === 'bold').length,
    }));
    assert.deepEqual(dom, { xss: undefined, imgs: 0, scripts: 0, bolds: 0 });
    assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
  });

  test('the app shell never scrolls as a whole, even after "Preview for one message" grows the controls', async () => {
    // The XSS chat is open (previous test); at 1440x900 the controls are inline.
    await page.waitForURL(`**/chats/${xssChat.id}`);
    const controls = page.getByRole('complementary', { name: 'Chat controls' });
    const preview = controls.getByRole('button', { name: 'Preview for one message' });
    await preview.scrollIntoViewIfNeeded();
    await preview.click();
    const result = controls.getByText('With these values the next reply would use:');
    await result.waitFor({ timeout: LIVE_TIMEOUT_MS });
    // The shell clips the document to the viewport, so the size checks below hold by CSS; what
    // shows the panes work is that the grown panel scrolls on its own: its last control is
    // reachable and, once scrolled to, both it and the header are in view, and the document
    // itself has not moved.
    const last = controls.getByRole('button').last();
    await last.scrollIntoViewIfNeeded();
    await assertInViewport(page, last, 'the last control of the grown panel');
    await assertInViewport(page, page.getByRole('banner'), 'the header after scrolling the panel');
    await page.mouse.wheel(0, 4000);
    assert.equal(await page.evaluate(() => (document.scrollingElement ?? document.documentElement).scrollTop), 0,
      'the document does not scroll');
    await result.scrollIntoViewIfNeeded();
    const box = await documentBox(page);
    assert.ok(box.scrollHeight <= box.innerHeight, `the document scrolls: scrollHeight ${box.scrollHeight} > innerHeight ${box.innerHeight}`);
    assert.ok(box.scrollWidth <= box.clientWidth, `the document overflows sideways: ${box.scrollWidth} > ${box.clientWidth}`);
    await assertInViewport(page, page.getByRole('banner'), 'the header');
  });

  test('10a. the audit log holds the actions above', async () => {
    await navigate(page, 'Audit');
    await page.waitForURL('**/audit');
    const table = page.getByRole('table', { name: 'Audit log' });
    await table.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const deleted = await rest('GET', `/api/audit?target=preset:${deletedPresetId}&limit=50`);
    assert.equal(deleted.status, 200, deleted.text);
    const imported = await rest('GET', `/api/audit?target=preset:${presetId}&limit=50`);
    assert.equal(imported.status, 200, imported.text);
    assert.deepEqual(deleted.json.items.map((e) => e.action).sort(), ['preset.delete', 'preset.insert'], 'created over REST, deleted in the UI');
    assert.deepEqual(imported.json.items.map((e) => e.action), ['preset.insert'], 'created by the import');
    assert.equal(imported.json.items[0].after.name, presetName);
    const chat = await rest('GET', `/api/audit?target=chat:${xssChat.id}&action=chat.update&limit=50`);
    assert.equal(chat.status, 200, chat.text);
    assert.ok(chat.json.items.some((e) => e.after?.autoreply === false), 'auto-reply switched off in the XSS chat, audited');
    // The table shows them (newest first: they are on the first page).
    await table.getByRole('row').filter({ hasText: 'preset.delete' }).first().waitFor();
    await page.screenshot({ path: path.join(shots, 'audit-en.png') });
  });

  test('10b. audit entries name who and what (admin login, preset name), ids in the detail', async () => {
    const audit = await rest('GET', `/api/audit?target=preset:${deletedPresetId}&limit=50`);
    const entry = audit.json.items.find((e) => e.action === 'preset.delete');
    assert.ok(entry, 'a preset.delete entry');
    assert.equal(entry.actor_name, ADMIN_LOGIN, 'actor_name is the admin login');
    assert.equal(entry.target_name, presetName, 'target_name is the preset name (of a deleted preset, from the entry)');

    const table = page.getByRole('table', { name: 'Audit log' });
    const row = table.getByRole('row').filter({ hasText: 'preset.delete' }).filter({ hasText: presetName }).first();
    await row.waitFor({ timeout: LIVE_TIMEOUT_MS });
    const visible = await row.innerText();
    assert.match(visible, new RegExp(`\\b${ADMIN_LOGIN}\\b`));
    assert.doesNotMatch(visible, /admin:\d+/, 'no raw actor id in the row');
    assert.doesNotMatch(visible, /preset:\d+/, 'no raw target id in the row');

    // The chat's switch names the chat by its title, as text (the title is the XSS one).
    const chatEntries = await rest('GET', `/api/audit?target=chat:${xssChat.id}&limit=50`);
    assert.equal(chatEntries.json.items[0].target_name, xssChat.title);
    const chatRow = table.getByRole('row').filter({ hasText: 'chat.update' }).filter({ hasText: xssChat.title }).first();
    await chatRow.waitFor();
    assert.doesNotMatch(await chatRow.innerText(), new RegExp(`chat:${xssChat.id}`), 'no raw chat id in the row');

    await row.click();
    const details = page.getByRole('dialog', { name: 'Change details' });
    await details.waitFor();
    const text = await details.textContent();
    assert.match(text, chatTitleName(presetName));
    assert.match(text, /0\.7/, 'the before side of the diff shows the deleted values');
    // The raw ids stay available: in the detail view or on hover (a title).
    const titles = await page.locator('[title]').evaluateAll((els) => els.map((e) => e.getAttribute('title')).join(' '));
    assert.match(`${text} ${titles}`, new RegExp(`preset:${deletedPresetId}|#${deletedPresetId}\\b`), 'the raw target id in the detail or on hover');
    assert.match(`${text} ${titles}`, /admin:\d+/, 'the raw actor id in the detail or on hover');
    await page.screenshot({ path: path.join(shots, 'audit-details.png') });
    await page.keyboard.press('Escape');
    await details.waitFor({ state: 'detached' });
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'the XSS chat title ran nothing on the audit page');
  });

  test('the controls panel beside the chat at 1440 px: parameter names fit (values truncate by design, whole on hover), in English and Russian', async () => {
    const storageState = await page.context().storageState();
    for (const [lang, table] of [['en', 'Effective parameters'], ['ru', 'Действующие параметры']]) {
      const p = await newPage(browser, { lang, storageState });
      try {
        await p.goto(`${BASE_URL}/chats/${filterChat.id}`);
        const cells = p.getByRole('complementary').getByRole('table', { name: table }).locator('tbody th');
        await cells.first().waitFor({ timeout: LIVE_TIMEOUT_MS });
        const problems = [];
        for (const cell of await cells.all()) {
          await assertTextFits(cell, `${lang}: "${(await cell.textContent()).trim()}"`).catch((e) => problems.push(e.message.split('\n')[0]));
        }
        assert.deepEqual(problems, [], `${lang}:\n  ${problems.join('\n  ')}`);
      } finally {
        await p.context().close();
      }
    }
  });

  test('screenshots: the main screens in English and Russian, light and dark', async () => {
    const storageState = await page.context().storageState();
    const screens = [
      ['chats', `/chats/${filterChat.id}`, (p) => p.getByRole('log').first()],
      ['sessions', '/sessions', (p) => p.getByRole('button', { name: /^(New session|Новая сессия)$/ })],
      ['presets', '/presets', (p) => p.getByRole('table').first()],
      ['providers', '/providers', (p) => p.getByRole('table').first()],
      ['settings', '/settings', (p) => p.getByRole('spinbutton').first()],
      ['audit', '/audit', (p) => p.getByRole('table').first()],
    ];
    for (const lang of ['en', 'ru']) {
      for (const colorScheme of ['light', 'dark']) {
        const p = await newPage(browser, { lang, colorScheme, storageState });
        try {
          for (const [name, url, ready] of screens) {
            await p.goto(`${BASE_URL}${url}`);
            await liveStatus(p).waitFor({ timeout: LIVE_TIMEOUT_MS });
            await ready(p).waitFor({ timeout: LIVE_TIMEOUT_MS });
            assert.equal(await p.evaluate(() => document.documentElement.lang), lang, `${name}: <html lang> follows the language`);
            await p.screenshot({ path: path.join(shots, `${name}-${lang}-${colorScheme}.png`) });
          }
          assert.deepEqual(p.errors, [], `no uncaught errors (${lang}, ${colorScheme})`);
        } finally {
          await p.context().close();
        }
      }
    }
  });
});
