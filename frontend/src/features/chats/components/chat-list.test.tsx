// The chat list: filter toggles (a named group of aria-pressed buttons) become GET /api/chats
// parameters; unread, mention and flagged badges; 10,000 chats render only the rows in view
// (element sizes faked as the virtualiser's docs suggest) and scrolling near the end fetches the
// next page through the cursor; an opened chat is marked read and its badge drops.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import type { ChatWindow } from '@/lib/cache/chats';
import { jsonResponse, makeChat, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { mockVirtualLayout } from '@/test/virtual-layout';
import { ChatHeader } from './chat-header';
import { ChatList } from './chat-list';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const at = (i: number) => new Date(Date.UTC(2026, 0, 1) + (20000 - i) * 60000).toISOString();
const chats = (from: number, n: number) =>
  Array.from({ length: n }, (_, k) =>
    makeChat({
      id: -(from + k),
      title: `Chat ${from + k}`,
      last_message_at: at(from + k),
      unread_count: 0,
      mention_count: 0,
      flagged_count: 0,
    }),
  );

const listHeight = () => parseFloat(screen.getByRole('list').style.height);

function render(requests: URL[], pages: Record<string, ReturnType<typeof chats>> = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const url = new URL(req.url);
      if (req.method === 'GET' && url.pathname === '/api/chats') {
        requests.push(url);
        const cursor = url.searchParams.get('cursor') ?? '';
        return jsonResponse(200, {
          items: pages[cursor] ?? [],
          next_cursor: cursor === '' && pages.c2 ? 'c2' : null,
        });
      }
      return routeFetch({})(req);
    }),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession('viewer'));
  renderWithProviders(<ChatList selectedChatId={null} chatHref={(id) => `/chats/${id}`} />, {
    queryClient,
  });
  return queryClient;
}

// Rendering thousands of rows in jsdom is slow on a busy machine; nothing here is timed.
describe('ChatList', { timeout: 20_000 }, () => {
  it('sends the pressed filters as query parameters; private/groups is one choice', async () => {
    const user = userEvent.setup();
    const requests: URL[] = [];
    render(requests, { '': chats(1, 3) });
    await screen.findByRole('link', { name: /Chat 1/ });
    const group = screen.getByRole('group', { name: 'Chat filters' });
    const unread = within(group).getByRole('button', { name: 'Unread' });
    expect(unread).toHaveAttribute('aria-pressed', 'false');
    await user.click(unread);
    expect(unread).toHaveAttribute('aria-pressed', 'true');
    await user.click(within(group).getByRole('button', { name: 'Private' }));
    await user.click(within(group).getByRole('button', { name: 'Groups' }));
    expect(within(group).getByRole('button', { name: 'Private' })).toHaveAttribute(
      'aria-pressed',
      'false',
    );
    await user.click(within(group).getByRole('button', { name: 'Auto-reply off' }));
    await waitFor(() =>
      expect(Object.fromEntries(requests[requests.length - 1]!.searchParams)).toEqual({
        limit: '100',
        type: 'group',
        autoreply: 'false',
        unread: 'true',
      }),
    );
    for (const name of ['Auto-reply on', 'Mentions', 'Flagged', 'Round table']) {
      expect(within(group).getByRole('button', { name })).toHaveAttribute('aria-pressed', 'false');
    }
  });

  it('shows unread, mention and flagged badges', async () => {
    const requests: URL[] = [];
    render(requests, {
      '': [
        makeChat({ id: -1, title: 'Busy', unread_count: 3, mention_count: 2, flagged_count: 1 }),
        makeChat({ id: -2, title: 'Quiet', unread_count: 0, mention_count: 0, flagged_count: 0 }),
      ],
    });
    const busy = await screen.findByRole('link', { name: /Busy/ });
    expect(within(busy).getByText('Unread: 3')).toBeInTheDocument();
    expect(within(busy).getByText('Mentions: 2')).toBeInTheDocument();
    expect(within(busy).getByText('Flagged: 1')).toBeInTheDocument();
    const quiet = screen.getByRole('link', { name: /Quiet/ });
    expect(within(quiet).queryByText(/Unread|Mentions|Flagged/)).not.toBeInTheDocument();
  });

  it('renders only the rows in view of 10,000 chats, and the end when scrolled there', async () => {
    const scroll = mockVirtualLayout({ viewport: 600, row: 80 });
    vi.stubGlobal('fetch', vi.fn(routeFetch({})));
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('viewer'));
    queryClient.setQueryData<ChatWindow>(queryKeys.chats(''), {
      items: chats(1, 10000),
      nextCursor: null,
    });
    renderWithProviders(<ChatList selectedChatId={null} chatHref={(id) => `/chats/${id}`} />, {
      queryClient,
    });
    const nav = screen.getByRole('navigation', { name: 'Chats' });
    const shown = within(nav).getAllByRole('link');
    expect(shown.length).toBeGreaterThan(5);
    expect(shown.length).toBeLessThan(30);
    expect(within(nav).getByText('Chat 1')).toBeInTheDocument();
    // every row has its place (measured ones 80 px, the rest estimated), only a few are in the DOM
    expect(listHeight()).toBeGreaterThanOrEqual(10000 * 80);

    await act(async () => scroll(screen.getByTestId('chat-list-scroller'), listHeight()));
    expect(within(nav).getByText('Chat 10000')).toBeInTheDocument();
    expect(within(nav).queryByText('Chat 1')).not.toBeInTheDocument();
    expect(within(nav).getAllByRole('link').length).toBeLessThan(30);
  });

  it('fetches the next page through the cursor when scrolled near the end', async () => {
    const scroll = mockVirtualLayout({ viewport: 600, row: 80 });
    const requests: URL[] = [];
    render(requests, { '': chats(1, 100), c2: chats(101, 100) });
    await screen.findByText('Chat 1');
    expect(requests).toHaveLength(1);
    await act(async () => scroll(screen.getByTestId('chat-list-scroller'), listHeight() - 600));
    await waitFor(() => expect(requests).toHaveLength(2));
    expect(requests[1]!.searchParams.get('cursor')).toBe('c2');
    await waitFor(() => expect(listHeight()).toBeGreaterThanOrEqual(200 * 80));
  });

  it('marks the opened chat read and drops its unread badge in the lists', async () => {
    const marked: string[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'POST /api/chats/-5/read': (req) => {
            marked.push(req.headers.get('X-CSRF-Token') ?? '');
            return new Response(null, { status: 204 });
          },
        }),
      ),
    );
    const queryClient = createTestQueryClient();
    const chat = makeChat({
      id: -5,
      title: 'Opened',
      unread_count: 4,
      mention_count: 0,
      flagged_count: 0,
    });
    queryClient.setQueryData<ChatWindow>(queryKeys.chats(''), { items: [chat], nextCursor: null });
    queryClient.setQueryData<ChatWindow>(queryKeys.chats('', { unread: true }), {
      items: [chat],
      nextCursor: null,
    });
    renderWithProviders(<ChatHeader chatId={-5} chat={chat} />, { queryClient });
    await waitFor(() => expect(marked).toHaveLength(1));
    await waitFor(() =>
      expect(
        queryClient.getQueryData<ChatWindow>(queryKeys.chats(''))!.items[0]!.unread_count,
      ).toBe(0),
    );
    expect(
      queryClient.getQueryData<ChatWindow>(queryKeys.chats('', { unread: true }))!.items[0]!
        .unread_count,
    ).toBe(0);
  });
});
