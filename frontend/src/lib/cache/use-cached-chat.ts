// The selected chat as found in any cached chat list (any search), kept current by live events.
import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useSyncExternalStore } from 'react';
import type { Chat } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { ChatWindow } from '@/lib/cache/chats';

export function useCachedChat(chatId: number | null): Chat | undefined {
  const client = useQueryClient();
  const subscribe = useCallback(
    (onChange: () => void) => client.getQueryCache().subscribe(onChange),
    [client],
  );
  const getSnapshot = useCallback((): Chat | undefined => {
    if (chatId === null) return undefined;
    for (const [key, window] of client.getQueriesData<ChatWindow>({
      queryKey: queryKeys.chatsAll,
    })) {
      if (key.length !== 2) continue;
      const chat = window?.items.find((c) => c.id === chatId);
      if (chat) return chat;
    }
    return undefined;
  }, [client, chatId]);
  return useSyncExternalStore(subscribe, getSnapshot);
}
