// Simulator panel: posts the typed body with the CSRF header; 409 says the simulator is off.
// Its "Bot keyboard" shows the buttons of the bot's latest reply keyboard in the chat named in
// the Chat ID field (from GET /api/messages?chat_id=…, then live message.created events), and a
// click sends the button's text as the same simulated user, as Telegram would.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLiveEvent } from '@/lib/live/apply-event';
import { setCsrfToken } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage } from '@/lib/cache/chats';
import { jsonResponse, makeChat, makeMessage, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { SimulatorPanel } from './simulator-panel';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

async function fill(text: string) {
  const user = userEvent.setup();
  const group = screen.getByRole('radio', { name: 'Group' });
  if (!(group as HTMLInputElement).checked) await user.click(group);
  await user.type(screen.getByLabelText('Chat ID'), '-1001');
  await user.type(screen.getByLabelText('Chat title'), 'Test group');
  await user.clear(screen.getByLabelText('User ID'));
  await user.type(screen.getByLabelText('User ID'), '42');
  await user.clear(screen.getByLabelText('First name'));
  await user.type(screen.getByLabelText('First name'), 'Ann');
  await user.type(screen.getByLabelText('Username'), '@ann');
  if (text) await user.type(screen.getByLabelText('Text'), text);
  return user;
}

async function send() {
  const user = await fill('hello there');
  await user.click(screen.getByRole('button', { name: 'Send' }));
}

const MENU = {
  keyboard: [
    [{ text: 'Новое обсуждение' }],
    [{ text: 'Остановить диалог' }, { text: 'Отблагодарить создателя' }],
  ],
  resize_keyboard: true,
  is_persistent: true,
};

const page = (items: ReturnType<typeof makeMessage>[]) => ({
  items: [...items].reverse(),
  next_cursor: null,
});

/**
 * Routes GET /api/messages (answering the messages of `history` in the requested chat, as the
 * server does) and POST /api/simulator/messages. Answering every chat alike once let a test find
 * the keyboard of a chat id still being typed (the sample user's 1001, or -100), which the
 * debounced switch to -1001 then replaced while the click was on its way.
 */
function stubApi(history: ReturnType<typeof makeMessage>[] = []) {
  const posts: Request[] = [];
  const gets: URL[] = [];
  const fetchMock = vi.fn(
    routeFetch({
      'GET /api/messages': (request) => {
        const url = new URL(request.url);
        gets.push(url);
        const chatId = url.searchParams.get('chat_id');
        return jsonResponse(200, page(history.filter((m) => String(m.chat_id) === chatId)));
      },
      'POST /api/simulator/messages': (request) => {
        posts.push(request);
        return jsonResponse(202, { update_id: 9000000000000 + posts.length, stream_id: '1-0' });
      },
    }),
  );
  vi.stubGlobal('fetch', fetchMock);
  return { posts, gets };
}

describe('SimulatorPanel', () => {
  it('is labelled as the simulator without a Telegram token', () => {
    renderWithProviders(<SimulatorPanel />);
    expect(
      screen.getByRole('region', { name: 'Simulator (no Telegram token)' }),
    ).toBeInTheDocument();
  });

  it('posts the message with the CSRF token and reports the queued update', async () => {
    setCsrfToken('csrf-1');
    const { posts } = stubApi();
    renderWithProviders(<SimulatorPanel />);
    await send();
    expect(await screen.findByRole('status')).toHaveTextContent('9000000000001');
    expect(posts).toHaveLength(1);
    const [request] = posts;
    expect(request!.headers.get('X-CSRF-Token')).toBe('csrf-1');
    expect(await request!.json()).toEqual({
      chat_id: -1001,
      chat_title: 'Test group',
      user_id: 42,
      first_name: 'Ann',
      username: 'ann',
      text: 'hello there',
    });
    expect(screen.getByLabelText('Text')).toHaveValue('');
  });

  it('says the simulator is off when the server answers 409', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/messages': () => jsonResponse(200, page([])),
          'POST /api/simulator/messages': () =>
            jsonResponse(409, { type: 'about:blank', title: 'Conflict', status: 409 }),
        }),
      ),
    );
    renderWithProviders(<SimulatorPanel />);
    await send();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The simulator is off: a Telegram bot token is configured.',
    );
  });
});

