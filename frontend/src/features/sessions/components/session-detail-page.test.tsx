// One session: state, the stop reason in words, round x of y, totals and limits; participants with
// strikes (an excluded one says why); the history with speaker, round, text, tokens and cost per
// turn. Admins stop an active session after confirming (viewers and ended sessions get no Stop).
// Live: an llm.delta with this session_id (chat_id null: a console-only session) shows as the
// speaker's typing card, and the turn's message.created refetches the session.
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { applyLiveEvent } from '@/lib/live/apply-event';
import { queryKeys } from '@/lib/api/query-keys';
import type { RtSessionDetail } from '@/lib/api/roundtable';
import {
  jsonResponse,
  makeLlmUsage,
  makeMessage,
  makeParticipant,
  makeRtSession,
  makeRtSessionDetail,
  makeSession,
  routeFetch,
} from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { SessionDetailPage } from './session-detail-page';

afterEach(() => vi.unstubAllGlobals());

const turn = (id: number, speaker: string, round: number, text: string) =>
  makeMessage({
    id,
    chat_id: null,
    user_id: null,
    sender: null,
    direction: 'out',
    author_type: 'bot',
    text,
    session_id: 3,
    speaker,
    round,
    llm: makeLlmUsage({
      provider: 'demo',
      model: 'demo-1',
      tokens_in: 120,
      tokens_out: 40,
      cost: 0.0021,
    }),
  });

const detail: RtSessionDetail = makeRtSessionDetail({
  id: 3,
  topic: 'Four-day week',
  status: 'running',
  current_round: 2,
  max_rounds: 4,
  tokens_in: 240,
  tokens_out: 80,
  cost: 0.0042,
  max_tokens: 5000,
  participants: [
    makeParticipant({ position: 0, name: 'demo · Оптимист', turns: 1, strikes: 0 }),
    makeParticipant({
      position: 1,
      name: 'demo · Скептик',
      status: 'excluded',
      strikes: 2,
      excluded_reason: 'empty or repeated replies',
    }),
  ],
  turns: [
    turn(11, 'demo · Оптимист', 1, 'It frees time for family.'),
    turn(12, 'demo · Скептик', 1, 'Productivity may fall.'),
  ],
});

function setup(role: 'admin' | 'viewer', session: RtSessionDetail = detail) {
  let current = session;
  const posts: string[] = [];
  const gets = { n: 0 };
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/sessions/3': () => {
          gets.n += 1;
          return jsonResponse(200, current);
        },
        'POST /api/sessions/3/stop': (req) => {
          posts.push(new URL(req.url).pathname);
          current = { ...current, status: 'stopped', stop_reason: 'stopped_by_admin' };
          const { participants: _p, turns: _t, ...rest } = current;
          void _p;
          void _t;
          return jsonResponse(200, { ...makeRtSession({ id: 3 }), ...rest, turns: 2 });
        },
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<SessionDetailPage sessionId={3} />, { queryClient });
  return { posts, gets, queryClient };
}

