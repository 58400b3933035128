// The message stream is virtualised: of 100,000 loaded messages only a screenful is in the DOM
// (element sizes faked as @tanstack/react-virtual's docs suggest), it opens at the newest
// message and follows a new one while the reader is at the bottom (not after they scrolled up),
// and scrolling to the top of what is loaded fetches the older page through the cursor.
import { act, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import { addMessages, type MessageWindow } from '@/lib/cache/messages';
import { jsonResponse, makeMessage, makeSession } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { mockVirtualLayout } from '@/test/virtual-layout';
import { MessageStream } from './message-stream';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const ROW = 90;
const many = (n: number) => Array.from({ length: n }, (_, i) => makeMessage({ id: i + 1 }));

function setup(window: MessageWindow, requests: URL[] = [], route = '/') {
  const scroll = mockVirtualLayout({ viewport: 600, row: ROW });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      requests.push(url);
      return jsonResponse(200, {
        items: [makeMessage({ id: 1 }), makeMessage({ id: 2 })],
        next_cursor: null,
      });
    }),
  );
  const client = createTestQueryClient();
  client.setQueryData(queryKeys.me, makeSession('viewer'));
  client.setQueryData(queryKeys.messages(100), window);
  renderWithProviders(<MessageStream chatId={100} chatName="Group" />, {
    queryClient: client,
    route,
  });
  const log = screen.getByRole('log', { name: 'Messages in Group' });
  return { client, log, scroll };
}

const shownTexts = () =>
  screen.queryAllByRole('article').map((a) => a.querySelector('p')?.textContent);

// Building 100,000 messages in jsdom is slow on a busy machine; nothing here is timed.
describe('MessageStream (virtualised)', { timeout: 30_000 }, () => {
  it('keeps only a screenful of 100,000 messages in the DOM, opening at the newest', async () => {
    const { log } = setup({ items: many(100000), olderCursor: null });
    await waitFor(() => expect(shownTexts()).toContain('message 100000'));
    expect(screen.getAllByRole('article').length).toBeLessThan(40);
    expect(shownTexts()).not.toContain('message 1');
    expect(log.scrollTop).toBeGreaterThan(100000 * ROW * 0.9);
  });

  it('a link to #message-<id> scrolls that message into view and marks it', async () => {
    const { log } = setup({ items: many(5000), olderCursor: null }, [], '/chats/100#message-2500');
    await waitFor(() => expect(shownTexts()).toContain('message 2500'));
    expect(shownTexts()).not.toContain('message 5000');
    expect(log.scrollTop).toBeLessThan(4000 * ROW); // not at the newest
    const marked = log.querySelector('[data-focused]');
    expect(marked?.id).toBe('message-2500');
  });

  it('follows a new message at the bottom, but not a reader who scrolled up', async () => {
    const { client, log, scroll } = setup({ items: many(500), olderCursor: null });
    await waitFor(() => expect(shownTexts()).toContain('message 500'));
    await act(async () => {
      client.setQueryData<MessageWindow>(queryKeys.messages(100), (w) =>
        addMessages(w!, [makeMessage({ id: 501 })]),
      );
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    await waitFor(() => expect(shownTexts()).toContain('message 501'));

    await act(async () => scroll(log, 100 * ROW));
    expect(shownTexts()).not.toContain('message 501');
    await act(async () => {
      client.setQueryData<MessageWindow>(queryKeys.messages(100), (w) =>
        addMessages(w!, [makeMessage({ id: 502 })]),
      );
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    expect(shownTexts()).not.toContain('message 502');
    expect(log.scrollTop).toBe(100 * ROW);
  });

  it('loads the older page through the cursor when scrolled to the top of what is loaded', async () => {
    const requests: URL[] = [];
    const { log, scroll } = setup(
      { items: many(300).map((m) => ({ ...m, id: m.id + 1000 })), olderCursor: 'older-1' },
      requests,
    );
    await waitFor(() => expect(log.scrollTop).toBeGreaterThan(0));
    expect(requests).toHaveLength(0);
    await act(async () => scroll(log, 0));
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]!.searchParams.get('cursor')).toBe('older-1');
    expect(requests[0]!.searchParams.get('chat_id')).toBe('100');
  });
});