describe('SimulatorPanel bot keyboard', () => {
  it('says there is no keyboard until the bot sends one', async () => {
    const { gets } = stubApi([makeMessage({ id: 1, chat_id: -1001, text: '/start' })]);
    renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    const group = await screen.findByRole('group', { name: 'Bot keyboard' });
    await within(group).findByText(/No keyboard from the bot in this chat yet/);
    expect(within(group).queryByRole('button')).not.toBeInTheDocument();
    expect(gets[0]?.searchParams.get('chat_id')).toBe('-1001');
  });

  it('shows the latest keyboard and sends a pressed button as the same user', async () => {
    setCsrfToken('csrf-2');
    const { posts } = stubApi([
      makeMessage({ id: 1, chat_id: -1001, text: '/start' }),
      makeMessage({
        id: 2,
        chat_id: -1001,
        direction: 'out',
        author_type: 'bot',
        sender: null,
        text: 'Здравствуйте!',
        reply_markup: MENU,
      }),
      // A later bot message without a keyboard leaves the menu up, as in Telegram.
      makeMessage({ id: 3, chat_id: -1001, direction: 'out', author_type: 'bot', text: 'ok' }),
    ]);
    renderWithProviders(<SimulatorPanel />);
    const user = await fill('typed but not sent');
    const group = await screen.findByRole('group', { name: 'Bot keyboard' });
    const start = await within(group).findByRole('button', { name: 'Новое обсуждение' });
    expect(
      within(group)
        .getAllByRole('button')
        .map((b) => b.textContent),
    ).toEqual(['Новое обсуждение', 'Остановить диалог', 'Отблагодарить создателя']);
    await user.click(start);
    expect(await screen.findByRole('status')).toHaveTextContent('9000000000001');
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers.get('X-CSRF-Token')).toBe('csrf-2');
    expect(await posts[0]!.json()).toEqual({
      chat_id: -1001,
      chat_title: 'Test group',
      user_id: 42,
      first_name: 'Ann',
      username: 'ann',
      text: 'Новое обсуждение',
    });
    // The typed text is the user's own draft: a button press leaves it alone.
    expect(screen.getByLabelText('Text')).toHaveValue('typed but not sent');
  });

  it('does not send a button of the previous chat while the chat id is being changed', async () => {
    stubApi([
      makeMessage({
        id: 2,
        chat_id: -1001,
        direction: 'out',
        author_type: 'bot',
        reply_markup: MENU,
      }),
    ]);
    renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    const group = await screen.findByRole('group', { name: 'Bot keyboard' });
    const stop = await within(group).findByRole('button', { name: 'Остановить диалог' });
    expect(stop).toBeEnabled();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText('Chat ID'), '2');
    expect(stop).toBeDisabled();
    // Once the keyboard follows the new chat (-10012 has none), the old buttons are gone.
    await within(group).findByText(/No keyboard from the bot/);
  });

  it('shows a keyboard arriving live over message.created', async () => {
    stubApi([]);
    const { queryClient } = renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    const group = await screen.findByRole('group', { name: 'Bot keyboard' });
    await within(group).findByText(/No keyboard from the bot/);
    act(() =>
      applyLiveEvent(queryClient, {
        type: 'message.created',
        data: makeMessage({
          id: 5,
          chat_id: -1001,
          direction: 'out',
          author_type: 'bot',
          sender: null,
          reply_markup: MENU,
        }),
      } as Parameters<typeof applyLiveEvent>[1]),
    );
    await within(group).findByRole('button', { name: 'Остановить диалог' });
  });

  it('ignores keyboards of other chats and inline keyboards', async () => {
    stubApi([
      makeMessage({
        id: 4,
        chat_id: -1001,
        direction: 'out',
        author_type: 'bot',
        reply_markup: { inline_keyboard: [[{ text: 'Поддержать', url: 'https://x.example' }]] },
      }),
    ]);
    const { queryClient } = renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    const group = await screen.findByRole('group', { name: 'Bot keyboard' });
    await within(group).findByText(/No keyboard from the bot/);
    queryClient.setQueryData(['messages', { chatId: -2002 }], {
      items: [makeMessage({ id: 9, chat_id: -2002, direction: 'out', reply_markup: MENU })],
      olderCursor: null,
    });
    expect(within(group).queryByRole('button')).not.toBeInTheDocument();
  });
});

