// GET /api/messages for one chat, newest page first, held as a MessageWindow under
// queryKeys.messages(chatId), where WebSocket events and backfill merge into it. Shared because
// two features read that one cache entry: the chat view's message stream and the simulator's
// bot keyboard (the latest keyboard the bot sent to the simulated chat).
import { queryOptions } from '@tanstack/react-query';
import { api, unwrap, type MessagePage } from './client';
import { queryKeys } from './query-keys';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';

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
