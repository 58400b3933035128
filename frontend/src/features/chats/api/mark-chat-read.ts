// POST /api/chats/{id}/read: the calling admin has read the chat. Its unread badge drops to 0 in
// every cached chat list at once (the mark is this admin's only, so no live event follows).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { patchChat, type ChatWindow } from '@/lib/cache/chats';

export async function markChatRead(chatId: number): Promise<void> {
  unwrap(
    await api.POST('/api/chats/{id}/read', {
      params: { path: { id: chatId }, header: csrfHeader() },
    }),
  );
}

export function useMarkChatRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: markChatRead,
    onSuccess: (_, chatId) => {
      client.setQueriesData<ChatWindow>({ queryKey: queryKeys.chatsAll }, (window) =>
        window && 'items' in window ? patchChat(window, chatId, { unread_count: 0 }) : window,
      );
    },
  });
}
