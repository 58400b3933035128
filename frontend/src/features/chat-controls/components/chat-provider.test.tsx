// The chat's provider select: lists the providers (disabled ones marked), PATCHes provider_id
// (null for "Default") and the answered chat lands in the cached lists; read-only below admin.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Chat } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';
import { jsonResponse, makeChat, makeProvider, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { useCachedChat } from '@/lib/cache/use-cached-chat';
import { ChatProvider } from './chat-provider';

afterEach(() => vi.unstubAllGlobals());

function Connected({ chatId }: { chatId: number }) {
  const chat = useCachedChat(chatId);
  return chat ? <ChatProvider chat={chat} /> : null;
}

function setup(role: 'admin' | 'moderator', bodies: unknown[] = []) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/providers': () =>
          jsonResponse(200, {
            items: [
              makeProvider({ id: 2, name: 'DeepSeek', model_id: 'deepseek-chat', position: 2 }),
              makeProvider({ id: 1, name: 'OpenAI', position: 1, enabled: false }),
            ],
            next_cursor: null,
          }),
        'PATCH /api/chats/-100': async (req) => {
          const body = (await req.json()) as Partial<Chat>;
          bodies.push(body);
          return jsonResponse(200, makeChat({ id: -100, provider_id: body.provider_id ?? null }));
        },
      }),
    ),
  );
  const client = createTestQueryClient();
  client.setQueryData(queryKeys.me, makeSession(role));
  client.setQueryData(
    queryKeys.chats(''),
    chatWindowFromPage({ items: [makeChat({ id: -100 })], next_cursor: null }),
  );
  renderWithProviders(<Connected chatId={-100} />, { queryClient: client });
  return client;
}

describe('ChatProvider', () => {
  it('sets and clears the chat provider through PATCH /api/chats/{id}', async () => {
    const user = userEvent.setup();
    const bodies: unknown[] = [];
    const client = setup('admin', bodies);
    const select = screen.getByRole('combobox', { name: 'Provider' });
    await screen.findByRole('option', { name: 'DeepSeek · deepseek-chat' });
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      'Default (settings)',
      'OpenAI · gpt-4o-mini (off)',
      'DeepSeek · deepseek-chat',
    ]);

    await user.selectOptions(select, 'DeepSeek · deepseek-chat');
    await waitFor(() =>
      expect(client.getQueryData<ChatWindow>(queryKeys.chats(''))?.items[0]?.provider_id).toBe(2),
    );
    expect(select).toHaveValue('2');
    await user.selectOptions(select, 'Default (settings)');
    await waitFor(() => expect(bodies).toEqual([{ provider_id: 2 }, { provider_id: null }]));
  });

  it('is read-only for a moderator', async () => {
    setup('moderator');
    await screen.findByRole('option', { name: 'DeepSeek · deepseek-chat' });
    expect(screen.getByRole('combobox', { name: 'Provider' })).toBeDisabled();
  });
});
