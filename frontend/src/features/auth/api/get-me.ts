// GET /api/auth/me: the logged-in admin; also re-arms the in-memory CSRF token after a reload.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, setCsrfToken, unwrap, type Session } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export async function getMe(): Promise<Session> {
  const session = unwrap(await api.GET('/api/auth/me'));
  setCsrfToken(session.csrf_token);
  return session;
}

export const meQueryOptions = () =>
  queryOptions({ queryKey: queryKeys.me, queryFn: getMe, retry: false });

export function useMe() {
  return useQuery(meQueryOptions());
}
