// GET /api/messages for one chat: newest page first (lib/api/list-chat-messages.ts), then "load
// older" via next_cursor. The window lives in the query cache where WebSocket events and backfill
// merge into it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useState } from 'react';
import { chatMessagesQueryOptions, listChatMessages } from '@/lib/api/list-chat-messages';
import { queryKeys } from '@/lib/api/query-keys';
import { addOlderPage, type MessageWindow } from '@/lib/cache/messages';

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
