// The contract, served (issue 10): GET /api/openapi.yaml is the spec rt-edge was built with (the
// bytes of openapi/openapi.yaml, embedded at build time) and GET /api/docs a page that renders it
// with Swagger UI from the edge's own static files. Both need an admin session of any role: no
// session → 401 problem+json (a browser on /api/docs → 303 to the console's login, and back after
// signing in); a session that ended, or an admin whose role or access changed, loses both at
// once. The page loads in real Chromium, shows the spec's operations, logs no error and asks
// nothing of any host but the edge. Also: the WebSocket event catalogue (openapi/asyncapi.yaml)
// lists every event type the edge or the database can send, and only those.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { startEdge, pgSuper } from '../lib/stack.mjs';
import { request, login } from '../lib/http.mjs';
import { assertProblem, assertResponse, operations, spec, wsEvents, wsFrameError, validated, SPEC_PATH } from '../lib/openapi.mjs';
import { roleClients, client, uniq } from '../lib/api.mjs';
import { openBrowser, SCREENSHOTS } from '../lib/browser.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';
let edge; let as;

before(async () => {
  edge = await startEdge({ name: 'api-docs' });
  as = await roleClients(edge.url, ['viewer']);
});
after(async () => {
  const exit = edge ? await edge.stop() : { code: 0, signal: null };
  assert.deepEqual(exit, { code: 0, signal: null }, `rt-edge should exit 0 on SIGTERM (log ${edge?.logPath})`);
});

/** A new admin of this role, logged in: { api, id, creds }. */
async function freshAdmin(role) {
  const db = await pgSuper();
  const creds = { login: `docs-${role}-${uniq()}`, password: `pw-${uniq()}-${uniq()}` };
  try {
    await db.query('SELECT rt.create_admin($1, $2, $3)', [creds.login, creds.password, role]);
  } finally {
    await db.end();
  }
  const session = await login(edge.url, creds.login, creds.password);
  return { api: client(edge.url, session, creds), id: session.admin.id, creds, csrf: session.csrf };
}

test('no session: 401 problem+json on both routes; a browser on /api/docs is sent to the login', async () => {
  for (const p of ['/api/openapi.yaml', '/api/docs']) {
    const none = await request(edge.url, 'GET', p);
    assertProblem(none, 401);
    const forged = await request(edge.url, 'GET', p, { cookie: `rt_session=${'a'.repeat(64)}` });
    assertProblem(forged, 401);
    // an API client that accepts anything, or JSON first, gets the problem, never a redirect
    for (const accept of ['*/*', 'application/json', 'application/problem+json, text/html;q=0.5', 'text/html;q=0']) {
      const res = await request(edge.url, 'GET', p, { headers: { accept } });
      assertProblem(res, 401);
    }
  }
  // the spec is data: even a browser gets 401 there
  assertProblem(await request(edge.url, 'GET', '/api/openapi.yaml', { headers: { accept: BROWSER_ACCEPT } }), 401);
  const browser = await request(edge.url, 'GET', '/api/docs', { headers: { accept: BROWSER_ACCEPT } });
  assert.equal(browser.status, 303, browser.text);
  assert.equal(browser.headers.location, '/login?next=%2Fapi%2Fdocs');
  assertResponse('getApiDocs', browser);
  const stale = await request(edge.url, 'GET', '/api/docs', { headers: { accept: BROWSER_ACCEPT }, cookie: `rt_session=${'b'.repeat(64)}` });
  assert.equal(stale.status, 303, 'a browser whose cookie names no session is sent to the login too');
});

