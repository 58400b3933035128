// Switches: toggling PATCHes the chat and the answer updates the cached chat; takeover shows
// "Resume auto-reply" for moderators; viewers and moderators cannot flip the switches; the
// mention switch exists in groups only.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Chat } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';
import { jsonResponse, makeChat, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { useCachedChat } from '@/lib/cache/use-cached-chat';
import { ChatSwitches } from './chat-switches';

afterEach(() => vi.unstubAllGlobals());

function Connected({ chatId }: { chatId: number }) {
  const chat = useCachedChat(chatId);
  return chat ? <ChatSwitches chat={chat} /> : null;
}

function setup(role: 'admin' | 'moderator' | 'viewer', chat: Chat) {
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  queryClient.setQueryData(
    queryKeys.chats(''),
    chatWindowFromPage({ items: [chat], next_cursor: null }),
  );
  renderWithProviders(<Connected chatId={chat.id} />, { queryClient });
  return queryClient;
}

describe('ChatSwitches', () => {
  it('toggles auto-reply through PATCH /api/chats/{id} and shows the answer', async () => {
    const bodies: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'PATCH /api/chats/-100': async (req) => {
            const body = (await req.json()) as Partial<Chat>;
            bodies.push(body);
            return jsonResponse(200, makeChat({ id: -100, autoreply: body.autoreply ?? false }));
          },
        }),
      ),
    );
    const client = setup('admin', makeChat({ id: -100, autoreply: false }));
    const toggle = screen.getByRole('switch', { name: 'Auto-reply' });
    expect(toggle).toHaveAttribute('aria-checked', 'false');
    await userEvent.click(toggle);
    await waitFor(() => expect(toggle).toHaveAttribute('aria-checked', 'true'));
    expect(bodies).toEqual([{ autoreply: true }]);
    expect(client.getQueryData<ChatWindow>(queryKeys.chats(''))?.items[0]?.autoreply).toBe(true);
    expect(screen.getByRole('switch', { name: 'Reply when @mentioned in groups' })).toBeEnabled();
  });

  it('offers a moderator "Resume auto-reply" during a takeover but not the switches', async () => {
    const until = new Date(Date.now() + 30 * 60_000).toISOString();
    const resume = vi.fn(async () =>
      jsonResponse(200, makeChat({ id: -100, takeover_until: null })),
    );
    vi.stubGlobal('fetch', vi.fn(routeFetch({ 'POST /api/chats/-100/resume': resume })));
    setup('moderator', makeChat({ id: -100, takeover_until: until }));
    // no control they cannot use: the state as text
    expect(screen.queryByRole('switch', { name: 'Auto-reply' })).not.toBeInTheDocument();
    expect(screen.getAllByText(/^(On|Off)$/).length).toBeGreaterThan(0);
    expect(screen.getByRole('status')).toHaveTextContent('A human took over');
    await userEvent.click(screen.getByRole('button', { name: 'Resume auto-reply' }));
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('No takeover'));
    expect(resume).toHaveBeenCalledTimes(1);
  });

  it('is read-only for a viewer', () => {
    const until = new Date(Date.now() + 60_000).toISOString();
    setup('viewer', makeChat({ id: -100, takeover_until: until }));
    expect(screen.queryByRole('switch')).not.toBeInTheDocument();
    expect(screen.getByText('Auto-reply')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Resume auto-reply' })).not.toBeInTheDocument();
  });

  it('shows "Reply on mention" only in groups: not in a private chat, yes in a supergroup', () => {
    setup('admin', makeChat({ id: 4242, type: 'private' }));
    expect(screen.getByRole('switch', { name: 'Auto-reply' })).toBeInTheDocument();
    expect(screen.queryByRole('switch', { name: /mentioned/ })).not.toBeInTheDocument();
    expect(screen.queryByText(/becomes a group/)).not.toBeInTheDocument();
  });

  it('shows "Reply on mention" in a supergroup', () => {
    setup('admin', makeChat({ id: -1002, type: 'supergroup' }));
    expect(screen.getByRole('switch', { name: 'Reply when @mentioned in groups' })).toBeEnabled();
  });
});
