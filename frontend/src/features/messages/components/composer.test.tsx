// Composer: "Reply as admin" opens a labelled preview whose text can still be edited; "Send"
// posts the edited text with as=admin and the queued message lands in the chat window.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';
import { jsonResponse, makeMessage, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { Composer } from './composer';

afterEach(() => vi.unstubAllGlobals());

describe('Composer', () => {
  it('previews, lets the admin edit, then sends as admin', async () => {
    const user = userEvent.setup();
    const sent: unknown[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'POST /api/messages': async (req) => {
            const body = (await req.json()) as { text: string };
            sent.push(body);
            return jsonResponse(
              202,
              makeMessage({
                id: 50,
                chat_id: -100,
                direction: 'out',
                author_type: 'admin',
                sender: null,
                text: body.text,
                status: 'queued',
              }),
            );
          },
        }),
      ),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('moderator'));
    queryClient.setQueryData(
      queryKeys.messages(-100),
      windowFromNewestPage({ items: [makeMessage({ id: 1, chat_id: -100 })], next_cursor: null }),
    );
    renderWithProviders(<Composer chatId={-100} />, { queryClient });

    await user.type(screen.getByRole('textbox', { name: 'Reply text' }), 'Hello  there');
    await user.click(screen.getByRole('button', { name: 'Reply as admin' }));

    const dialog = screen.getByRole('dialog', { name: 'Preview: reply as admin' });
    const text = within(dialog).getByRole('textbox', { name: 'Message text' });
    expect(text).toHaveValue('Hello  there');
    expect(sent).toEqual([]);
    await user.clear(text);
    await user.type(text, 'Hello, edited');
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(sent).toEqual([{ chat_id: -100, text: 'Hello, edited', as: 'admin' }]);
    const window = queryClient.getQueryData<MessageWindow>(queryKeys.messages(-100));
    expect(window?.items.map((m: Message) => [m.id, m.status])).toEqual([
      [1, null],
      [50, 'queued'],
    ]);
    expect(screen.getByRole('textbox', { name: 'Reply text' })).toHaveValue('');
  });

  it('keeps the preview open with the server problem when sending fails', async () => {
    const user = userEvent.setup();
    vi.stubGlobal(
      'fetch',
      vi.fn(async () =>
        jsonResponse(403, {
          type: 'about:blank',
          title: 'Forbidden',
          status: 403,
          detail: 'role too low',
        }),
      ),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('admin'));
    renderWithProviders(<Composer chatId={-100} />, { queryClient });
    await user.type(screen.getByRole('textbox', { name: 'Reply text' }), 'hi');
    await user.click(screen.getByRole('button', { name: 'Reply as admin' }));
    const dialog = screen.getByRole('dialog', { name: 'Preview: reply as admin' });
    await user.click(within(dialog).getByRole('button', { name: 'Send' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('role too low');
  });

  it('is read-only for a viewer', () => {
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('viewer'));
    renderWithProviders(<Composer chatId={-100} />, { queryClient });
    expect(screen.queryByRole('button', { name: 'Reply as admin' })).not.toBeInTheDocument();
    expect(screen.getByText('Read-only: your role cannot send messages.')).toBeInTheDocument();
  });
});
