// Browser end-to-end for the AI round table in the admin console: log in, open Sessions, start a
// console-only session (no chat) with a topic and watch two full rounds of the demo speakers
// arrive live — each turn with its speaker, round and tokens — until it ends "all rounds done";
// start a second one and stop it from the console ("stopped by an admin"); find them with the
// list's filters; create, edit and delete a personality; look at the round-table settings.
//
// The participants are every enabled non-demo provider, else the demo model playing each
// personality (docs/design/contract-roundtable.md). Other suites on the same stack may leave
// real providers enabled (pointing at fakes that are gone) or limits set, so this test disables
// the other providers and clears the session limits over REST first, and puts both back after.
//
// Env: RT_BASE_URL (rt-edge serving frontend/dist), ADMIN_LOGIN, ADMIN_PASSWORD.
// Screenshots go to tests/e2e/screenshots/ (git-ignored).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ADMIN_LOGIN, ADMIN_PASSWORD, BASE_URL, SCREENSHOTS, openBrowser, runStamp } from '../lib/browser.mjs';
import { navigate } from '../lib/console-e2e.mjs';

const LIVE_TIMEOUT_MS = 20_000;
// Two rounds of demo turns (each streamed in 35 ms pieces) on a slow, shared box.
const DEBATE_TIMEOUT_MS = 150_000;

const stamp = runStamp();
const topicDone = `E2E debate ${stamp}: should cities ban cars from their centres?`;
const topicStopped = `E2E stopped ${stamp}: is remote work here to stay?`;
const personality = `E2E Moderator ${stamp}`;

let browser;
let page;
let pageErrors = [];
let csrf;
const restoreProviders = [];
const restoreSettings = [];

const shot = (name) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

