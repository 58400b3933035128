// GET /api/chats: the searchable chat list, kept in the cache as one ChatWindow per search text
// so live events can merge into it; "load more" follows next_cursor.
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { api, unwrap, type ChatPage } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { addChatPage, chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';

export const CHAT_PAGE_SIZE = 50;

export type ListChatsParams = { q?: string; cursor?: string; limit?: number };

export async function listChats(
  { q, cursor, limit = CHAT_PAGE_SIZE }: ListChatsParams,
  signal?: AbortSignal,
): Promise<ChatPage> {
  return unwrap(
    await api.GET('/api/chats', {
      params: { query: { q: q || undefined, cursor, limit } },
      signal,
    }),
  );
}

export const chatListQueryOptions = (q: string) =>
  queryOptions({
    queryKey: queryKeys.chats(q),
    queryFn: async ({ signal }): Promise<ChatWindow> =>
      chatWindowFromPage(await listChats({ q }, signal)),
  });

export function useChatList(q: string) {
  const queryClient = useQueryClient();
  const query = useQuery(chatListQueryOptions(q));
  const [loadingMore, setLoadingMore] = useState(false);
  const nextCursor = query.data?.nextCursor ?? null;

  const loadMore = useCallback(async () => {
    if (!nextCursor) return;
    setLoadingMore(true);
    try {
      const page = await queryClient.fetchQuery({
        queryKey: queryKeys.chatPage(q, nextCursor),
        queryFn: ({ signal }) => listChats({ q, cursor: nextCursor }, signal),
        staleTime: 0,
        gcTime: 0,
      });
      // Merge into whatever the cache holds now, live updates included.
      queryClient.setQueryData(queryKeys.chats(q), (current: ChatWindow | undefined) =>
        current ? addChatPage(current, page) : current,
      );
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, q, queryClient]);

  return { ...query, hasMore: nextCursor !== null, loadMore, loadingMore };
}
