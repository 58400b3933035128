// Folds a live event into the TanStack Query cache: the affected chat's message window and every
// cached chat list. Components read only the cache, so they re-render from here.
import type { QueryClient } from '@tanstack/react-query';
import type { Notification, NotificationPage } from '@/lib/api/behaviour';
import type { Chat, Message } from '@/lib/api/client';
import { queryKeys, type ChatsKey } from '@/lib/api/query-keys';
import { bumpChatWithMessage, upsertChat, type ChatWindow } from '@/lib/cache/chats';
import { addMessages, type MessageWindow } from '@/lib/cache/messages';
import { addNotification } from '@/lib/cache/notifications';
import { updateSurvivingFetch } from '@/lib/cache/when-data';
import type { LiveEvent } from './envelope';
import { keysForEntity } from './entity-keys';

export function mergeIntoChatMessages(client: QueryClient, chatId: number, messages: Message[]) {
  const key = queryKeys.messages(chatId);
  const update = () =>
    client.setQueryData(key, (current: MessageWindow | undefined) =>
      current ? addMessages(current, messages) : current,
    );
  // No query for this chat: nothing is shown, and opening it fetches fresh history.
  updateSurvivingFetch(client, key, update);
}

function forEachChatList(client: QueryClient, fn: (window: ChatWindow, q: string) => ChatWindow) {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.chatsAll })) {
    const key = query.queryKey as ChatsKey;
    if (key.length !== 2) continue;
    const q = key[1]?.q ?? '';
    updateSurvivingFetch(client, key, () =>
      client.setQueryData(key, (window: ChatWindow | undefined) =>
        window ? fn(window, q) : window,
      ),
    );
  }
}

function applyMessage(client: QueryClient, message: Message) {
  mergeIntoChatMessages(client, message.chat_id, [message]);
  forEachChatList(client, (window) => bumpChatWithMessage(window, message));
}

function applyChat(client: QueryClient, chat: Chat) {
  forEachChatList(client, (window, q) => upsertChat(window, chat, q));
}

function applyNotification(client: QueryClient, notification: Notification) {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.notifications })) {
    const filter = query.queryKey[1] as { unacked?: boolean } | undefined;
    updateSurvivingFetch(client, query.queryKey, () =>
      client.setQueryData(query.queryKey, (page: NotificationPage | undefined) =>
        page ? addNotification(page, notification, Boolean(filter?.unacked)) : page,
      ),
    );
  }
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
    case 'entity.changed':
      for (const queryKey of keysForEntity(event.data.entity)) {
        void client.invalidateQueries({ queryKey });
      }
      break;
    case 'notification.created':
      applyNotification(client, event.data);
      break;
    case 'hello':
    case 'pong':
      break;
  }
}
