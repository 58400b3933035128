// Merge rules for the chat list: activity order, dedupe, live bump and insertion.
import { describe, expect, it } from 'vitest';
import { makeChat, makeMessage } from '@/test/factories';
import {
  addChatPage,
  bumpChatWithMessage,
  chatMatchesQuery,
  chatWindowFromPage,
  mergeChats,
  upsertChat,
} from './chats';

const ids = (items: { id: number }[]) => items.map((c) => c.id);

const a = makeChat({ id: 1, title: 'Alpha', last_message_at: '2026-01-01T10:00:00Z' });
const b = makeChat({ id: 2, title: 'Beta', last_message_at: '2026-01-01T11:00:00Z' });
const c = makeChat({ id: 3, title: 'Gamma', last_message_at: '2026-01-01T09:00:00Z' });
const silent = makeChat({ id: 4, title: 'Silent', last_message_at: null });

describe('mergeChats', () => {
  it('orders by last activity, chats without messages last, ties by id descending', () => {
    const tie = makeChat({ id: 5, last_message_at: '2026-01-01T11:00:00Z' });
    expect(ids(mergeChats([], [a, silent, c, b, tie]))).toEqual([5, 2, 1, 3, 4]);
  });

  it('keeps the more recent version of a chat', () => {
    const older = { ...b, last_message_at: '2026-01-01T08:00:00Z', last_message_text: 'old' };
    const merged = mergeChats([b], [older]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.last_message_at).toBe(b.last_message_at);
  });
});

describe('chat window', () => {
  it('appends pages and dedupes the overlap', () => {
    let window = chatWindowFromPage({ items: [b, a], next_cursor: 'n1' });
    window = addChatPage(window, { items: [a, c], next_cursor: null });
    expect(ids(window.items)).toEqual([2, 1, 3]);
    expect(window.nextCursor).toBeNull();
  });

  it('bumps a chat to the top with the new message as preview', () => {
    const window = chatWindowFromPage({ items: [b, a, c], next_cursor: null });
    const message = makeMessage({
      id: 50,
      chat_id: 3,
      text: 'hi',
      created_at: '2026-01-01T12:00:00Z',
    });
    const next = bumpChatWithMessage(window, message);
    expect(ids(next.items)).toEqual([3, 2, 1]);
    expect(next.items[0]!.last_message_text).toBe('hi');
  });

  it('does not let an older message replace the preview', () => {
    const window = chatWindowFromPage({ items: [b], next_cursor: null });
    const old = makeMessage({ id: 1, chat_id: 2, text: 'old', created_at: '2026-01-01T01:00:00Z' });
    expect(bumpChatWithMessage(window, old)).toBe(window);
  });

  it('ignores messages of chats it does not list', () => {
    const window = chatWindowFromPage({ items: [a], next_cursor: null });
    expect(bumpChatWithMessage(window, makeMessage({ id: 1, chat_id: 99 }))).toBe(window);
  });

  it('replaces a listed chat on chat.updated', () => {
    const window = chatWindowFromPage({ items: [b, a], next_cursor: null });
    const renamed = { ...a, title: 'Alpha 2' };
    const next = upsertChat(window, renamed, '');
    expect(next.items.find((x) => x.id === 1)!.title).toBe('Alpha 2');
  });

  it('inserts a new chat that matches the search', () => {
    const window = chatWindowFromPage({ items: [a], next_cursor: null });
    const fresh = makeChat({ id: 9, title: 'Beta team', last_message_at: '2026-01-02T00:00:00Z' });
    expect(ids(upsertChat(window, fresh, '').items)).toEqual([9, 1]);
    expect(ids(upsertChat(window, fresh, 'beta').items)).toEqual([9, 1]);
    expect(upsertChat(window, fresh, 'gamma')).toBe(window);
  });

  it('does not insert a new chat beyond the loaded range while more pages exist', () => {
    const window = chatWindowFromPage({ items: [b, a], next_cursor: 'more' });
    const ancient = makeChat({ id: 8, last_message_at: '2025-01-01T00:00:00Z' });
    expect(upsertChat(window, ancient, '')).toBe(window);
  });

  it('matches search on title and username, case-insensitively', () => {
    const chat = makeChat({ id: 1, title: 'Support', username: 'HelpDesk' });
    expect(chatMatchesQuery(chat, 'SUPP')).toBe(true);
    expect(chatMatchesQuery(chat, 'helpdesk')).toBe(true);
    expect(chatMatchesQuery(chat, 'sales')).toBe(false);
    expect(chatMatchesQuery(chat, '  ')).toBe(true);
  });
});
