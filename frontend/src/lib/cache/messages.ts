// Pure merge rules for a chat's message window held in the query cache: one array sorted by id
// ascending (newest at the bottom), unique by id, plus the cursor to older history.
import type { Message, MessagePage } from '@/lib/api/client';

export type MessageWindow = {
  /** Sorted by id ascending, unique by id. */
  items: Message[];
  /** `next_cursor` of the oldest page fetched; null when the whole history is loaded. */
  olderCursor: string | null;
};

function editRank(message: Message): [number, number] {
  const editedAt = message.edited_at ? Date.parse(message.edited_at) : 0;
  return [Number.isNaN(editedAt) ? 0 : editedAt, message.edit_history.length];
}

/**
 * Chooses between two versions of the same message. A late page or a replayed event must not
 * undo an edit, so the more-edited version wins. Nor may it undo a delivery: a sent message is
 * never queued again, yet the answer of POST /api/messages (queued) can land after the live
 * events that say sent. Otherwise the incoming version wins.
 */
export function newerVersion(current: Message, incoming: Message): Message {
  const [curAt, curLen] = editRank(current);
  const [inAt, inLen] = editRank(incoming);
  if (inAt !== curAt) return inAt > curAt ? incoming : current;
  if (inLen !== curLen) return inLen > curLen ? incoming : current;
  if (current.status === 'sent' && incoming.status !== 'sent') return current;
  return incoming;
}

/** Merges messages into a sorted, deduplicated array. Returns `existing` itself when unchanged. */
export function mergeMessages(
  existing: readonly Message[],
  incoming: readonly Message[],
): Message[] {
  if (incoming.length === 0) return existing as Message[];
  // A live message after the newest, or a page of older history before the oldest: no merge
  // needed, so a window of 100,000 messages takes one new message without re-sorting them all.
  const ascending = incoming.every((m, i) => i === 0 || incoming[i - 1]!.id < m.id);
  const sorted = ascending ? incoming : [...incoming].sort((a, b) => a.id - b.id);
  if (sorted.every((m, i) => i === 0 || sorted[i - 1]!.id < m.id)) {
    const first = existing[0];
    const last = existing[existing.length - 1];
    if (!last || sorted[0]!.id > last.id) return [...existing, ...sorted];
    if (first && sorted[sorted.length - 1]!.id < first.id) return [...sorted, ...existing];
  }
  const byId = new Map<number, Message>();
  for (const m of existing) byId.set(m.id, m);
  let changed = false;
  for (const m of incoming) {
    const current = byId.get(m.id);
    const chosen = current ? newerVersion(current, m) : m;
    if (chosen !== current) {
      byId.set(m.id, chosen);
      changed = true;
    }
  }
  if (!changed) return existing as Message[];
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** The window built from the first (newest-first) page of a chat's history. */
export function windowFromNewestPage(page: MessagePage): MessageWindow {
  return { items: mergeMessages([], page.items), olderCursor: page.next_cursor };
}

/** Adds a page of older history and moves the cursor further back. */
export function addOlderPage(window: MessageWindow, page: MessagePage): MessageWindow {
  return { items: mergeMessages(window.items, page.items), olderCursor: page.next_cursor };
}

/** Adds live or backfilled messages; the older-history cursor is untouched. */
export function addMessages(window: MessageWindow, messages: readonly Message[]): MessageWindow {
  const items = mergeMessages(window.items, messages);
  return items === window.items ? window : { ...window, items };
}

/** The highest message id held, the `after_id` for a backfill; 0 when none is held. */
export function maxMessageId(window: MessageWindow | undefined): number {
  const last = window?.items[window.items.length - 1];
  return last ? last.id : 0;
}
