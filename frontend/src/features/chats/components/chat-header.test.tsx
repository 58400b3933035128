// The chat header links to the round-table session awaiting its topic or running in the chat,
// and the link appears and goes away as `entity.changed` session refetches the chat list (the
// SQL sends no chat.updated when a chat's session_id changes).
import { act, screen } from '@testing-library/react';
import { useQuery } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLiveEvent } from '@/lib/live/apply-event';
import { parseEnvelope } from '@/lib/live/envelope';
import i18n from '@/lib/i18n';
import { chatListQueryOptions } from '../api/list-chats';
import { useCachedChat } from '@/lib/cache/use-cached-chat';
import { jsonResponse, makeChat, routeFetch } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { ChatHeader } from './chat-header';

afterEach(async () => {
  vi.unstubAllGlobals();
  await i18n.changeLanguage('en');
});

function Screen({ chatId }: { chatId: number }) {
  useQuery(chatListQueryOptions(''));
  return <ChatHeader chatId={chatId} chat={useCachedChat(chatId)} />;
}

describe('ChatHeader', () => {
  it('links to the running session', () => {
    renderWithProviders(
      <ChatHeader chatId={-1001} chat={makeChat({ id: -1001, session_id: 17 })} />,
    );
    expect(screen.getByTestId('chat-session')).toHaveTextContent('Round table running');
    expect(screen.getByRole('link', { name: 'Session #17' })).toHaveAttribute(
      'href',
      '/sessions/17',
    );
  });

  it('has no session link without a session', () => {
    renderWithProviders(<ChatHeader chatId={-1001} chat={makeChat({ id: -1001 })} />);
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
    expect(screen.queryByText('Round table running')).not.toBeInTheDocument();
  });

  it('says it in Russian', async () => {
    await i18n.changeLanguage('ru');
    renderWithProviders(
      <ChatHeader chatId={-1001} chat={makeChat({ id: -1001, session_id: 5 })} />,
    );
    expect(screen.getByTestId('chat-session')).toHaveTextContent('Идёт круглый стол');
    expect(screen.getByRole('link', { name: 'Сессия №5' })).toHaveAttribute('href', '/sessions/5');
  });

  it('follows entity.changed session: the chat list is refetched', async () => {
    let sessionId: number | null = null;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/chats': () =>
            jsonResponse(200, {
              items: [makeChat({ id: -1001, session_id: sessionId })],
              next_cursor: null,
            }),
        }),
      ),
    );
    const { queryClient } = renderWithProviders(<Screen chatId={-1001} />);
    await screen.findByRole('heading', { name: 'Chat -1001' });
    expect(screen.queryByRole('link')).not.toBeInTheDocument();

    const changed = (id: number) => {
      const event = parseEnvelope(
        JSON.stringify({ type: 'entity.changed', data: { entity: 'session', ids: [id] } }),
      );
      if (!event) throw new Error('bad frame');
      act(() => applyLiveEvent(queryClient, event));
    };
    sessionId = 21;
    changed(21);
    expect(await screen.findByRole('link', { name: 'Session #21' })).toHaveAttribute(
      'href',
      '/sessions/21',
    );
    sessionId = null;
    changed(21);
    await vi.waitFor(() => expect(screen.queryByRole('link')).not.toBeInTheDocument());
  });
});
