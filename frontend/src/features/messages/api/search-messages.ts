// GET /api/messages with history filters (user, time range, keyword) for one chat: a separate
// cache entry, newest page first, "load older" via next_cursor. Live events don't merge into
// it (they may not match the filters); it refetches when opened again.
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { HistoryFilters } from '../utils/history-filters';
import { toMessageQuery } from '../utils/history-filters';

export function useMessageSearch(chatId: number, filters: HistoryFilters) {
  const query = toMessageQuery(chatId, filters);
  return useInfiniteQuery({
    queryKey: queryKeys.messageSearch(query),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/messages', {
          params: { query: { ...query, cursor: pageParam, limit: 50 } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    staleTime: 0,
  });
}
