// Browser end-to-end, issue 9 scenario 12: the main screens (chats with a chat open, sessions,
// presets, providers, settings, audit) on a 390×844 phone and a 1024×768 tablet, nothing clipped
// or hidden: the document never scrolls sideways nor as a whole (each pane scrolls on its own),
// the header stays in view, every navigation link is reachable (inline, or through the "Menu"
// drawer below 1024 px), and on the chat screen the composer, the history filters and the
// controls (inline, or through the "Controls" drawer below 1280 px) are reachable; below 768 px
// the chat list opens from a "Chats" button. The chat screen is also checked in Russian (longer
// labels: placeholders and parameter names must fit). Screenshots: tests/e2e/screenshots/responsive/.
//
// Env: RT_BASE_URL, ADMIN_LOGIN, ADMIN_PASSWORD, TELEGRAM_FAKE_URL (tests/lib/with-edge.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { BASE_URL, runStamp } from '../lib/browser.mjs';
import {
  LIVE_TIMEOUT_MS, assertInViewport, assertNotClipped, assertNotCovered, assertTextFits, documentBox, groupMessage, launch, login, mainNav, newPage,
  pushUpdates, screenshotDir,
} from '../lib/console-e2e.mjs';

const stamp = runStamp();
const chat = { id: -(1_009_000_000_000 + Math.floor(Math.random() * 900_000_000)), title: `Responsive ${stamp}` };
const user = { id: 820_000_000 + Math.floor(Math.random() * 80_000_000), firstName: 'Hanna', username: `h_${stamp}` };
// Update ids grow across the e2e stage: this file runs after live.test.mjs (now + 1, now + 2).
const updateIdBase = Math.floor(Date.now() / 1000) + 10;

const VIEWPORTS = [
  { width: 390, height: 844 },
  { width: 1024, height: 768 },
];
// The names the checks look for, per language (the Russian run covers the chat screen, where the
// issue saw labels broken mid-word and placeholders cut off).
const L = {
  en: {
    menu: 'Menu', more: /^More/, mainNav: /^Main/, chats: 'Chats', controls: 'Controls', autoreply: 'Auto-reply', effective: 'Effective parameters',
    reply: 'Reply text', asAdmin: 'Reply as admin', asBot: 'Reply as bot', hint: /^Sending by hand pauses auto-reply/,
    filters: 'History filters', keyword: 'Keyword', from: 'From', to: 'To', stream: (t) => `Messages in ${t}`,
    nav: ['Chats', 'Sessions', 'Presets', 'Providers', 'Personalities', 'Playbooks', 'Moderation', 'Queue', 'Usage', 'Audit', 'Admins', 'Settings'],
  },
  ru: {
    menu: 'Меню', more: /^Ещё/, mainNav: /^Главн/, chats: 'Чаты', controls: 'Управление', autoreply: 'Автоответ', effective: 'Действующие параметры',
    reply: 'Текст ответа', asAdmin: 'Ответить как админ', asBot: 'Ответить как бот', hint: /^Ручная отправка ставит автоответ/,
    filters: 'Фильтры истории', keyword: 'Ключевое слово', from: 'С', to: 'По', stream: (t) => `Сообщения в ${t}`,
    nav: ['Чаты', 'Сессии', 'Пресеты', 'Провайдеры', 'Личности', 'Плейбуки', 'Модерация', 'Очередь', 'Расход', 'Журнал', 'Админы', 'Настройки'],
  },
};
const SCREENS = [
  ['chats', () => `/chats/${chat.id}`, (p) => p.getByRole('log', { name: `Messages in ${chat.title}` })],
  ['chats-ru', () => `/chats/${chat.id}`, (p) => p.getByRole('log', { name: `Сообщения в ${chat.title}` }), 'ru'],
  ['sessions', () => '/sessions', (p) => p.getByRole('button', { name: 'New session' })],
  ['presets', () => '/presets', (p) => p.getByRole('button', { name: 'New preset' })],
  ['providers', () => '/providers', (p) => p.getByRole('button', { name: 'New provider' })],
  ['settings', () => '/settings', (p) => p.getByRole('spinbutton', { name: 'Takeover minutes' })],
  ['audit', () => '/audit', (p) => p.getByRole('table', { name: 'Audit log' })],
];

let browser;
let storageState;
let shots;

/** A button with this name that is visible now, or null. */
async function visibleButton(page, name) {
  const b = page.getByRole('button', { name, exact: true });
  for (let i = 0; i < (await b.count()); i++) if (await b.nth(i).isVisible()) return b.nth(i);
  return null;
}

