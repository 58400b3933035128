// Helpers of the issue-9 console browser tests (tests/e2e/console.test.mjs, responsive.test.mjs):
// a chromium with one context per viewport / language / colour scheme (UTC clock, so the
// history filters' datetime-local values are UTC as the contract says), a login through the
// form, REST through the page's own session, Telegram updates on the fake, and layout probes.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, CHROMIUM_ARGS, SCREENSHOTS, TELEGRAM_FAKE_URL, checkWsFrames } from './browser.mjs';

export const LIVE_TIMEOUT_MS = 20_000;

/** The console suites' screenshots: tests/e2e/screenshots/<dir>/ (kept by the e2e stage). */
export async function screenshotDir(dir) {
  const full = path.join(SCREENSHOTS, dir);
  await mkdir(full, { recursive: true });
  return full;
}

export async function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/**
 * A new context and page: viewport, SPA language (localStorage rt.lang before the app loads),
 * prefers-color-scheme, an optional storageState (a logged-in session). Page errors are
 * collected in page.errors.
 */
export async function newPage(browser, { width = 1440, height = 900, lang = 'en', colorScheme = 'light', storageState } = {}) {
  const context = await browser.newContext({
    viewport: { width, height },
    locale: lang === 'ru' ? 'ru-RU' : 'en-US',
    timezoneId: 'UTC',
    colorScheme,
    acceptDownloads: true,
    ...(storageState ? { storageState } : {}),
  });
  await context.addInitScript((l) => window.localStorage.setItem('rt.lang', l), lang);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  checkWsFrames(page, page.errors);
  return page;
}

/** Logs in through the form and waits for the live connection. */
export async function login(page) {
  assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must be set');
  await page.goto(`${BASE_URL}/login`);
  await page.getByLabel('Login').fill(ADMIN_LOGIN);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL('**/chats');
  await liveStatus(page).waitFor({ timeout: LIVE_TIMEOUT_MS });
}

/** The header's connection status once connected (en or ru). */
export const liveStatus = (page) => page.getByRole('status').filter({ hasText: /^(Live|В эфире)$/ });

/** REST through the page's session (its cookie jar), with the CSRF token of /api/auth/me. */
export function restOf(page) {
  let csrf;
  const call = async (method, url, body) => {
    if (!csrf && method !== 'GET') csrf = (await call('GET', '/api/auth/me')).json.csrf_token;
    const res = await page.request.fetch(`${BASE_URL}${url}`, {
      method,
      headers: { ...(csrf ? { 'X-CSRF-Token': csrf } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      data: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: res.status(), json, text };
  };
  return call;
}

/** Queues Telegram updates on the fake; the edge's poller takes them. */
export async function pushUpdates(updates) {
  assert.ok(TELEGRAM_FAKE_URL, 'TELEGRAM_FAKE_URL must be set (run under tests/lib/with-edge.mjs)');
  const res = await fetch(`${TELEGRAM_FAKE_URL}/_fake/updates`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(updates),
  });
  assert.equal(res.status, 200, `fake Telegram refused the update: ${await res.text()}`);
}

/** One group text message as a Telegram update. */
export function groupMessage({ updateId, chatId, title, messageId, user, text, date, entities }) {
  return {
    update_id: updateId,
    message: {
      message_id: messageId,
      date: date ?? Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: 'supergroup', title },
      from: { id: user.id, is_bot: false, first_name: user.firstName, username: user.username },
      text,
      ...(entities ? { entities } : {}),
    },
  };
}

/** The main navigation (its name is "Main" or "Main navigation", per the contract). */
export const mainNav = (page) => page.getByRole('navigation', { name: /^(Main|Главн)/ });

/**
 * Layout of the whole document: no horizontal overflow, and the shell does not scroll as a
 * whole (each pane scrolls on its own). Returns the numbers for messages.
 */
export async function documentBox(page) {
  return page.evaluate(() => {
    const el = document.scrollingElement ?? document.documentElement;
    return {
      scrollWidth: el.scrollWidth,
      clientWidth: el.clientWidth,
      scrollHeight: el.scrollHeight,
      innerHeight: window.innerHeight,
      innerWidth: window.innerWidth,
    };
  });
}

/** Asserts the locator is visible and lies wholly inside the viewport (not clipped off it). */
export async function assertInViewport(page, locator, what, timeout = 5000) {
  await locator.waitFor({ state: 'visible', timeout }).catch((e) => {
    throw new Error(`${what}: not visible (${e.message.split('\n')[0]})`);
  });
  const box = await locator.boundingBox();
  const vp = page.viewportSize();
  assert.ok(box, `${what}: has a box`);
  assert.ok(box.x >= -0.5 && box.y >= -0.5, `${what}: starts inside the viewport (${JSON.stringify(box)})`);
  assert.ok(box.x + box.width <= vp.width + 0.5, `${what}: right edge ${box.x + box.width} inside ${vp.width}`);
  assert.ok(box.y + box.height <= vp.height + 0.5, `${what}: bottom edge ${box.y + box.height} inside ${vp.height}`);
}

/**
 * Asserts no element clips the locator's box: every ancestor with overflow other than visible
 * contains the box (so a link scrolled out of an overflow-x nav, or a field cut by its row,
 * fails). Returns nothing; the message names the clipping ancestor.
 */
export async function assertNotClipped(locator, what) {
  const clip = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const b = a.getBoundingClientRect();
      if (r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5) {
        return `${a.tagName.toLowerCase()}${a.getAttribute('aria-label') ? `[${a.getAttribute('aria-label')}]` : ''} ` +
          `(${Math.round(b.left)},${Math.round(b.top)})-(${Math.round(b.right)},${Math.round(b.bottom)}) clips ` +
          `(${Math.round(r.left)},${Math.round(r.top)})-(${Math.round(r.right)},${Math.round(r.bottom)})`;
      }
    }
    return null;
  });
  assert.equal(clip, null, `${what} is clipped: ${clip}`);
}

