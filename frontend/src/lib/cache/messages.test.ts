// Merge rules for a chat's message window: sorted by id, unique, edits never rolled back,
// pages and backfill combined without gaps or duplicates.
import { describe, expect, it } from 'vitest';
import { makeMessage } from '@/test/factories';
import {
  addMessages,
  addOlderPage,
  maxMessageId,
  mergeMessages,
  newerVersion,
  windowFromNewestPage,
} from './messages';

const ids = (items: { id: number }[]) => items.map((m) => m.id);

describe('mergeMessages', () => {
  it('sorts by id ascending whatever the input order', () => {
    const merged = mergeMessages(
      [],
      [3, 1, 2].map((id) => makeMessage({ id })),
    );
    expect(ids(merged)).toEqual([1, 2, 3]);
  });

  it('drops duplicates by id', () => {
    const existing = [1, 2, 3].map((id) => makeMessage({ id }));
    const merged = mergeMessages(
      existing,
      [2, 3, 4, 4].map((id) => makeMessage({ id })),
    );
    expect(ids(merged)).toEqual([1, 2, 3, 4]);
  });

  it('returns the same array when nothing changes, so React can skip a render', () => {
    const existing = [makeMessage({ id: 1 })];
    expect(mergeMessages(existing, [])).toBe(existing);
    expect(mergeMessages(existing, [existing[0]!])).toBe(existing);
    // A re-delivered copy (new object, same content) is taken as is: still one entry.
    expect(mergeMessages(existing, [structuredClone(existing[0]!)])).toHaveLength(1);
  });

  it('replaces a message with its edited version', () => {
    const original = makeMessage({ id: 5, text: 'hello' });
    const edited = makeMessage({
      id: 5,
      text: 'hello, world',
      edited_at: '2026-01-01T12:05:00Z',
      edit_history: [{ text: 'hello', edited_at: '2026-01-01T12:05:00Z' }],
    });
    const merged = mergeMessages([original], [edited]);
    expect(merged).toHaveLength(1);
    expect(merged[0]!.text).toBe('hello, world');
  });

  it('keeps the edited version when a stale copy arrives later', () => {
    const edited = makeMessage({
      id: 5,
      text: 'v2',
      edited_at: '2026-01-01T12:05:00Z',
      edit_history: [{ text: 'v1', edited_at: '2026-01-01T12:05:00Z' }],
    });
    const stale = makeMessage({ id: 5, text: 'v1' });
    const merged = mergeMessages([edited], [stale]);
    expect(merged[0]!.text).toBe('v2');
  });

  it('keeps a sent message sent when the queued answer of the send arrives after the live events', () => {
    const sent = makeMessage({
      id: 11,
      direction: 'out',
      status: 'sent',
      sent_at: '2026-01-01T12:00:01Z',
    });
    const queued = makeMessage({ id: 11, direction: 'out', status: 'queued', sent_at: null });
    expect(mergeMessages([sent], [queued])[0]!.status).toBe('sent');
    // forward it still moves: queued, then sending, then sent
    const sending = makeMessage({ id: 11, direction: 'out', status: 'sending', sent_at: null });
    expect(newerVersion(queued, sending).status).toBe('sending');
    expect(newerVersion(sending, sent).status).toBe('sent');
  });

  it('prefers the later of two edits', () => {
    const first = makeMessage({ id: 9, text: 'b', edited_at: '2026-01-01T12:01:00Z' });
    const second = makeMessage({ id: 9, text: 'c', edited_at: '2026-01-01T12:02:00Z' });
    expect(newerVersion(second, first).text).toBe('c');
    expect(newerVersion(first, second).text).toBe('c');
  });
});

describe('message window', () => {
  it('is built from a newest-first page in ascending order with its cursor', () => {
    const window = windowFromNewestPage({
      items: [30, 29, 28].map((id) => makeMessage({ id })),
      next_cursor: 'older-1',
    });
    expect(ids(window.items)).toEqual([28, 29, 30]);
    expect(window.olderCursor).toBe('older-1');
  });

  it('adds older pages at the top and moves the cursor', () => {
    let window = windowFromNewestPage({
      items: [30, 29].map((id) => makeMessage({ id })),
      next_cursor: 'c1',
    });
    window = addOlderPage(window, {
      items: [28, 27].map((id) => makeMessage({ id })),
      next_cursor: 'c2',
    });
    window = addOlderPage(window, {
      items: [26].map((id) => makeMessage({ id })),
      next_cursor: null,
    });
    expect(ids(window.items)).toEqual([26, 27, 28, 29, 30]);
    expect(window.olderCursor).toBeNull();
  });

  it('keeps live messages when an older page lands after them', () => {
    let window = windowFromNewestPage({ items: [makeMessage({ id: 10 })], next_cursor: 'c1' });
    window = addMessages(window, [makeMessage({ id: 11 })]);
    window = addOlderPage(window, { items: [makeMessage({ id: 9 })], next_cursor: null });
    expect(ids(window.items)).toEqual([9, 10, 11]);
  });

  it('merges backfill pages with live events that overlap them, no gaps and no duplicates', () => {
    let window = windowFromNewestPage({
      items: [3, 2, 1].map((id) => makeMessage({ id })),
      next_cursor: null,
    });
    expect(maxMessageId(window)).toBe(3);
    // While disconnected, 4..8 were stored; 7 also arrives live on the new socket mid-backfill.
    window = addMessages(window, [makeMessage({ id: 4 }), makeMessage({ id: 5 })]);
    window = addMessages(window, [makeMessage({ id: 7 })]);
    window = addMessages(
      window,
      [6, 7, 8].map((id) => makeMessage({ id })),
    );
    expect(ids(window.items)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(maxMessageId(window)).toBe(8);
  });

  it('leaves the cursor alone when adding live messages, and returns the same window if nothing is new', () => {
    const window = windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: 'c' });
    const same = addMessages(window, []);
    expect(same).toBe(window);
    expect(addMessages(window, [makeMessage({ id: 2 })]).olderCursor).toBe('c');
  });

  it('reports 0 as the backfill start of an empty or missing window', () => {
    expect(maxMessageId(undefined)).toBe(0);
    expect(maxMessageId({ items: [], olderCursor: null })).toBe(0);
  });
});
