// After a (re)connect: fetch, for every chat whose messages are cached, all messages newer than
// the highest id held, and merge them; then refetch the chat lists. Merging is idempotent, so
// events arriving on the new socket meanwhile are neither lost nor duplicated.
import type { QueryClient } from '@tanstack/react-query';
import { queryKeys, type MessagesKey } from '@/lib/api/query-keys';
import { maxMessageId, type MessageWindow } from '@/lib/cache/messages';
import type { BackfillPageFetcher } from '../api/backfill-messages';
import { mergeIntoChatMessages } from '@/lib/live/apply-event';

// A runaway cursor must not spin forever.
const MAX_PAGES_PER_CHAT = 200;

export async function backfillChat(
  client: QueryClient,
  chatId: number,
  fetchPage: BackfillPageFetcher,
): Promise<number> {
  const window = client.getQueryData<MessageWindow>(queryKeys.messages(chatId));
  if (!window) return 0;
  const afterId = maxMessageId(window);
  let cursor: string | undefined;
  let merged = 0;
  for (let i = 0; i < MAX_PAGES_PER_CHAT; i++) {
    const page = await fetchPage(chatId, afterId, cursor);
    mergeIntoChatMessages(client, chatId, page.items);
    merged += page.items.length;
    if (!page.next_cursor) break;
    cursor = page.next_cursor;
  }
  return merged;
}

export async function backfillAll(
  client: QueryClient,
  fetchPage: BackfillPageFetcher,
): Promise<void> {
  const chatIds = client
    .getQueriesData<MessageWindow>({ queryKey: queryKeys.messagesAll })
    .filter(([key, data]) => data !== undefined && key.length === 2)
    .map(([key]) => (key as MessagesKey)[1].chatId);
  const refreshChats = client.invalidateQueries({ queryKey: queryKeys.chatsAll });
  // Notifications created while the socket was down never reached us.
  void client.invalidateQueries({ queryKey: queryKeys.notifications });
  // Round-table progress missed meanwhile: sessions are refetched, not backfilled.
  void client.invalidateQueries({ queryKey: queryKeys.sessionsAll });
  await Promise.all(chatIds.map((chatId) => backfillChat(client, chatId, fetchPage)));
  await refreshChats;
}
