// The round-table sessions over REST: GET /api/sessions (filters, keyset "load more"), GET
// /api/sessions/{id} (participants and history), POST /api/sessions + /start (the console's
// "New session" creates and starts at once) and POST /api/sessions/{id}/stop. Lists and details
// are refetched on `entity.changed` session and on a turn's `message.created`.
import {
  infiniteQueryOptions,
  queryOptions,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type {
  RtSession,
  RtSessionCreate,
  RtSessionDetail,
  SessionStatus,
} from '@/lib/api/roundtable';

export type SessionFilter = { status: SessionStatus | ''; chatId: string; q: string };

export const EMPTY_SESSION_FILTER: SessionFilter = { status: '', chatId: '', q: '' };

/** The chat filter is a Telegram chat id (negative for groups); anything else is ignored. */
export function parseChatFilter(text: string): number | undefined {
  const trimmed = text.trim();
  return /^-?\d{1,16}$/.test(trimmed) ? Number(trimmed) : undefined;
}

export const sessionsQueryOptions = (filter: SessionFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.sessions(filter),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/sessions', {
          params: {
            query: {
              status: filter.status || undefined,
              chat_id: parseChatFilter(filter.chatId),
              q: filter.q.trim() || undefined,
              cursor: pageParam,
              limit: 50,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useSessions(filter: SessionFilter) {
  return useInfiniteQuery(sessionsQueryOptions(filter));
}

export const sessionQueryOptions = (id: number) =>
  queryOptions({
    queryKey: queryKeys.session(id),
    queryFn: async ({ signal }): Promise<RtSessionDetail> =>
      unwrap(await api.GET('/api/sessions/{id}', { params: { path: { id } }, signal })),
  });

export function useSession(id: number) {
  return useQuery(sessionQueryOptions(id));
}

/** Creates the session, then starts it with its topic: the console has no "awaiting" step. */
export async function createAndStartSession(body: RtSessionCreate): Promise<RtSession> {
  const { topic, ...rest } = body;
  const created = unwrap(
    await api.POST('/api/sessions', { params: { header: csrfHeader() }, body: rest }),
  );
  return unwrap(
    await api.POST('/api/sessions/{id}/start', {
      params: { path: { id: created.id }, header: csrfHeader() },
      body: topic === undefined ? {} : { topic },
    }),
  );
}

export function useCreateSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createAndStartSession,
    // The form shows the problem next to the field it names.
    meta: { handlesErrors: true },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sessionsAll }),
  });
}

export async function stopSession(id: number): Promise<RtSession> {
  return unwrap(
    await api.POST('/api/sessions/{id}/stop', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useStopSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: stopSession,
    meta: { handlesErrors: true },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sessionsAll }),
  });
}
