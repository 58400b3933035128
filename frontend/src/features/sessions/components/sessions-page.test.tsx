// Sessions screen: the list says each session's state and why it ended in words, the round
// reached, its chat or "console only" and its totals; the filters reach the query string; "New
// session" validates, then creates and starts the session (POST /api/sessions, then /start with
// the topic) and opens it. Viewers get no "New session".
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Route, Routes } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeRtSession, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { SessionsPage } from './sessions-page';

afterEach(() => vi.unstubAllGlobals());

const running = makeRtSession({
  id: 7,
  topic: 'Cars in city centres',
  current_round: 2,
  max_rounds: 5,
  tokens_in: 1200,
  tokens_out: 340,
  cost: 0.0123,
});
const stopped = makeRtSession({
  id: 6,
  topic: 'Remote work',
  chat_id: -100,
  status: 'stopped',
  stop_reason: 'stopped_by_admin',
  current_round: 1,
});

type Call = { method: string; url: URL; body: unknown };

function setup(role: 'admin' | 'viewer', extra: Parameters<typeof routeFetch>[0] = {}) {
  const calls: Call[] = [];
  const record = (status: number, answer: unknown) => async (req: Request) => {
    const text = await req.text();
    calls.push({
      method: req.method,
      url: new URL(req.url),
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
    return jsonResponse(status, answer);
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/sessions': record(200, { items: [running, stopped], next_cursor: null }),
        ...extra,
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(
    <Routes>
      <Route path="/sessions" element={<SessionsPage />} />
      <Route path="/sessions/:id" element={<p>opened session</p>} />
    </Routes>,
    { queryClient, route: '/sessions' },
  );
  return calls;
}

describe('SessionsPage', () => {
  it('lists sessions with state, reason, round, chat and totals', async () => {
    setup('admin');
    const table = await screen.findByRole('table', { name: 'Sessions' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Cars in city centres');
    expect(rows[0]).toHaveTextContent('running');
    expect(rows[0]).toHaveTextContent('2 / 5');
    expect(rows[0]).toHaveTextContent('console only');
    expect(rows[0]).toHaveTextContent('1,200 in / 340 out');
    expect(rows[0]).toHaveTextContent('$0.0123');
    expect(rows[1]).toHaveTextContent('stopped');
    expect(rows[1]).toHaveTextContent('stopped by an admin');
    expect(within(rows[1]!).getByRole('link', { name: '-100' })).toHaveAttribute(
      'href',
      '/chats/-100',
    );
    expect(within(rows[0]!).getByRole('link', { name: 'Cars in city centres' })).toHaveAttribute(
      'href',
      '/sessions/7',
    );
  });

  it('sends the filters as the query', async () => {
    const user = userEvent.setup();
    const calls = setup('viewer');
    await screen.findByRole('table', { name: 'Sessions' });
    expect(screen.queryByRole('button', { name: 'New session' })).not.toBeInTheDocument();
    const filters = screen.getByRole('search', { name: 'Session filters' });
    await user.selectOptions(within(filters).getByRole('combobox', { name: 'Status' }), 'stopped');
    await user.type(within(filters).getByRole('textbox', { name: 'Chat id' }), '-100');
    await user.type(within(filters).getByRole('searchbox', { name: 'Topic contains' }), 'work');
    await waitFor(() => {
      const last = calls.at(-1)!.url.searchParams;
      expect(last.get('status')).toBe('stopped');
      expect(last.get('chat_id')).toBe('-100');
      expect(last.get('q')).toBe('work');
    });
  });

  it('validates, then creates and starts a session and opens it', async () => {
    const user = userEvent.setup();
    const created = makeRtSession({ id: 9, status: 'awaiting_topic', topic: null });
    const started = makeRtSession({ id: 9, topic: 'Is AI art art?' });
    const calls = setup('admin', {
      'POST /api/sessions': async (req) => {
        calls.push({ method: 'POST', url: new URL(req.url), body: await req.json() });
        return jsonResponse(201, created);
      },
      'POST /api/sessions/9/start': async (req) => {
        calls.push({ method: 'POST', url: new URL(req.url), body: await req.json() });
        return jsonResponse(200, started);
      },
    });
    await user.click(await screen.findByRole('button', { name: 'New session' }));
    const dialog = screen.getByRole('dialog', { name: 'New session' });
    await user.type(
      within(dialog).getByRole('textbox', { name: 'Telegram chat id (optional)' }),
      'x',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create and start' }));
    expect(within(dialog).getByText('Enter a topic')).toBeInTheDocument();
    expect(
      within(dialog).getByText('A chat id is a whole number (negative for groups)'),
    ).toBeInTheDocument();
    expect(calls.filter((c) => c.method === 'POST')).toEqual([]);

    await user.clear(within(dialog).getByRole('textbox', { name: 'Telegram chat id (optional)' }));
    await user.type(within(dialog).getByRole('textbox', { name: 'Topic' }), '  Is AI art art?  ');
    await user.type(within(dialog).getByRole('spinbutton', { name: 'Rounds' }), '2');
    await user.click(within(dialog).getByRole('button', { name: 'Create and start' }));
    expect(await screen.findByText('opened session')).toBeInTheDocument();
    const posts = calls.filter((c) => c.method === 'POST');
    expect(posts.map((c) => [c.url.pathname, c.body])).toEqual([
      ['/api/sessions', { max_rounds: 2 }],
      ['/api/sessions/9/start', { topic: 'Is AI art art?' }],
    ]);
  });

  it('says a server problem (a chat busy) in the dialog', async () => {
    const user = userEvent.setup();
    setup('admin', {
      'POST /api/sessions': () =>
        jsonResponse(409, {
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: 'chat -100 already has an active session',
        }),
    });
    await user.click(await screen.findByRole('button', { name: 'New session' }));
    const dialog = screen.getByRole('dialog', { name: 'New session' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Topic' }), 'x');
    await user.type(
      within(dialog).getByRole('textbox', { name: 'Telegram chat id (optional)' }),
      '-100',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Create and start' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'chat -100 already has an active session',
    );
  });
});
