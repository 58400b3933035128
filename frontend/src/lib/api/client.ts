// The one HTTP client: openapi-fetch typed by the generated `paths`, plus the in-memory CSRF
// token that every state-changing request carries as X-CSRF-Token.
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';
import { ApiError, type Problem } from './errors';

export type Schemas = components['schemas'];
export type Chat = Schemas['Chat'];
export type ChatPage = Schemas['ChatPage'];
export type Message = Schemas['Message'];
export type MessagePage = Schemas['MessagePage'];
export type Session = Schemas['Session'];
export type Admin = Schemas['Admin'];

// Kept in memory only: the cookie is HttpOnly, and the token comes back from /api/auth/me
// after a reload, so it never needs to touch storage.
let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (!SAFE_METHODS.has(request.method) && csrfToken) {
      request.headers.set('X-CSRF-Token', csrfToken);
    }
    return request;
  },
};

export const api = createClient<paths>({
  // Absolute origin so Request() also works outside a browser (tests); same-origin either way.
  baseUrl: typeof window === 'undefined' ? '' : window.location.origin,
  credentials: 'same-origin',
  // Look fetch up per call so tests can stub it after import.
  fetch: (request: Request) => globalThis.fetch(request),
});
api.use(csrfMiddleware);

type FetchResult<T> = { data?: T; error?: unknown; response: Response };

/** Returns the body of a successful call, or throws ApiError carrying the problem+json. */
export function unwrap<T>(result: FetchResult<T>): T {
  const { data, error, response } = result;
  if (response.ok) return data as T;
  throw ApiError.fromResponse(response, error as Partial<Problem> | undefined);
}

/** The header object every state-changing route declares (the middleware sets it too). */
export function csrfHeader(): { 'X-CSRF-Token': string } {
  return { 'X-CSRF-Token': csrfToken ?? '' };
}