/** REST through the page's own session (cookie jar shared with the browser). */
async function api(method, url, body) {
  const res = await page.request.fetch(`${BASE_URL}${url}`, {
    method,
    headers: { ...(csrf ? { 'X-CSRF-Token': csrf } : {}), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    data: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status(), json: text ? JSON.parse(text) : null, text };
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
  const settings = await api('GET', '/api/settings');
  assert.equal(settings.status, 200, settings.text);
  const now = Object.fromEntries(settings.json.items.map((s) => [s.key, s.value]));
  const want = {
    'roundtable.max_tokens': null,
    'roundtable.max_cost': null,
    'roundtable.summary_provider': null,
    'roundtable.turn_timeout_sec': 60,
  };
  for (const [key, value] of Object.entries(want)) {
    if (JSON.stringify(now[key] ?? null) === JSON.stringify(value)) continue;
    const res = await api('PUT', `/api/settings/${key}`, { value });
    assert.equal(res.status, 200, res.text);
    restoreSettings.push({ key, value: now[key] ?? null });
  }
}

async function startSession(topic, rounds) {
  await navigate(page, 'Sessions');
  await page.waitForURL('**/sessions');
  await page.getByRole('button', { name: 'New session' }).click();
  const dialog = page.getByRole('dialog', { name: 'New session' });
  await dialog.getByRole('textbox', { name: 'Topic' }).fill(topic);
  await dialog.getByRole('spinbutton', { name: 'Rounds' }).fill(String(rounds));
  await dialog.getByRole('button', { name: 'Create and start' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForURL(/\/sessions\/\d+$/);
  await page.getByText(topic, { exact: true }).first().waitFor();
  return Number(new URL(page.url()).pathname.split('/').pop());
}

describe('admin console, the AI round table', { timeout: 300_000 }, () => {
  before(async () => {
    assert.ok(ADMIN_PASSWORD, 'ADMIN_PASSWORD must be set');
    ({ browser, page, pageErrors } = await openBrowser());
  });

  after(async () => {
    // Put the stack back as other suites left it.
    for (const { id, enabled } of restoreProviders.reverse()) {
      const cur = await api('GET', `/api/providers/${id}`).catch(() => null);
      if (cur?.status === 200) await api('PUT', `/api/providers/${id}`, { enabled, version: cur.json.version }).catch(() => {});
    }
    for (const { key, value } of restoreSettings) await api('PUT', `/api/settings/${key}`, { value }).catch(() => {});
    await browser?.close();
  });

  test('log in; only the demo model takes part', async () => {
    await page.goto(`${BASE_URL}/login`);
    await page.getByLabel('Login').fill(ADMIN_LOGIN);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/chats');
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await demoOnly();
  });

  test('a console-only session: two rounds of labelled demo speakers with tokens, then "all rounds done"', async () => {
    const id = await startSession(topicDone, 2);
    await page.getByRole('heading', { name: `Session #${id}` }).waitFor();
    // Live: the turns arrive without a reload until the session ends by itself.
    const status = page.getByTestId('session-status');
    await page.getByTestId('session-turn').first().waitFor({ timeout: DEBATE_TIMEOUT_MS });
    await shot('roundtable-running.png');
    await status.filter({ hasText: 'finished' }).waitFor({ timeout: DEBATE_TIMEOUT_MS });
    assert.equal((await page.getByTestId('session-stop-reason').textContent()).trim(), 'all rounds done');
    assert.match(await page.getByTestId('session-round').textContent(), /Round 2 of 2/);

    // The participants: the demo model as each personality, labelled "demo · <title>".
    const participants = page.getByRole('table', { name: 'Participants' });
    const rows = participants.getByRole('row');
    const speakers = (await rows.allTextContents()).slice(1);
    assert.ok(speakers.length >= 2, `at least two speakers: ${JSON.stringify(speakers)}`);

    // The history: every speaker in both rounds, each turn with its round and tokens.
    const history = page.getByRole('list', { name: `History of session #${id}` });
    const turns = history.getByTestId('session-turn');
    const n = await turns.count();
    assert.ok(n >= 2 * speakers.length, `${n} turns for ${speakers.length} speakers over 2 rounds`);
    const rounds = new Set();
    const names = new Set();
    for (let i = 0; i < n; i++) {
      const turn = turns.nth(i);
      const round = await turn.getAttribute('data-round');
      if (round === null) continue; // a notice, not a turn
      rounds.add(round);
      names.add(await turn.getAttribute('aria-label'));
      const text = await turn.textContent();
      assert.match(text, new RegExp(`round ${round}`), `turn ${i} says its round`);
      assert.match(text, /\d+ in \/ \d+ out tokens/, `turn ${i} shows its tokens: ${text}`);
    }
    assert.deepEqual([...rounds].sort(), ['1', '2']);
    assert.ok(names.size >= 2, `distinct speakers: ${[...names].join(', ')}`);
    for (const name of names) assert.match(name, / · /, `a labelled speaker: ${name}`);
    // Totals of the whole session.
    assert.match(await page.getByTestId('session-tokens').textContent(), /[1-9][\d,]* in \/ [1-9][\d,]* out/);
    assert.match(await page.getByTestId('session-cost').textContent(), /\$/);
    assert.equal(await page.getByRole('button', { name: 'Stop' }).count(), 0, 'an ended session has no Stop');
    await shot('roundtable-finished.png');
  });

  test('a session stopped from the console says why', async () => {
    const id = await startSession(topicStopped, 20);
    // Mid-debate: at least one turn in.
    await page.getByTestId('session-turn').first().waitFor({ timeout: DEBATE_TIMEOUT_MS });
    await page.getByRole('button', { name: 'Stop' }).click();
    const confirm = page.getByRole('alertdialog', { name: `Stop session #${id}?` });
    await confirm.getByRole('button', { name: 'Stop' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByTestId('session-status').filter({ hasText: 'stopped' }).waitFor({ timeout: LIVE_TIMEOUT_MS });
    await page.getByTestId('session-stop-reason').filter({ hasText: 'stopped by an admin' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Stop' }).count(), 0);
    await shot('roundtable-stopped.png');

    // The same page in Russian.
    await page.getByRole('combobox', { name: 'Language' }).selectOption('ru');
    await page.getByTestId('session-stop-reason').filter({ hasText: 'остановлена администратором' }).waitFor();
    await shot('roundtable-stopped-ru.png');
    await page.getByRole('combobox', { name: 'Язык' }).selectOption('en');
  });

  test('the sessions list filters by state and topic', async () => {
    await page.getByRole('link', { name: 'All sessions' }).click();
    await page.waitForURL('**/sessions');
    const table = page.getByRole('table', { name: 'Sessions' });
    await table.getByRole('link', { name: topicDone }).waitFor();
    await table.getByRole('link', { name: topicStopped }).waitFor();
    await shot('sessions.png');
    const filters = page.getByRole('search', { name: 'Session filters' });
    await filters.getByRole('combobox', { name: 'Status' }).selectOption('stopped');
    await filters.getByRole('searchbox', { name: 'Topic contains' }).fill(stamp);
    await table.getByRole('link', { name: topicDone }).waitFor({ state: 'detached' });
    const rows = table.getByRole('row');
    assert.equal(await rows.count(), 2, 'the header and the stopped session');
    assert.match(await rows.nth(1).textContent(), /stopped by an admin/);
    assert.match(await rows.nth(1).textContent(), /console only/);
  });

  test('personalities: create, edit, delete', async () => {
    await navigate(page, 'Personalities');
    await page.waitForURL('**/personalities');
    const table = page.getByRole('table', { name: 'Personalities' });
    // The seed's two.
    await table.getByRole('cell', { name: 'Оптимист', exact: true }).waitFor();
    await table.getByRole('cell', { name: 'Скептик', exact: true }).waitFor();

    await page.getByRole('button', { name: 'New personality' }).click();
    const dialog = page.getByRole('dialog', { name: 'New personality' });
    await dialog.getByRole('textbox', { name: 'Title' }).fill(personality);
    await dialog.getByRole('textbox', { name: 'Instructions' }).fill('Sum up both sides fairly.');
    await dialog.getByRole('textbox', { name: 'Style' }).fill('Neutral, short.');
    await dialog.getByRole('button', { name: 'Create personality' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = table.getByRole('row', { name: new RegExp(personality) });
    await row.getByText('Sum up both sides fairly.').waitFor();

    // A second one with the same title (any case) is refused (409 naming title), said at the field.
    await page.getByRole('button', { name: 'New personality' }).click();
    const clash = page.getByRole('dialog', { name: 'New personality' });
    const title = clash.getByRole('textbox', { name: 'Title' });
    await title.fill(personality.toUpperCase());
    await clash.getByRole('button', { name: 'Create personality' }).click();
    await clash.getByText(/already exists/).waitFor();
    assert.equal(await title.getAttribute('aria-invalid'), 'true');
    await clash.getByRole('button', { name: 'Cancel' }).click();

    await row.getByRole('button', { name: `Edit ${personality}` }).click();
    const edit = page.getByRole('dialog', { name: `Edit personality “${personality}”` });
    await edit.getByRole('textbox', { name: 'Style' }).fill('Calm and brief.');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await row.getByText('Calm and brief.').waitFor();
    await shot('personalities.png');

    await row.getByRole('button', { name: `Delete ${personality}` }).click();
    const confirm = page.getByRole('alertdialog', { name: `Delete personality “${personality}”?` });
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await row.waitFor({ state: 'detached' });
  });

  test('the provider form picks a personality; settings show the round table', async () => {
    await navigate(page, 'Providers');
    await page.waitForURL('**/providers');
    const demoRow = page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'Demo (built in)' }).first();
    await demoRow.getByRole('button', { name: /^Edit / }).click();
    const dialog = page.getByRole('dialog', { name: /^Edit provider/ });
    const select = dialog.getByRole('combobox', { name: 'Personality' });
    await select.locator('option', { hasText: 'Скептик' }).waitFor({ state: 'attached' });
    await shot('provider-personality.png');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await navigate(page, 'Settings');
    await page.getByRole('spinbutton', { name: 'Rounds' }).waitFor();
    await page.getByText('Environment variable: MAX_ROUNDS').waitFor();
    await page.getByRole('textbox', { name: 'Welcome (/start)' }).waitFor();
    assert.match(
      await page.getByRole('textbox', { name: 'Button: new discussion' }).getAttribute('placeholder'),
      /Новое обсуждение/,
    );
    await shot('settings-roundtable.png');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the page');
  });
});
