// Reconnect backfill: every cached chat is brought up to date from its highest id, page by
// page, merged with whatever live events arrive meanwhile.
import { describe, expect, it, vi } from 'vitest';
import type { MessagePage } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage } from '@/lib/cache/chats';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';
import { makeChat, makeMessage } from '@/test/factories';
import { createTestQueryClient } from '@/test/render';
import { applyLiveEvent } from '@/lib/live/apply-event';
import { backfillAll, backfillChat } from './backfill';

const page = (chatId: number, ids: number[], next: string | null): MessagePage => ({
  items: ids.map((id) => makeMessage({ id, chat_id: chatId })),
  next_cursor: next,
});

describe('backfill', () => {
  it('pages forward through next_cursor from the highest id held', async () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.messages(100), windowFromNewestPage(page(100, [2, 1], null)));
    const fetchPage = vi.fn(async (_chat: number, _after: number, cursor: string | undefined) =>
      cursor === undefined ? page(100, [3, 4], 'p2') : page(100, [5], null),
    );
    expect(await backfillChat(client, 100, fetchPage)).toBe(3);
    expect(fetchPage.mock.calls).toEqual([
      [100, 2, undefined],
      [100, 2, 'p2'],
    ]);
    const window = client.getQueryData<MessageWindow>(queryKeys.messages(100))!;
    expect(window.items.map((m) => m.id)).toEqual([1, 2, 3, 4, 5]);
  });

  it('merges with live events that overlap the backfill: nothing skipped, nothing doubled', async () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.messages(100), windowFromNewestPage(page(100, [1], null)));
    const fetchPage = vi.fn(async (_chat: number, _after: number, cursor: string | undefined) => {
      if (cursor === undefined) {
        // Message 3 is broadcast on the new socket while the first page is in flight.
        applyLiveEvent(client, {
          type: 'message.created',
          data: makeMessage({ id: 3, chat_id: 100 }),
          ts: '',
        });
        return page(100, [2, 3], 'next');
      }
      return page(100, [4], null);
    });
    await backfillChat(client, 100, fetchPage);
    const window = client.getQueryData<MessageWindow>(queryKeys.messages(100))!;
    expect(window.items.map((m) => m.id)).toEqual([1, 2, 3, 4]);
  });

  it('starts from after_id 0 for a chat with no messages yet', async () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.messages(7), windowFromNewestPage(page(7, [], null)));
    const fetchPage = vi.fn(async () => page(7, [10], null));
    await backfillChat(client, 7, fetchPage);
    expect(fetchPage).toHaveBeenCalledWith(7, 0, undefined);
  });

  it('backfills every cached chat and refetches the chat lists', async () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.messages(1), windowFromNewestPage(page(1, [10], null)));
    client.setQueryData(queryKeys.messages(2), windowFromNewestPage(page(2, [20], 'older')));
    const chatsFn = vi.fn(async () =>
      chatWindowFromPage({ items: [makeChat({ id: 1 })], next_cursor: null }),
    );
    await client.fetchQuery({ queryKey: queryKeys.chats(''), queryFn: chatsFn });
    const fetchPage = vi.fn(async (chatId: number) => page(chatId, [], null));
    await backfillAll(client, fetchPage);
    expect(fetchPage.mock.calls.map((c) => c[0]).sort()).toEqual([1, 2]);
    expect(fetchPage).toHaveBeenCalledWith(1, 10, undefined);
    expect(fetchPage).toHaveBeenCalledWith(2, 20, undefined);
    expect(client.getQueryState(queryKeys.chats(''))!.isInvalidated).toBe(true);
  });
});