describe('SessionDetailPage', () => {
  it('shows the state, round, totals, participants and the history with tokens and cost', async () => {
    setup('viewer');
    expect(await screen.findByText('Four-day week')).toBeInTheDocument();
    expect(screen.getByTestId('session-status')).toHaveTextContent('running');
    expect(screen.getByTestId('session-round')).toHaveTextContent('Round 2 of 4');
    expect(screen.getByTestId('session-tokens')).toHaveTextContent('240 in / 80 out');
    expect(screen.getByTestId('session-cost')).toHaveTextContent('$0.0042');
    expect(screen.getByText(/at most 5,000 tokens/)).toBeInTheDocument();
    expect(screen.getByText('console only')).toBeInTheDocument();

    const participants = screen.getByRole('table', { name: 'Participants' });
    const rows = within(participants).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('demo · Оптимист');
    expect(rows[0]).toHaveTextContent('active');
    expect(rows[1]).toHaveTextContent('excluded');
    expect(rows[1]).toHaveTextContent('Excluded: empty or repeated replies');
    expect(within(rows[1]!).getAllByRole('cell')[3]).toHaveTextContent('2');

    const history = screen.getByRole('list', { name: 'History of session #3' });
    const turns = within(history).getAllByRole('article');
    expect(turns).toHaveLength(2);
    expect(turns[0]).toHaveAccessibleName('demo · Оптимист');
    expect(turns[0]).toHaveTextContent('round 1');
    expect(turns[0]).toHaveTextContent('It frees time for family.');
    expect(turns[0]).toHaveTextContent('120 in / 40 out tokens');
    expect(turns[0]).toHaveTextContent('$0.0021');
    // Viewers cannot stop it.
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
  });

  it('stops a running session after confirming and shows why it ended', async () => {
    const user = userEvent.setup();
    const { posts } = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Stop' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Stop session #3?' });
    await user.click(within(dialog).getByRole('button', { name: 'Stop' }));
    await waitFor(() => expect(posts).toEqual(['/api/sessions/3/stop']));
    await waitFor(() =>
      expect(screen.getByTestId('session-stop-reason')).toHaveTextContent('stopped by an admin'),
    );
    expect(screen.getByTestId('session-status')).toHaveTextContent('stopped');
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
  });

  it('shows the speaker typing from llm.delta, and refetches on the turn message', async () => {
    const { gets, queryClient } = setup('admin');
    await screen.findByText('Four-day week');
    expect(gets.n).toBe(1);
    const frame = {
      job_id: 44,
      chat_id: null,
      draft_id: null,
      in_reply_to: null,
      provider: 'demo',
      demo: true,
      session_id: 3,
      speaker: 'demo · Оптимист',
    };
    act(() => {
      applyLiveEvent(queryClient, {
        type: 'llm.delta',
        data: { ...frame, seq: 0, delta: 'Shorter weeks ' },
        ts: '',
      });
      applyLiveEvent(queryClient, {
        type: 'llm.delta',
        data: { ...frame, seq: 1, delta: 'mean rested staff.' },
        ts: '',
      });
    });
    const typing = await screen.findByRole('article', {
      name: 'demo · Оптимист is writing a turn',
    });
    expect(typing).toHaveTextContent('demo · Оптимист is typing…');
    expect(typing).toHaveTextContent('Shorter weeks mean rested staff.');

    // Another session's frame is not shown here.
    act(() =>
      applyLiveEvent(queryClient, {
        type: 'llm.delta',
        data: { ...frame, job_id: 45, session_id: 4, speaker: 'other', seq: 0, delta: 'x' },
        ts: '',
      }),
    );
    expect(screen.queryByRole('article', { name: 'other is writing a turn' })).toBeNull();

    act(() =>
      applyLiveEvent(queryClient, {
        type: 'message.created',
        data: turn(13, 'demo · Оптимист', 2, 'Shorter weeks mean rested staff.'),
        ts: '',
      }),
    );
    await waitFor(() => expect(gets.n).toBe(2));
    expect(screen.queryByRole('article', { name: /is writing a turn/ })).toBeNull();
  });

  it('offers no Stop for an ended session', async () => {
    setup('admin', makeRtSessionDetail({ id: 3, status: 'finished', stop_reason: 'rounds_done' }));
    expect(await screen.findByTestId('session-stop-reason')).toHaveTextContent('all rounds done');
    expect(screen.queryByRole('button', { name: 'Stop' })).not.toBeInTheDocument();
  });

  it('starts a session awaiting its topic with the topic an admin gives', async () => {
    const user = userEvent.setup();
    const bodies: unknown[] = [];
    let current: RtSessionDetail = makeRtSessionDetail({
      id: 3,
      status: 'awaiting_topic',
      topic: null,
      chat_id: -100,
      current_round: 0,
    });
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/sessions/3': () => jsonResponse(200, current),
          'POST /api/sessions/3/start': async (req) => {
            bodies.push(await req.json());
            current = { ...current, status: 'running', topic: 'Trains or planes?' };
            return jsonResponse(200, { ...makeRtSession({ id: 3 }), topic: 'Trains or planes?' });
          },
        }),
      ),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('admin'));
    renderWithProviders(<SessionDetailPage sessionId={3} />, { queryClient });
    const section = await screen.findByRole('region', { name: 'Start with a topic' });
    await user.click(within(section).getByRole('button', { name: 'Start session' }));
    expect(within(section).getByText('Enter a topic')).toBeInTheDocument();
    expect(bodies).toEqual([]);
    await user.type(within(section).getByRole('textbox', { name: 'Topic' }), ' Trains or planes? ');
    await user.click(within(section).getByRole('button', { name: 'Start session' }));
    await waitFor(() => expect(screen.getByTestId('session-status')).toHaveTextContent('running'));
    expect(bodies).toEqual([{ topic: 'Trains or planes?' }]);
    expect(screen.queryByRole('region', { name: 'Start with a topic' })).not.toBeInTheDocument();
  });
});