describe('SimulatorPanel chat type and mention', () => {
  function stubWithSettings(botUsername: string | null) {
    const posts: Request[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/messages': () => jsonResponse(200, page([])),
          'GET /api/settings': () =>
            jsonResponse(200, {
              items: [
                {
                  key: 'bot.username',
                  value: botUsername,
                  is_default: botUsername === null,
                  updated_at: '2026-01-01T00:00:00Z',
                },
              ],
            }),
          'POST /api/simulator/messages': (request) => {
            posts.push(request);
            return jsonResponse(202, { update_id: 1, stream_id: '1-0' });
          },
        }),
      ),
    );
    return posts;
  }

  it('a private chat sends to the user id as chat id, without a title; a group explains its negative id', async () => {
    const posts = stubWithSettings('rt_bot');
    const user = userEvent.setup();
    renderWithProviders(<SimulatorPanel />);
    const type = screen.getByRole('radiogroup', { name: 'Chat type' });
    await user.click(within(type).getByRole('radio', { name: 'Group' }));
    expect(screen.getByText(/negative/)).toBeInTheDocument();
    await user.click(within(type).getByRole('radio', { name: 'Private chat' }));
    expect(screen.queryByLabelText('Chat ID')).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Chat title')).not.toBeInTheDocument();
    expect(screen.getByText(/private chat’s id is the user’s id/)).toBeInTheDocument();
    await user.clear(screen.getByLabelText('User ID'));
    await user.type(screen.getByLabelText('User ID'), '4242');
    await user.clear(screen.getByLabelText('First name'));
    await user.type(screen.getByLabelText('Text'), 'hi');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByRole('status');
    expect(await posts[0]!.json()).toEqual({ chat_id: 4242, user_id: 4242, text: 'hi' });
  });

  it('with no chat open, a newcomer only types: a private chat of a sample user is ready', async () => {
    const posts = stubWithSettings('rt_bot');
    const user = userEvent.setup();
    renderWithProviders(<SimulatorPanel />);
    expect(screen.getByRole('radio', { name: 'Private chat' })).toBeChecked();
    await user.type(screen.getByLabelText('Text'), 'hello');
    await user.click(screen.getByRole('button', { name: 'Send' }));
    await screen.findByRole('status');
    expect(await posts[0]!.json()).toEqual({
      chat_id: 1001,
      user_id: 1001,
      first_name: 'Alice',
      text: 'hello',
    });
  });

  it('refuses a positive chat id for a group', async () => {
    stubWithSettings('rt_bot');
    const user = userEvent.setup();
    renderWithProviders(<SimulatorPanel />);
    await user.click(screen.getByRole('radio', { name: 'Group' }));
    await user.type(screen.getByLabelText('Chat ID'), '1001');
    await user.type(screen.getByLabelText('Text'), 'hi');
    expect(screen.getByLabelText('Chat ID')).toHaveAttribute('aria-invalid', 'true');
    expect(screen.getByRole('button', { name: 'Send' })).toBeDisabled();
  });

  it('opens on a private chat of the console as Private chat with its user id', () => {
    stubWithSettings('rt_bot');
    renderWithProviders(<SimulatorPanel defaultChatId={4242} />);
    expect(screen.getByRole('radio', { name: 'Private chat' })).toBeChecked();
    expect(screen.getByLabelText('User ID')).toHaveValue('4242');
  });

  it('opening on a chat keeps its name: the private user’s first name, the group’s title', () => {
    stubWithSettings('rt_bot');
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(
      queryKeys.chats(''),
      chatWindowFromPage({
        items: [
          makeChat({ id: 4242, type: 'private', title: 'Alice' }),
          makeChat({ id: -1001, type: 'group', title: 'Tea club' }),
        ],
        next_cursor: null,
      }),
    );
    const { unmount } = renderWithProviders(<SimulatorPanel defaultChatId={4242} />, {
      queryClient,
    });
    expect(screen.getByLabelText('First name')).toHaveValue('Alice');
    unmount();
    renderWithProviders(<SimulatorPanel defaultChatId={-1001} />, { queryClient });
    expect(screen.getByLabelText('Chat title')).toHaveValue('Tea club');
  });

  it('"Mention the bot" inserts @<bot.username> into the text at the caret', async () => {
    stubWithSettings('@rt_bot');
    const user = userEvent.setup();
    renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    const mention = screen.getByRole('button', { name: 'Mention the bot' });
    await waitFor(() => expect(mention).toBeEnabled());
    const text = screen.getByLabelText('Text');
    await user.type(text, 'hello');
    await user.click(mention);
    expect(text).toHaveValue('hello @rt_bot ');
  });

  it('"Mention the bot" is disabled, with the reason, while bot.username is unset', async () => {
    stubWithSettings(null);
    renderWithProviders(<SimulatorPanel defaultChatId={-1001} />);
    expect(await screen.findByText(/set bot.username in Settings/)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Mention the bot' })).toBeDisabled();
  });
});
