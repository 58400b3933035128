// GET /api/messages for one chat: newest page first, then "load older" via next_cursor. The
// window lives in the query cache where WebSocket events and backfill merge into it.
import { queryOptions, useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { api, unwrap, type MessagePage } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { addOlderPage, windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';

export const MESSAGE_PAGE_SIZE = 50;

export async function listChatMessages(
  chatId: number,
  cursor: string | undefined,
  signal?: AbortSignal,
): Promise<MessagePage> {
  return unwrap(
    await api.GET('/api/messages', {
      params: { query: { chat_id: chatId, cursor, limit: MESSAGE_PAGE_SIZE } },
      signal,
    }),
  );
}

export const chatMessagesQueryOptions = (chatId: number) =>
  queryOptions({
    queryKey: queryKeys.messages(chatId),
    queryFn: async ({ signal }): Promise<MessageWindow> =>
      windowFromNewestPage(await listChatMessages(chatId, undefined, signal)),
  });

export function useChatMessages(chatId: number) {
  const queryClient = useQueryClient();
  const query = useQuery(chatMessagesQueryOptions(chatId));
  const [loadingOlder, setLoadingOlder] = useState(false);
  const olderCursor = query.data?.olderCursor ?? null;

  const loadOlder = useCallback(async () => {
    if (!olderCursor) return;
    setLoadingOlder(true);
    try {
      const page = await queryClient.fetchQuery({
        queryKey: queryKeys.messagePage(chatId, olderCursor),
        queryFn: ({ signal }) => listChatMessages(chatId, olderCursor, signal),
        staleTime: 0,
        gcTime: 0,
      });
      queryClient.setQueryData(queryKeys.messages(chatId), (current: MessageWindow | undefined) =>
        current ? addOlderPage(current, page) : current,
      );
    } finally {
      setLoadingOlder(false);
    }
  }, [chatId, olderCursor, queryClient]);

  return { ...query, hasOlder: olderCursor !== null, loadOlder, loadingOlder };
}
