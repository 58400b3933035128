// Queue screen: dead letters by default with their last error; admins retry or (after
// confirming) discard one; other states and kinds filter the list; viewers only read.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Job } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { QueuePage } from './queue-page';

afterEach(() => vi.unstubAllGlobals());

function makeJob(over: Partial<Job> & { id: number }): Job {
  return {
    kind: 'telegram.send',
    state: 'dead',
    chat_id: -100,
    message_pk: 40,
    attempts: 5,
    relays: 5,
    last_error: 'Forbidden: bot was blocked by the user',
    created_at: '2026-01-01T12:00:00Z',
    relayed_at: '2026-01-01T12:00:01Z',
    done_at: null,
    dead_at: '2026-01-01T12:05:00Z',
    payload: { chat_id: -100, text: 'hello <b>there</b>', message_pk: 40 },
    ...over,
  };
}

function setup(role: 'admin' | 'viewer') {
  const queries: string[] = [];
  const posts: string[] = [];
  let dead = [makeJob({ id: 7 }), makeJob({ id: 8, kind: 'llm.reply', last_error: 'HTTP 500' })];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/jobs': (req) => {
          const url = new URL(req.url);
          queries.push(url.search);
          const state = url.searchParams.get('state');
          const items =
            state === 'dead'
              ? dead
              : [makeJob({ id: 3, state: 'pending', dead_at: null, last_error: null })];
          return jsonResponse(200, { items, next_cursor: null });
        },
        'POST /api/jobs/7/retry': () => {
          posts.push('retry 7');
          dead = dead.filter((j) => j.id !== 7);
          return jsonResponse(200, makeJob({ id: 7, state: 'pending' }));
        },
        'POST /api/jobs/8/discard': () => {
          posts.push('discard 8');
          dead = dead.filter((j) => j.id !== 8);
          return jsonResponse(200, makeJob({ id: 8, state: 'discarded' }));
        },
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<QueuePage />, { queryClient });
  return { queries, posts, queryClient };
}

describe('QueuePage', () => {
  it('lists dead letters with their last error', async () => {
    const { queries } = setup('admin');
    const table = await screen.findByRole('table', { name: 'Dead letters' });
    const row = within(table).getByRole('row', { name: /#7/ });
    expect(row).toHaveTextContent('Telegram send');
    expect(row).toHaveTextContent('Forbidden: bot was blocked by the user');
    expect(within(row).getByRole('link', { name: 'chat -100' })).toHaveAttribute(
      'href',
      '/chats/-100',
    );
    expect(queries[0]).toContain('state=dead');
  });

  it('retries one job and discards another after confirming', async () => {
    const user = userEvent.setup();
    const { posts } = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Retry job 7' }));
    await waitFor(() => expect(screen.queryByRole('row', { name: /#7/ })).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Discard job 8' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Discard job 8?' });
    expect(posts).toEqual(['retry 7']);
    await user.click(within(confirm).getByRole('button', { name: 'Discard' }));
    await waitFor(() => expect(posts).toEqual(['retry 7', 'discard 8']));
    expect(await screen.findByText('No dead letters. Every job went through.')).toBeInTheDocument();
  });

  it('filters by state and kind', async () => {
    const user = userEvent.setup();
    const { queries } = setup('admin');
    await screen.findByRole('table', { name: 'Dead letters' });
    await user.selectOptions(screen.getByRole('combobox', { name: 'State' }), 'Pending');
    expect(await screen.findByRole('table', { name: 'Pending jobs' })).toHaveTextContent('#3');
    expect(screen.queryByRole('button', { name: /Retry job/ })).not.toBeInTheDocument();
    await user.selectOptions(screen.getByRole('combobox', { name: 'Kind' }), 'model reply');
    await waitFor(() => expect(queries.at(-1)).toContain('kind=llm.reply'));
  });

  it('refetches when a job changes (entity.changed job)', async () => {
    const { queries, queryClient } = setup('viewer');
    await screen.findByRole('table', { name: 'Dead letters' });
    expect(screen.queryByRole('button', { name: 'Retry job 7' })).not.toBeInTheDocument();
    const before = queries.length;
    await queryClient.invalidateQueries({ queryKey: queryKeys.jobs });
    expect(queries.length).toBe(before + 1);
  });

  it('opens a dead letter from its row: payload as text, last error, attempts; retry from there', async () => {
    const user = userEvent.setup();
    const { posts } = setup('admin');
    const table = await screen.findByRole('table', { name: 'Dead letters' });
    await user.click(within(table).getByRole('row', { name: 'Job #7, Telegram send: details' }));
    const dialog = screen.getByRole('dialog', { name: 'Job #7' });
    expect(within(dialog).getByLabelText('Payload')).toHaveTextContent(
      '"text": "hello <b>there</b>"',
    );
    expect(dialog.querySelector('b')).toBeNull(); // shown as text, never as HTML
    expect(dialog).toHaveTextContent('Forbidden: bot was blocked by the user');
    expect(dialog).toHaveTextContent('5 (relayed 5×)');
    await user.click(within(dialog).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(posts).toEqual(['retry 7']));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('opens a row with the keyboard; a viewer sees no retry or discard in it', async () => {
    const user = userEvent.setup();
    setup('viewer');
    const table = await screen.findByRole('table', { name: 'Dead letters' });
    within(table).getByRole('row', { name: 'Job #8, model reply: details' }).focus();
    await user.keyboard('{Enter}');
    const dialog = screen.getByRole('dialog', { name: 'Job #8' });
    expect(within(dialog).queryByRole('button', { name: 'Retry' })).not.toBeInTheDocument();
    expect(within(dialog).queryByRole('button', { name: 'Discard' })).not.toBeInTheDocument();
  });
});
