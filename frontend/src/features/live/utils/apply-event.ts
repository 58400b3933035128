// Folds a live event into the TanStack Query cache: the affected chat's message window and every
// cached chat list. Components read only the cache, so they re-render from here.
import type { QueryClient } from '@tanstack/react-query';
import type { Chat, Message } from '@/lib/api/client';
import { queryKeys, type ChatsKey } from '@/lib/api/query-keys';
import { bumpChatWithMessage, upsertChat, type ChatWindow } from '@/lib/cache/chats';
import { addMessages, type MessageWindow } from '@/lib/cache/messages';
import { whenQueryHasData } from '@/lib/cache/when-data';
import type { LiveEvent } from './envelope';

export function mergeIntoChatMessages(client: QueryClient, chatId: number, messages: Message[]) {
  const key = queryKeys.messages(chatId);
  const update = () =>
    client.setQueryData(key, (current: MessageWindow | undefined) =>
      current ? addMessages(current, messages) : current,
    );
  const state = client.getQueryState(key);
  if (state?.data !== undefined) {
    update();
  } else if (state?.fetchStatus === 'fetching') {
    // First page still in flight: it may have been read before this message existed.
    whenQueryHasData(client, key, update);
  }
  // No query for this chat: nothing is shown, and opening it fetches fresh history.
}

function forEachChatList(client: QueryClient, fn: (window: ChatWindow, q: string) => ChatWindow) {
  for (const [key, window] of client.getQueriesData<ChatWindow>({ queryKey: queryKeys.chatsAll })) {
    if (!window || key.length !== 2) continue;
    const q = (key as ChatsKey)[1]?.q ?? '';
    const next = fn(window, q);
    if (next !== window) client.setQueryData(key, next);
  }
}

function applyMessage(client: QueryClient, message: Message) {
  mergeIntoChatMessages(client, message.chat_id, [message]);
  forEachChatList(client, (window) => bumpChatWithMessage(window, message));
}

function applyChat(client: QueryClient, chat: Chat) {
  forEachChatList(client, (window, q) => upsertChat(window, chat, q));
}

export function applyLiveEvent(client: QueryClient, event: LiveEvent): void {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      applyMessage(client, event.data);
      break;
    case 'chat.updated':
      applyChat(client, event.data);
      break;
    case 'hello':
    case 'pong':
      break;
  }
}
