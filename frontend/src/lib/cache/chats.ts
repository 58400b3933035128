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

/**
 * Two versions of one chat: the one with the later activity wins; on a tie the incoming one. The
 * per-admin counts come only with GET /api/chats (a live `chat.updated` has none), so a winner
 * without them keeps the other version's.
 */
function newerChat(current: Chat, incoming: Chat): Chat {
  const [winner, other] =
    activity(incoming) >= activity(current) ? [incoming, current] : [current, incoming];
  if (winner.unread_count !== undefined || other.unread_count === undefined) return winner;
  return {
    ...winner,
    unread_count: other.unread_count,
    mention_count: other.mention_count,
    flagged_count: other.flagged_count,
  };
}

export function mergeChats(existing: readonly Chat[], incoming: readonly Chat[]): Chat[] {
  // The next page of a long list: all new and all after the last listed chat, so it is appended
  // without re-sorting the thousands already held.
  const last = existing[existing.length - 1];
  if (
    last &&
    incoming.length > 0 &&
    incoming.every((c, i) => compareChats(i === 0 ? last : incoming[i - 1]!, c) < 0)
  ) {
    const ids = new Set(existing.map((c) => c.id));
    if (!incoming.some((c) => ids.has(c.id))) return [...existing, ...incoming];
  }
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
 * "load more" brings it in its turn). A list with chat filters (`filtered`) takes no new chats
 * live: whether one is unread, mentioned or flagged is the server's to say.
 */
export function upsertChat(
  window: ChatWindow,
  chat: Chat,
  q: string,
  filtered = false,
): ChatWindow {
  const listed = window.items.some((c) => c.id === chat.id);
  if (!listed) {
    if (filtered || !chatMatchesQuery(chat, q)) return window;
    const last = window.items[window.items.length - 1];
    if (window.nextCursor !== null && last && compareChats(chat, last) > 0) return window;
  }
  return { ...window, items: mergeChats(window.items, [chat]) };
}

/**
 * Moves a chat to the top with the message as its preview, if the message is its latest. A new
 * message from a user (`created`: a `message.created`, not an edit) also counts as unread.
 */
export function bumpChatWithMessage(
  window: ChatWindow,
  message: Message,
  created = false,
): ChatWindow {
  const chat = window.items.find((c) => c.id === message.chat_id);
  if (!chat) return window;
  const unread =
    created && message.author_type === 'user' && chat.unread_count !== undefined
      ? { unread_count: chat.unread_count + 1 }
      : {};
  const current = chat.last_message_at
    ? Date.parse(chat.last_message_at)
    : Number.NEGATIVE_INFINITY;
  if (Date.parse(message.created_at) < current) {
    return 'unread_count' in unread ? patchChat(window, chat.id, unread) : window;
  }
  const bumped: Chat = {
    ...chat,
    ...unread,
    last_message_at: message.created_at,
    last_message_text: message.text,
  };
  return {
    ...window,
    items: window.items.map((c) => (c.id === chat.id ? bumped : c)).sort(compareChats),
  };
}

/** Changes fields of one listed chat (its order unchanged); the window itself when not listed. */
export function patchChat(window: ChatWindow, chatId: number, patch: Partial<Chat>): ChatWindow {
  if (!window.items.some((c) => c.id === chatId)) return window;
  return {
    ...window,
    items: window.items.map((c) => (c.id === chatId ? { ...c, ...patch } : c)),
  };
}