test('with a session of the lowest role: the YAML is exactly openapi/openapi.yaml; the page links only the edge\'s own files', async () => {
  const yamlRes = await as.viewer.get('/api/openapi.yaml');
  assert.equal(yamlRes.status, 200, yamlRes.text);
  assert.equal(yamlRes.headers['content-type'], 'application/yaml');
  assert.equal(yamlRes.headers['cache-control'], 'no-store');
  assert.equal(yamlRes.text, fs.readFileSync(SPEC_PATH, 'utf8'), 'served spec != openapi/openapi.yaml (rebuild rt-edge: the spec is embedded at build time)');
  const parsed = YAML.parse(yamlRes.text);
  assert.equal(parsed.openapi, '3.1.0');
  assert.ok(parsed.paths['/api/openapi.yaml'].get && parsed.paths['/api/docs'].get, 'the served spec documents its own routes');
  const head = await request(edge.url, 'HEAD', '/api/openapi.yaml', { cookie: as.viewer.session.cookie });
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  // the documented example of a 400 is a real answer, word for word
  const tooMany = await as.viewer.get('/api/chats?limit=201');
  assert.deepEqual(tooMany.json, parsed.components.responses.BadRequest.content['application/problem+json'].examples.limit.value);
  // a query parameter is refused, naming it (the routes take none)
  const q = await as.viewer.get('/api/openapi.yaml?format=json');
  assertProblem(q, 400);

  const page = await as.viewer.get('/api/docs', { headers: { accept: BROWSER_ACCEPT } });
  assert.equal(page.status, 200, page.text);
  assert.match(page.headers['content-type'], /^text\/html; charset=utf-8$/);
  assert.match(page.headers['content-security-policy'], /script-src 'self'/);
  const refs = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  const assets = refs.filter((r) => r.startsWith('/api-docs/'));
  assert.deepEqual(assets.sort(), ['/api-docs/api-docs.css', '/api-docs/api-docs.js', '/api-docs/swagger-ui-bundle.js', '/api-docs/swagger-ui.css']);
  for (const r of refs) assert.ok(r.startsWith('/') && !r.startsWith('//') || r === 'data:,', `${r}: the page refers only to this origin`);
  for (const a of assets) {
    const res = await request(edge.url, 'GET', a, { headers: { 'accept-encoding': 'br' } });
    assert.equal(res.status, 200, `${a} is not in the edge's static dir (RT_STATIC_DIR=${edge.env.RT_STATIC_DIR}): build the SPA`);
    assert.equal(res.headers['cache-control'], 'no-cache', `${a}: not hashed, so revalidated (decision 015)`);
    assert.equal(res.headers['content-encoding'], 'br', `${a}: precompressed by the build`);
  }
});

test('losing the session or the role loses both routes at once', async () => {
  // logout
  const a = await freshAdmin('viewer');
  assert.equal((await a.api.get('/api/openapi.yaml')).status, 200);
  assert.equal((await a.api.send('POST', '/api/auth/logout')).status, 204);
  for (const p of ['/api/openapi.yaml', '/api/docs']) assertProblem(await a.api.get(p), 401);
  // a role change: the old session is refused by the database on the very next request
  const b = await freshAdmin('moderator');
  assert.equal((await b.api.get('/api/docs')).status, 200);
  assert.equal((await as.owner.send('PATCH', `/api/admins/${b.id}`, { role: 'viewer' })).status, 200);
  assertProblem(await b.api.get('/api/openapi.yaml'), 401);
  // a browser on the docs page whose admin's role changed is sent to the login, not shown JSON
  const d = await freshAdmin('viewer');
  assert.equal((await d.api.get('/api/docs', { headers: { accept: BROWSER_ACCEPT } })).status, 200);
  assert.equal((await as.owner.send('PATCH', `/api/admins/${d.id}`, { role: 'moderator' })).status, 200);
  const moved = await d.api.get('/api/docs', { headers: { accept: BROWSER_ACCEPT } });
  assert.equal(moved.status, 303, moved.text);
  assert.equal(moved.headers.location, '/login?next=%2Fapi%2Fdocs');
  assertProblem(await d.api.get('/api/openapi.yaml'), 401);
  // disabled
  const c = await freshAdmin('admin');
  assert.equal((await c.api.get('/api/openapi.yaml')).status, 200);
  assert.equal((await as.owner.send('PATCH', `/api/admins/${c.id}`, { disabled: true })).status, 200);
  assertProblem(await c.api.get('/api/docs'), 401);
  assertProblem(await c.api.get('/api/openapi.yaml'), 401);
});

test('every 4xx and 5xx answer of every operation is application/problem+json with the shared Problem schema', () => {
  const resolve = (r) => (r.$ref ? resolve(r.$ref.slice(2).split('/').reduce((o, k) => o[k], spec)) : r);
  let n = 0;
  for (const o of operations()) {
    for (const [status, ref] of Object.entries(o.op.responses)) {
      if (Number(status) < 400 || (o.operationId === 'getReadyz' && status === '503')) continue;
      const r = resolve(ref);
      assert.deepEqual(Object.keys(r.content ?? {}), ['application/problem+json'], `${o.operationId} ${status}`);
      assert.deepEqual(r.content['application/problem+json'].schema, { $ref: '#/components/schemas/Problem' }, `${o.operationId} ${status}`);
      n += 1;
    }
  }
  assert.ok(n > 500, `only ${n} error answers documented`);
});