/** Opens a drawer with its button and returns the dialog; the caller closes it with Escape. */
async function openDrawer(page, button, what) {
  await assertInViewport(page, button, `the "${what}" button`);
  await button.click();
  const dialog = page.getByRole('dialog').last();
  await dialog.waitFor({ state: 'visible' });
  return dialog;
}

async function closeDrawer(page, dialog) {
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
}

/** The document neither overflows sideways nor scrolls as a whole. */
async function assertShellFits(page, where) {
  const box = await documentBox(page);
  assert.ok(box.scrollWidth <= box.clientWidth, `${where}: no horizontal overflow (scrollWidth ${box.scrollWidth} > clientWidth ${box.clientWidth})`);
  assert.ok(box.scrollHeight <= box.innerHeight, `${where}: the app shell does not scroll as a whole (scrollHeight ${box.scrollHeight} > innerHeight ${box.innerHeight})`);
}

/** Every main navigation link is reachable: inline and unclipped, or inside the "Menu" drawer. */
async function assertNavReachable(page, where, l) {
  const menu = await visibleButton(page, l.menu);
  if (page.viewportSize().width < 1024) assert.ok(menu, `${where}: a "Menu" button below 1024 px`);
  if (menu) {
    const drawer = await openDrawer(page, menu, 'Menu');
    const nav = drawer.getByRole('navigation', { name: l.mainNav });
    for (const name of l.nav) {
      const link = nav.getByRole('link', { name, exact: true });
      await link.scrollIntoViewIfNeeded();
      await assertInViewport(page, link, `${where}: nav link ${name} in the drawer`);
    }
    await closeDrawer(page, drawer);
    return;
  }
  // Inline: each link in the bar, whole; those that do not fit are in its "More" menu.
  const nav = mainNav(page);
  const hidden = [];
  for (const name of l.nav) {
    const link = nav.getByRole('link', { name, exact: true });
    if (!(await link.isVisible())) {
      hidden.push(name);
      continue;
    }
    await assertInViewport(page, link, `${where}: nav link ${name}`);
    await assertNotClipped(link, `${where}: nav link ${name}`);
  }
  if (hidden.length === 0) return;
  const more = nav.getByRole('button', { name: l.more });
  assert.ok(await more.isVisible(), `${where}: links ${hidden.join(', ')} are neither in the bar nor behind a "More" button`);
  await assertInViewport(page, more, `${where}: the "More" button`);
  await more.click();
  for (const name of hidden) {
    const link = nav.getByRole('link', { name, exact: true });
    await assertInViewport(page, link, `${where}: nav link ${name} in the More menu`);
    await assertNotCovered(link, `${where}: nav link ${name} in the More menu`);
  }
  await page.keyboard.press('Escape');
  await nav.getByRole('link', { name: hidden[0], exact: true }).waitFor({ state: 'hidden' });
}

describe('the main screens at 390 px and 1024 px', { timeout: 300_000 }, () => {
  before(async () => {
    shots = await screenshotDir('responsive');
    browser = await launch();
    const page = await newPage(browser);
    await login(page);
    await pushUpdates([1, 2, 3].map((n) => groupMessage({
      updateId: updateIdBase + n, chatId: chat.id, title: chat.title, messageId: n, user,
      text: n === 3 ? `a long line to wrap on a phone: ${'lorem ipsum dolor sit amet '.repeat(8)}${stamp}` : `message ${n} ${stamp}`,
    })));
    await page.getByRole('navigation', { name: 'Chats' }).getByRole('link', { name: new RegExp(chat.title) })
      .waitFor({ timeout: LIVE_TIMEOUT_MS });
    storageState = await page.context().storageState();
    await page.context().close();
  });

  after(async () => {
    await browser?.close();
  });

  for (const viewport of VIEWPORTS) {
    const w = viewport.width;
    for (const [name, url, ready, lang = 'en'] of SCREENS) {
      const l = L[lang];
      test(`${name} at ${w}×${viewport.height}: nothing clipped or hidden`, async () => {
        const page = await newPage(browser, { ...viewport, lang, storageState });
        try {
          await page.goto(`${BASE_URL}${url()}`);
          await ready(page).waitFor({ timeout: LIVE_TIMEOUT_MS });
          await page.screenshot({ path: path.join(shots, `${name}-${w}.png`) });
          const where = `${name} at ${w}px`;
          // Every check runs and all problems are reported together (one screen, one list).
          const problems = [];
          const check = async (fn) => {
            try {
              await fn();
            } catch (error) {
              problems.push(error.message.split('\n')[0]);
              await page.keyboard.press('Escape').catch(() => {});
            }
          };
          await check(() => assertShellFits(page, where));
          await check(() => assertInViewport(page, page.getByRole('banner'), `${where}: the header`));
          await check(() => assertNavReachable(page, where, l));
          if (name.startsWith('chats')) await chatScreen(page, where, w, check, l);
          await check(() => assertShellFits(page, `${where}, after the drawers`));
          assert.deepEqual(problems, [], `${where}:\n  ${problems.join('\n  ')}`);
          assert.deepEqual(page.errors, [], 'no uncaught errors in the page');
        } finally {
          await page.context().close();
        }
      });
    }
  }
});

