// Folds a live event into the TanStack Query cache: the affected chat's message window and every
// cached chat list. Components read only the cache, so they re-render from here.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import type { Notification, NotificationPage } from '@/lib/api/behaviour';
import type { Chat, Message } from '@/lib/api/client';
import { queryKeys, type ChatsKey } from '@/lib/api/query-keys';
import { bumpChatWithMessage, patchChat, upsertChat, type ChatWindow } from '@/lib/cache/chats';
import {
  addDelta,
  dropAnsweredStreams,
  finishStream,
  type LlmStreams,
} from '@/lib/cache/llm-streams';
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

function forEachChatList(
  client: QueryClient,
  fn: (window: ChatWindow, q: string, filtered: boolean) => ChatWindow,
) {
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.chatsAll })) {
    const key = query.queryKey as ChatsKey;
    if (key.length !== 2) continue;
    const q = key[1]?.q ?? '';
    // Anything besides the search text in the key is a chat filter (type, unread, ...).
    const filtered = Object.keys(key[1] ?? {}).some((k) => k !== 'q');
    updateSurvivingFetch(client, key, () =>
      client.setQueryData(key, (window: ChatWindow | undefined) =>
        window ? fn(window, q, filtered) : window,
      ),
    );
  }
}

function updateStreams(
  client: QueryClient,
  key: QueryKey,
  fn: (streams: LlmStreams | undefined) => LlmStreams,
) {
  const before = client.getQueryData<LlmStreams>(key);
  const after = fn(before);
  if (after !== before) client.setQueryData(key, after);
}

/** The stream caches an `llm.delta`/`llm.done` belongs to: its chat's and its session's. */
function streamKeys(frame: { chat_id: number | null; session_id?: number | null }): QueryKey[] {
  const keys: QueryKey[] = [];
  if (frame.chat_id !== null) keys.push(queryKeys.llmStreams(frame.chat_id));
  if (frame.session_id != null) keys.push(queryKeys.sessionStreams(frame.session_id));
  return keys;
}

function applyMessage(client: QueryClient, message: Message, created: boolean) {
  if (message.chat_id !== null) {
    mergeIntoChatMessages(client, message.chat_id, [message]);
    forEachChatList(client, (window) => bumpChatWithMessage(window, message, created));
  }
  // A round-table turn (or interjection): the session's history and totals are refetched, and
  // the lists showing its round and totals (only the queries on screen refetch).
  if (message.session_id != null) {
    void client.invalidateQueries({ queryKey: queryKeys.session(message.session_id) });
    void client.invalidateQueries({ queryKey: [...queryKeys.sessionsAll, 'list'] });
  }
  // The reply's own message replaces its "typing" bubble.
  for (const key of streamKeys(message)) {
    updateStreams(client, key, (streams) => dropAnsweredStreams(streams, message));
  }
}

function applyChat(client: QueryClient, chat: Chat) {
  forEachChatList(client, (window, q, filtered) => upsertChat(window, chat, q, filtered));
}

function applyNotification(client: QueryClient, notification: Notification) {
  // A mention raises the chat's mention badge in the lists that hold it.
  const mentioned = notification.kind === 'mention' ? notification.chat_id : null;
  if (mentioned !== null) {
    forEachChatList(client, (window) => {
      const chat = window.items.find((c) => c.id === mentioned);
      return chat?.mention_count !== undefined
        ? patchChat(window, mentioned, { mention_count: chat.mention_count + 1 })
        : window;
    });
  }
  for (const query of client.getQueryCache().findAll({ queryKey: queryKeys.notifications })) {
    const filter = query.queryKey[1] as { unacked?: boolean } | undefined;
    updateSurvivingFetch(client, query.queryKey, () =>
      client.setQueryData(query.queryKey, (page: NotificationPage | undefined) =>
        page ? addNotification(page, notification, Boolean(filter?.unacked)) : page,
      ),
    );
  }
}

/** Deltas sent while the socket was down are lost: half-written bubbles would never finish. */
export function forgetLlmStreams(client: QueryClient): void {
  client.setQueriesData<LlmStreams>({ queryKey: queryKeys.llmStreamsAll }, (streams) =>
    streams && Object.keys(streams).length > 0 ? {} : streams,
  );
}

export function applyLiveEvent(client: QueryClient, event: LiveEvent): void {
  switch (event.type) {
    case 'message.created':
    case 'message.updated':
      applyMessage(client, event.data, event.type === 'message.created');
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
    case 'llm.delta': {
      const delta = event.data;
      for (const key of streamKeys(delta)) {
        updateStreams(client, key, (streams) => addDelta(streams, delta));
      }
      break;
    }
    case 'llm.done': {
      const done = event.data;
      for (const key of streamKeys(done)) {
        updateStreams(client, key, (streams) => finishStream(streams, done));
      }
      break;
    }
    case 'hello':
    case 'pong':
    case 'resync': // the hook reloads everything
      break;
  }
}
