// The SPA as a browser loads it (issue 9): a direct load of each lazy screen logs nothing to the
// console (react-router warned "No `HydrateFallback` element provided" on every one) and shows
// the layout; chromium gets the bundles brotli-compressed from the build's .br siblings, and the
// entry's hashed bundles as immutable.
//
// Env: RT_BASE_URL (rt-edge serving a build of frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, openBrowser } from '../lib/browser.mjs';

let browser;
let page;
let pageErrors;
const consoleMessages = [];
const assets = new Map(); // url -> headers

before(async () => {
  ({ browser, page, pageErrors } = await openBrowser());
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') consoleMessages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('response', (r) => {
    if (new URL(r.url()).pathname.startsWith('/assets/')) assets.set(r.url(), r.headers());
  });
  await page.goto(`${BASE_URL}/login`);
  await page.getByLabel('Login').fill(ADMIN_LOGIN);
  await page.getByLabel('Password').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/chats/);
});
after(async () => {
  await browser?.close();
});

test('a direct load of each lazy screen logs nothing to the console', async () => {
  for (const p of ['/presets', '/sessions', '/audit', '/chats', '/settings']) {
    consoleMessages.length = 0;
    await page.goto(`${BASE_URL}${p}`);
    await page.getByRole('navigation').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok(!page.url().endsWith('/login'), `${p}: still signed in`);
    assert.deepEqual(consoleMessages, [], `${p}: console warnings or errors on a direct load`);
  }
  assert.deepEqual(pageErrors, []);
});

test('the bundles arrive brotli-compressed and immutable', async () => {
  const js = [...assets].filter(([url]) => url.endsWith('.js'));
  assert.ok(js.length >= 2, `the entry and a lazy chunk were loaded (${js.length})`);
  assert.ok(js.filter(([, h]) => h['content-encoding'] === 'br').length >= 2, 'the entry and a lazy chunk in brotli');
  for (const [url, h] of js) {
    // the build keeps a sibling only when smaller: a chunk of a few bytes goes as it is
    if (h['content-encoding'] !== 'br') assert.ok(Number(h['content-length']) < 256, `${url}: brotli (${h['content-encoding']}, ${h['content-length']} bytes)`);
    assert.equal(h['cache-control'], 'public, max-age=31536000, immutable', `${url}: immutable`);
    assert.match(h['content-type'], /^text\/javascript/, `${url}: the bundle's own type`);
  }
});