/**
 * Asserts nothing is drawn over the locator: the topmost element at its centre and near its
 * left and right edges is the element itself (or inside it, or its label). A field pushed under
 * a neighbouring pane fails here even when no ancestor clips it.
 */
export async function assertNotCovered(locator, what) {
  const covered = await locator.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const y = r.top + r.height / 2;
    const points = [[r.left + 3, y], [r.left + r.width / 2, y], [r.right - 3, y]];
    for (const [x, py] of points) {
      const top = document.elementFromPoint(x, py);
      if (!top) return `nothing at (${Math.round(x)},${Math.round(py)}), off the viewport`;
      if (top === el || el.contains(top) || top.contains(el) || (top.tagName === 'LABEL' && top.control === el)) continue;
      const label = top.getAttribute('aria-label') ?? top.textContent?.trim().slice(0, 40);
      return `${top.tagName.toLowerCase()}${label ? ` "${label}"` : ''} is drawn over it at (${Math.round(x)},${Math.round(py)})`;
    }
    return null;
  });
  assert.equal(covered, null, `${what} is covered: ${covered}`);
}

/**
 * Asserts the locator's text is not cut off: its content is not wider than its box (text-overflow
 * ellipsis or overflow hidden), and an input's placeholder fits the input.
 */
export async function assertTextFits(locator, what) {
  const cut = await locator.evaluate((el) => {
    if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
      if (!el.placeholder || el.value) return null;
      const s = getComputedStyle(el);
      const ctx = document.createElement('canvas').getContext('2d');
      ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      const need = ctx.measureText(el.placeholder).width;
      const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
      // a search field keeps room for its clear button
      return need > room + 1 ? `placeholder "${el.placeholder}" needs ${Math.ceil(need)} px, has ${Math.floor(room)}` : null;
    }
    return el.scrollWidth > el.clientWidth + 1 ? `"${el.textContent.trim().slice(0, 60)}" needs ${el.scrollWidth} px, has ${el.clientWidth}` : null;
  });
  assert.equal(cut, null, `${what} is cut off: ${cut}`);
}

/**
 * Follows a main navigation link wherever the layout puts it: in the header bar, in its "More"
 * menu, or in the "Menu" drawer below 1024 px.
 */
export async function navigate(page, name) {
  const nav = mainNav(page);
  const inline = nav.getByRole('link', { name, exact: true });
  if (await inline.isVisible().catch(() => false)) return inline.click();
  const more = nav.getByRole('button', { name: /^(More|Ещё)/ });
  if (await more.isVisible().catch(() => false)) {
    await more.click();
    return inline.click();
  }
  await page.getByRole('button', { name: /^(Menu|Меню)$/ }).click();
  return page.getByRole('dialog').getByRole('link', { name, exact: true }).click();
}
