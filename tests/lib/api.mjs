// Helpers for the issue-3 REST suites: admins of each role created through the SQL door,
// logged-in clients that add the cookie and CSRF header, and a unique suffix for names.
import crypto from 'node:crypto';
import { request, login } from './http.mjs';
import { pgSuper } from './stack.mjs';

/** A short random suffix so suites never clash on unique names. */
export const uniq = () => crypto.randomBytes(4).toString('hex');

/**
 * A logged-in client: api.get(path), api.send(method, path, json?, opts) with cookie + CSRF.
 * `.admin` is { id, login, role }.
 */
export function client(base, session, creds) {
  return {
    admin: session.admin,
    session,
    creds, // { login, password } when known
    get: (path, opts = {}) => request(base, 'GET', path, { cookie: session.cookie, ...opts }),
    send: (method, path, json, opts = {}) =>
      request(base, method, path, { cookie: session.cookie, csrf: session.csrf, ...(json !== undefined ? { json } : {}), ...opts }),
  };
}

/**
 * Creates one admin per requested role through the SQL door (superuser, so no rt.actor) and
 * logs each in. Returns { owner, admin, moderator, viewer } clients (owner = the stack's admin).
 */
export async function roleClients(base, roles = ['admin', 'moderator', 'viewer']) {
  const db = await pgSuper();
  const owner = { login: process.env.ADMIN_LOGIN ?? 'admin', password: process.env.ADMIN_PASSWORD };
  const out = { owner: client(base, await login(base, owner.login, owner.password), owner) };
  try {
    for (const role of roles) {
      const name = `it-${role}-${uniq()}`;
      const password = `pw-${uniq()}-${uniq()}`;
      await db.query('SELECT rt.create_admin($1, $2, $3)', [name, password, role]);
      out[role] = client(base, await login(base, name, password), { login: name, password });
    }
  } finally {
    await db.end();
  }
  return out;
}

/** A body for any operation that must pass JSON parsing (for 401/403 sweeps). */
export function dummyBody(path) {
  if (path === '/api/simulator/messages') return { chat_id: 1, text: 'x' };
  if (path === '/api/auth/login') return { login: 'x', password: 'y' };
  return {};
}
