// GET /api/chats: the searchable, filterable chat list, kept in the cache as one ChatWindow per
// search text and filter set so live events can merge into it; more pages follow next_cursor.
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useMemo, useRef, useState } from 'react';
import { api, unwrap, type ChatPage } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { addChatPage, chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';
import { chatFilterParams, type ChatFilters } from '../utils/chat-filters';

export const CHAT_PAGE_SIZE = 100;

export type ListChatsParams = {
  q?: string;
  cursor?: string;
  limit?: number;
  filters?: ChatFilters;
};

export async function listChats(
  { q, cursor, limit = CHAT_PAGE_SIZE, filters = {} }: ListChatsParams,
  signal?: AbortSignal,
): Promise<ChatPage> {
  return unwrap(
    await api.GET('/api/chats', {
      params: { query: { q: q || undefined, cursor, limit, ...chatFilterParams(filters) } },
      signal,
    }),
  );
}

export const chatListQueryOptions = (q: string, filters: ChatFilters = {}) =>
  queryOptions({
    queryKey: queryKeys.chats(q, chatFilterParams(filters)),
    queryFn: async ({ signal }): Promise<ChatWindow> =>
      chatWindowFromPage(await listChats({ q, filters }, signal)),
  });

export function useChatList(q: string, filters: ChatFilters = {}) {
  const queryClient = useQueryClient();
  // One stable filter object per filter content (callers may pass a fresh one each render).
  const filtersJson = JSON.stringify(chatFilterParams(filters));
  const stable = useMemo(() => JSON.parse(filtersJson) as ChatFilters, [filtersJson]);
  const query = useQuery(chatListQueryOptions(q, stable));
  const [loadingMore, setLoadingMore] = useState(false);
  const inFlight = useRef<string | null>(null);
  const nextCursor = query.data?.nextCursor ?? null;

  const loadMore = useCallback(async () => {
    // The virtual list asks on every scroll frame near the end: one request per cursor.
    if (!nextCursor || inFlight.current === nextCursor) return;
    inFlight.current = nextCursor;
    setLoadingMore(true);
    try {
      const page = await queryClient.fetchQuery({
        queryKey: queryKeys.chatPage(q, nextCursor, chatFilterParams(stable)),
        queryFn: ({ signal }) => listChats({ q, cursor: nextCursor, filters: stable }, signal),
        staleTime: 0,
        gcTime: 0,
      });
      // Merge into whatever the cache holds now, live updates included.
      queryClient.setQueryData(
        queryKeys.chats(q, chatFilterParams(stable)),
        (current: ChatWindow | undefined) => (current ? addChatPage(current, page) : current),
      );
    } finally {
      inFlight.current = null;
      setLoadingMore(false);
    }
  }, [nextCursor, q, queryClient, stable]);

  return { ...query, hasMore: nextCursor !== null, loadMore, loadingMore };
}
