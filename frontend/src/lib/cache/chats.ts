// Pure merge rules for the chat list in the query cache: most recently active first (as the
// server orders it), unique by id, bumped by live messages and chat updates.
import type { Chat, ChatPage, Message } from '@/lib/api/client';

export type ChatWindow = {
  /** Sorted by last_message_at descending (chats without messages last), then id descending. */
  items: Chat[];
  /** `next_cursor` of the last page fetched; null when every matching chat is loaded. */
  nextCursor: string | null;
};

function activity(chat: Chat): number {
  if (!chat.last_message_at) return Number.NEGATIVE_INFINITY;
  const t = Date.parse(chat.last_message_at);
  return Number.isNaN(t) ? Number.NEGATIVE_INFINITY : t;
}

export function compareChats(a: Chat, b: Chat): number {
  const byActivity = activity(b) - activity(a);
  if (byActivity !== 0 && !Number.isNaN(byActivity)) return byActivity;
  return b.id - a.id;
}

/** Two versions of one chat: the one with the later activity wins; on a tie the incoming one. */
function newerChat(current: Chat, incoming: Chat): Chat {
  return activity(incoming) >= activity(current) ? incoming : current;
}

export function mergeChats(existing: readonly Chat[], incoming: readonly Chat[]): Chat[] {
  const byId = new Map<number, Chat>();
  for (const c of existing) byId.set(c.id, c);
  for (const c of incoming) {
    const current = byId.get(c.id);
    byId.set(c.id, current ? newerChat(current, c) : c);
  }
  return [...byId.values()].sort(compareChats);
}

export function chatWindowFromPage(page: ChatPage): ChatWindow {
  return { items: mergeChats([], page.items), nextCursor: page.next_cursor };
}

export function addChatPage(window: ChatWindow, page: ChatPage): ChatWindow {
  return { items: mergeChats(window.items, page.items), nextCursor: page.next_cursor };
}

/** Client-side approximation of the server's search, used only to place live-inserted chats. */
export function chatMatchesQuery(chat: Chat, q: string): boolean {
  const needle = q.trim().toLowerCase();
  if (!needle) return true;
  return [chat.title, chat.username].some((v) => v?.toLowerCase().includes(needle));
}

/**
 * Applies a `chat.updated` event to one list. A chat already listed is replaced; a new one is
 * inserted when it matches the list's search and would sort inside the loaded range (beyond it,
 * "load more" brings it in its turn).
 */
export function upsertChat(window: ChatWindow, chat: Chat, q: string): ChatWindow {
  const listed = window.items.some((c) => c.id === chat.id);
  if (!listed) {
    if (!chatMatchesQuery(chat, q)) return window;
    const last = window.items[window.items.length - 1];
    if (window.nextCursor !== null && last && compareChats(chat, last) > 0) return window;
  }
  return { ...window, items: mergeChats(window.items, [chat]) };
}

/** Moves a chat to the top with the message as its preview, if the message is its latest. */
export function bumpChatWithMessage(window: ChatWindow, message: Message): ChatWindow {
  const chat = window.items.find((c) => c.id === message.chat_id);
  if (!chat) return window;
  const current = chat.last_message_at
    ? Date.parse(chat.last_message_at)
    : Number.NEGATIVE_INFINITY;
  if (Date.parse(message.created_at) < current) return window;
  const bumped: Chat = {
    ...chat,
    last_message_at: message.created_at,
    last_message_text: message.text,
  };
  return {
    ...window,
    items: window.items.map((c) => (c.id === chat.id ? bumped : c)).sort(compareChats),
  };
}
