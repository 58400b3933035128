// GET /api/sessions: round-table sessions newest first, filtered by state, chat and topic text,
// keyset "load more". Refetched on `entity.changed` session.
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { SessionStatus } from '@/lib/api/roundtable';

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