test('pagination is documented one way: every list takes cursor + limit and answers next_cursor', () => {
  for (const o of operations().filter((x) => x.method === 'GET')) {
    const ok = o.op.responses['200']?.content?.['application/json']?.schema?.$ref ?? '';
    if (!ok.endsWith('Page')) continue;
    const page = spec.components.schemas[ok.split('/').pop()];
    assert.ok(page.required.includes('items') && page.required.includes('next_cursor'), `${ok}: items and next_cursor`);
    assert.deepEqual(page.properties.next_cursor, { $ref: '#/components/schemas/NextCursor' }, `${ok}.next_cursor`);
    const params = (o.op.parameters ?? []).map((p) => p.$ref?.split('/').pop() ?? p.name);
    if (params.includes('Cursor')) {
      assert.ok(params.includes('Limit') || params.includes('limit'), `${o.operationId}: cursor without limit`);
    } else {
      assert.match(o.op.description, /`next_cursor` is always null/, `${o.operationId}: a list without cursor says why`);
    }
  }
});

test('the WebSocket event catalogue (asyncapi.yaml) is exactly what the edge and the database can send', async () => {
  const catalogue = wsEvents();
  // what rt-edge makes itself: the type argument of each envelope it builds
  const edgeSrc = fs.readdirSync(path.join(ROOT, 'edge/src')).filter((f) => f.endsWith('.c'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'edge/src', f), 'utf8')).join('\n');
  const fromEdge = new Set([...edgeSrc.matchAll(/\b(?:broadcast\(|send_envelope\([^,()]+,[^,()]+,|edge_events_envelope\(|edge_envelope\()\s*"([a-z_]+(?:\.[a-z_]+)?)"/g)].map((m) => m[1]));
  // what the database emits: journal rows and the frames rt.events_after expands them into,
  // read from the functions installed now (pg_proc), not from files of older releases
  const db = await pgSuper();
  let src;
  try {
    src = (await db.query("SELECT string_agg(prosrc, E'\\n') AS s FROM pg_proc WHERE pronamespace = 'rt'::regnamespace")).rows[0].s;
  } finally {
    await db.end();
  }
  const fromSql = new Set([
    ...[...src.matchAll(/'type'\s*,\s*'([a-z_.]+)'/g)].map((m) => m[1]),
    ...[...src.matchAll(/\btype\s*:=\s*'([a-z_.]+)'/g)].map((m) => m[1]),
    ...[...src.matchAll(/_journal_append\(\s*'([a-z_.]+)'/g)].map((m) => m[1]),
  ]);
  // journal rows the edge consumes itself instead of sending (edge/src/edge_events.c), and the
  // journal's own row kinds without a dot, which it expands and never sends as they are
  const edgeEvents = fs.readFileSync(path.join(ROOT, 'edge/src/edge_events.c'), 'utf8');
  const internal = ['admin.changed', 'session.stopped'];
  for (const t of internal) assert.match(edgeEvents, new RegExp(`strcmp\\(type, "${t.replace('.', '\\.')}"\\) == 0\\) \\{`), `${t} is consumed by edge_events.c`);
  assert.match(edgeEvents, /strchr\(type, '\.'\) == NULL && strcmp\(type, "resync"\) != 0\) return; \/\* not for browsers \*\//);
  const toBrowsers = (t) => (t.includes('.') || t === 'resync') && !internal.includes(t);
  const emitted = new Set([...fromEdge, ...[...fromSql].filter(toBrowsers)]);
  for (const t of ['hello', 'pong', 'llm.delta', 'llm.done', 'resync']) assert.ok(fromEdge.has(t), `found the edge's ${t} (the source scan works)`);
  for (const t of ['message.created', 'entity.changed', 'notification.created']) assert.ok(fromSql.has(t), `found the database's ${t}`);
  assert.deepEqual([...emitted].sort(), [...catalogue.keys()].sort(), 'the catalogue lists exactly the event types the edge and the database can send');
  // each catalogue entry is one schema keyed on its type, and frames are checked against it
  for (const [type, { schemaName, source }] of catalogue) {
    assert.ok(['edge', 'journal'].includes(source), `${type}: x-source`);
    const ts = new Date().toISOString();
    assert.match(wsFrameError({ type, ts, data: { surely: 'not' }, event_id: 1 }) ?? '', new RegExp(`does not match ${schemaName}`), type);
  }
  assert.match(wsFrameError({ type: 'chat.deleted', data: {}, ts: new Date().toISOString() }), /is not one of/);
  // the lint's only exceptions (.redocly.lint-ignore.yaml) are payloads the catalogue uses
  const ignored = YAML.parse(fs.readFileSync(path.join(ROOT, '.redocly.lint-ignore.yaml'), 'utf8'));
  assert.deepEqual(Object.keys(ignored), ['openapi/openapi.yaml']);
  assert.deepEqual(Object.keys(ignored['openapi/openapi.yaml']), ['no-unused-components']);
  const asyncText = fs.readFileSync(path.join(ROOT, 'openapi/asyncapi.yaml'), 'utf8');
  for (const ref of ignored['openapi/openapi.yaml']['no-unused-components']) {
    assert.ok(asyncText.includes(`$ref: './openapi.yaml${ref}'`), `${ref} is ignored as unused but asyncapi.yaml does not use it`);
  }
});

test('the docs page in Chromium: the spec\'s operations, no console error, nothing leaves 127.0.0.1; the login brings a browser back', async () => {
  const { browser, page, pageErrors } = await openBrowser();
  const consoleErrors = [];
  const foreign = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('request', (r) => { if (!r.url().startsWith(`${edge.url}/`) && !r.url().startsWith('data:')) foreign.push(r.url()); });
  try {
    // without a session: the console's login, then back to the docs
    const a = await freshAdmin('moderator');
    await page.goto(`${edge.url}/api/docs`);
    await page.waitForURL(`${edge.url}/login?next=%2Fapi%2Fdocs`);
    await page.getByLabel('Login', { exact: true }).fill(a.creds.login);
    await page.getByLabel('Password', { exact: true }).fill(a.creds.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL(`${edge.url}/api/docs`);
    // Swagger UI renders the spec: the login operation by its summary, the docs' own routes
    const loginOp = page.locator('#operations-auth-login');
    await loginOp.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await loginOp.innerText(), /Log in and receive a session cookie and a CSRF token/);
    await page.locator('#operations-docs-getApiDocs').waitFor({ state: 'visible' });
    assert.match(await page.locator('.info .title').innerText(), /roundtable admin API/);
    // the CSRF scheme is shown with the session cookie
    await page.getByRole('button', { name: /authorize/i }).first().waitFor({ state: 'visible' });
    await page.evaluate(() => document.getElementById('operations-tag-auth').scrollIntoView({ block: 'start' }));
    await page.screenshot({ path: path.join(SCREENSHOTS, 'api-docs.png') });
    // "Try it out" from the page, on the browser's own session
    const me = page.locator('#operations-auth-getMe');
    await me.locator('.opblock-summary').click();
    await me.getByRole('button', { name: 'Try it out' }).click();
    await me.getByRole('button', { name: 'Execute' }).click();
    await me.locator('.live-responses-table .response-col_status', { hasText: '200' }).first().waitFor({ state: 'visible' });
    assert.match(await me.locator('.live-responses-table .highlight-code').first().innerText(), /"csrf_token"/);
    // a state change from the page: its X-CSRF-Token field holds the session's token (api-docs.js)
    // and Execute answers 200, not the 403 of a missing or wrong token
    const ack = page.locator('#operations-notifications-ackAllNotifications');
    await ack.locator('.opblock-summary-control').click();
    await ack.getByRole('button', { name: 'Try it out' }).click();
    const browserCsrf = await page.evaluate(() => fetch('/api/auth/me').then((r) => r.json()).then((j) => j.csrf_token));
    assert.equal(await ack.locator('tr[data-param-name="X-CSRF-Token"] input').inputValue(), browserCsrf, 'the token is filled in');
    await ack.getByRole('button', { name: 'Execute' }).click();
    await ack.locator('.live-responses-table .response-col_status', { hasText: '200' }).first().waitFor({ state: 'visible' });
    assert.match(await ack.locator('.live-responses-table .highlight-code').first().innerText(), /"acked"/);
    // the console itself, in the same browser: each frame it gets on /ws is checked against the
    // catalogue (openBrowser's checkWsFrames puts a mismatch in pageErrors)
    const framesBefore = validated.wsFrames;
    await page.goto(`${edge.url}/chats`);
    for (let i = 0; i < 100 && validated.wsFrames === framesBefore; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(validated.wsFrames > framesBefore, 'the console\'s WebSocket frames were validated');
    assert.deepEqual(pageErrors, []);
    assert.deepEqual(consoleErrors, []);
    assert.deepEqual(foreign, [], 'no request leaves the edge');
  } finally {
    await browser.close();
  }
});
