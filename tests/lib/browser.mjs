// What every browser test shares: the stack's address and admin login from the environment,
// Debian chromium's launch arguments (npm cannot download browsers here; without the
// background-networking flags chromium dials out at start), and one page with errors collected.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { wsFrameError } from './openapi.mjs';

export const BASE_URL = (process.env.RT_BASE_URL ?? 'http://127.0.0.1:18080').replace(/\/$/, '');
export const ADMIN_LOGIN = process.env.ADMIN_LOGIN ?? 'admin';
export const ADMIN_PASSWORD = process.env.ADMIN_PASSWORD;
export const TELEGRAM_FAKE_URL = process.env.TELEGRAM_FAKE_URL?.replace(/\/$/, '');
export const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), '../e2e/screenshots');

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A random suffix, so a run's chats, presets and providers never meet an earlier run's. */
export const runStamp = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/**
 * Validates every frame the page receives on the edge's /ws against the WebSocket event catalogue
 * (openapi/asyncapi.yaml, tests/lib/openapi.mjs wsFrameError), as the integration suites' openWs
 * does: a frame that does not match is pushed to errors (the suites assert them empty).
 */
export function checkWsFrames(page, errors) {
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname !== '/ws') return;
    ws.on('framereceived', ({ payload }) => {
      let frame;
      try { frame = JSON.parse(String(payload)); } catch { frame = { unparsable: String(payload) }; }
      const bad = wsFrameError(frame);
      if (bad) errors.push(`response not as asyncapi.yaml documents it: ${bad}`);
    });
  });
}

/**
 * Launches chromium with one 1440×900 en-US page (lang: the SPA's language, set before the app
 * loads; null leaves the default). Returns { browser, page, pageErrors }; the caller closes it.
 */
export async function openBrowser({ lang = 'en' } = {}) {
  await mkdir(SCREENSHOTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'en-US' });
  if (lang) await context.addInitScript((l) => window.localStorage.setItem('rt.lang', l), lang);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const pageErrors = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  checkWsFrames(page, pageErrors);
  return { browser, page, pageErrors };
}
