// Writes one chat (from a PATCH/takeover/resume answer) into every cached chat list, the same
// way a live `chat.updated` event does.
import type { QueryClient } from '@tanstack/react-query';
import type { Chat } from '@/lib/api/client';
import { queryKeys, type ChatsKey } from '@/lib/api/query-keys';
import { upsertChat, type ChatWindow } from './chats';

export function putChatInLists(client: QueryClient, chat: Chat): void {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.chatsAll })) {
    const key = query.queryKey as ChatsKey;
    if (key.length !== 2) continue;
    client.setQueryData(key, (window: ChatWindow | undefined) =>
      window ? upsertChat(window, chat, key[1]?.q ?? '') : window,
    );
  }
}
