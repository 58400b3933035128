// Message moderation: flag with a label, delete only after confirming; the answered message
// replaces the cached one, so its labels and state show at once.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';
import { jsonResponse, makeMessage, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { MessageStream } from './message-stream';

afterEach(() => vi.unstubAllGlobals());

function setup(role: 'moderator' | 'viewer', routes: Parameters<typeof routeFetch>[0] = {}) {
  vi.stubGlobal('fetch', vi.fn(routeFetch(routes)));
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  queryClient.setQueryData(
    queryKeys.messages(100),
    windowFromNewestPage({
      items: [makeMessage({ id: 5, text: 'buy cheap pills' })],
      next_cursor: null,
    }),
  );
  renderWithProviders(<MessageStream chatId={100} chatName="Group" />, { queryClient });
  return queryClient;
}

describe('message actions', () => {
  it('flags a message with a label and shows it', async () => {
    const user = userEvent.setup();
    const bodies: unknown[] = [];
    setup('moderator', {
      'POST /api/messages/5/flag': async (req) => {
        bodies.push(await req.json());
        return jsonResponse(
          200,
          makeMessage({ id: 5, text: 'buy cheap pills', labels: ['spam'], moderation: 'flagged' }),
        );
      },
    });
    const article = screen.getByRole('article', { name: /Alice/ });
    await user.click(within(article).getByRole('button', { name: 'Flag' }));
    const dialog = screen.getByRole('dialog', { name: 'Flag message' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Label' }), 'spam');
    await user.click(within(dialog).getByRole('button', { name: 'Flag' }));
    await waitFor(() => expect(article).toHaveTextContent('#spam'));
    expect(article).toHaveTextContent('flagged');
    expect(bodies).toEqual([{ label: 'spam' }]);
    expect(within(article).getByRole('button', { name: 'Unflag' })).toBeInTheDocument();
  });

  it('deletes only after confirmation', async () => {
    const user = userEvent.setup();
    const remove = vi.fn(async () =>
      jsonResponse(200, makeMessage({ id: 5, text: 'buy cheap pills', moderation: 'deleted' })),
    );
    const client = setup('moderator', { 'POST /api/messages/5/delete': remove });
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete this message?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(remove).not.toHaveBeenCalled();
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete message' }),
    );
    await waitFor(() =>
      expect(
        client.getQueryData<MessageWindow>(queryKeys.messages(100))?.items[0]?.moderation,
      ).toBe('deleted'),
    );
    const article = screen.getByRole('article', { name: /Alice/ });
    expect(article).toHaveAttribute('data-moderation', 'deleted');
    expect(within(article).queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('offers no actions to a viewer', () => {
    setup('viewer');
    expect(screen.queryByRole('button', { name: 'Flag' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Delete' })).not.toBeInTheDocument();
  });

  it('shows delivery status on outgoing messages', () => {
    vi.stubGlobal('fetch', vi.fn());
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('viewer'));
    const out = (id: number, status: Message['status']) =>
      makeMessage({ id, direction: 'out', author_type: 'bot', sender: null, status });
    queryClient.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({
        items: [out(1, 'queued'), out(2, 'sent'), out(3, 'failed')],
        next_cursor: null,
      }),
    );
    renderWithProviders(<MessageStream chatId={100} chatName="Group" />, { queryClient });
    const log = screen.getByRole('log', { name: 'Messages in Group' });
    for (const status of ['queued', 'sent', 'failed']) {
      expect(within(log).getByText(status)).toBeInTheDocument();
    }
  });
});