/** The chat screen: list, filters, composer and controls reachable. */
async function chatScreen(page, where, w, check, l) {
  await check(() => chatList(page, where, w, l));
  await check(() => composer(page, where, l));
  await check(() => historyFilters(page, where, l));
  await check(() => controls(page, where, w, l));
}

async function chatList(page, where, w, l) {
  // The chat list: inline, or from a "Chats" button below 768 px.
  const chatsButton = await visibleButton(page, l.chats);
  if (w < 768) assert.ok(chatsButton, `${where}: a "Chats" button below 768 px`);
  if (chatsButton) {
    const drawer = await openDrawer(page, chatsButton, 'Chats');
    const link = drawer.getByRole('link', { name: new RegExp(chat.title) });
    await assertInViewport(page, link, `${where}: the open chat in the chat list drawer`);
    await page.screenshot({ path: path.join(shots, `${where.split(' ')[0]}-${w}-list.png`) });
    await closeDrawer(page, drawer);
  } else {
    const link = page.getByRole('navigation', { name: l.chats }).getByRole('link', { name: new RegExp(chat.title) });
    await assertInViewport(page, link, `${where}: the open chat in the chat list`);
  }
}

async function composer(page, where, l) {
  for (const [role, label] of [['textbox', l.reply], ['button', l.asAdmin], ['button', l.asBot]]) {
    const el = page.getByRole(role, { name: label, exact: true });
    await assertInViewport(page, el, `${where}: ${label}`);
    await assertNotClipped(el, `${where}: ${label}`);
    await assertNotCovered(el, `${where}: ${label}`);
  }
  // Its hint is whole (the issue: "the composer hint is cut off").
  const hint = page.getByText(l.hint);
  if (await hint.count()) await assertTextFits(hint.first(), `${where}: the composer hint`);
}

/** Each history filter visible and whole (the issue: "To" clipped at 1024 px). */
async function historyFilters(page, where, l) {
  const filters = page.getByRole('search', { name: l.filters });
  for (const label of [l.keyword, l.from, l.to]) {
    const field = filters.getByLabel(label, { exact: true });
    await field.scrollIntoViewIfNeeded();
    await assertInViewport(page, field, `${where}: filter ${label}`);
    await assertNotClipped(field, `${where}: filter ${label}`);
    await assertNotCovered(field, `${where}: filter ${label}`);
  }
  // Placeholders are whole (the issue: "Найти пользов…").
  for (const field of await filters.getByRole('searchbox').all()) {
    await assertTextFits(field, `${where}: filter "${await field.getAttribute('placeholder')}"`);
  }
}

/** The controls: in a drawer from "Controls" below 1280 px. */
async function controls(page, where, w, l) {
  const controlsButton = await visibleButton(page, l.controls);
  assert.ok(controlsButton, `${where}: a "Controls" button below 1280 px`);
  const drawer = await openDrawer(page, controlsButton, 'Controls');
  const autoreply = drawer.getByRole('switch', { name: l.autoreply });
  await assertInViewport(page, autoreply, `${where}: the Auto-reply switch in the controls drawer`);
  // Every parameter name of the effective parameters is whole (the issue: "Эмоциональ ность" broken, and
  // at 1440 px the Russian label ran into its value).
  const cells = drawer.getByRole('table', { name: l.effective }).locator('tbody th');
  for (const cell of await cells.all()) await assertTextFits(cell, `${where}: effective parameters cell`);
  await page.screenshot({ path: path.join(shots, `${where.split(' ')[0]}-${w}-controls.png`) });
  await closeDrawer(page, drawer);
}
