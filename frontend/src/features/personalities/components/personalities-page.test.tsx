// Personalities screen: the list with title, instructions, style and the providers speaking with
// each; the dialog requires a title before POSTing; an edit PATCHes only what changed with the
// version it started from, and a 409 (stale version or title taken) is said in the dialog; delete
// asks first. Viewers only read.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import {
  jsonResponse,
  makePersonality,
  makeProvider,
  makeSession,
  routeFetch,
} from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { PersonalitiesPage } from './personalities-page';

afterEach(() => vi.unstubAllGlobals());

const optimist = makePersonality({
  id: 1,
  title: 'Оптимист',
  instructions: 'Argue for the upside.',
  style: 'Warm, brief.',
  version: 4,
});
const sceptic = makePersonality({ id: 2, title: 'Скептик' });

type Call = { method: string; path: string; body: unknown };

function setup(role: 'admin' | 'viewer', extra: Parameters<typeof routeFetch>[0] = {}) {
  const calls: Call[] = [];
  const record = (status: number, answer: unknown) => async (req: Request) => {
    const text = await req.text();
    calls.push({
      method: req.method,
      path: new URL(req.url).pathname,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
    return jsonResponse(status, answer);
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/personalities': () =>
          jsonResponse(200, { items: [optimist, sceptic], next_cursor: null }),
        'GET /api/providers': () =>
          jsonResponse(200, {
            items: [makeProvider({ id: 5, name: 'OpenAI', personality_id: 1 })],
            next_cursor: null,
          }),
        'POST /api/personalities': record(201, makePersonality({ id: 3, title: 'Moderator' })),
        'PATCH /api/personalities/1': record(200, optimist),
        'DELETE /api/personalities/2': record(204, undefined),
        ...extra,
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<PersonalitiesPage />, { queryClient });
  return calls;
}

describe('PersonalitiesPage', () => {
  it('lists personalities and who speaks with them; viewers only read', async () => {
    setup('viewer');
    const table = await screen.findByRole('table', { name: 'Personalities' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows[0]).toHaveTextContent('Оптимист');
    expect(rows[0]).toHaveTextContent('Argue for the upside.');
    expect(rows[0]).toHaveTextContent('Warm, brief.');
    await waitFor(() => expect(rows[0]).toHaveTextContent('OpenAI'));
    expect(screen.queryByRole('button', { name: 'New personality' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Edit Оптимист' })).not.toBeInTheDocument();
  });

  it('requires a title, then creates', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'New personality' }));
    const dialog = screen.getByRole('dialog', { name: 'New personality' });
    await user.click(within(dialog).getByRole('button', { name: 'Create personality' }));
    expect(within(dialog).getByText('Required')).toBeInTheDocument();
    expect(calls).toEqual([]);
    await user.type(within(dialog).getByRole('textbox', { name: 'Title' }), ' Moderator ');
    await user.type(within(dialog).getByRole('textbox', { name: 'Instructions' }), 'Sum up.');
    await user.click(within(dialog).getByRole('button', { name: 'Create personality' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/personalities',
        body: { title: 'Moderator', instructions: 'Sum up.', style: '' },
      },
    ]);
  });

  it('edits with the version it started from and says a 409', async () => {
    const user = userEvent.setup();
    let first = true;
    const calls: unknown[] = [];
    setup('admin', {
      'PATCH /api/personalities/1': async (req) => {
        calls.push(await req.json());
        if (first) {
          first = false;
          return jsonResponse(409, {
            type: 'about:blank',
            title: 'Conflict',
            status: 409,
            detail: 'personality 1 was changed by someone else (version 5)',
          });
        }
        return jsonResponse(200, optimist);
      },
    });
    await user.click(await screen.findByRole('button', { name: 'Edit Оптимист' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit personality “Оптимист”' });
    const style = within(dialog).getByRole('textbox', { name: 'Style' });
    await user.clear(style);
    await user.type(style, 'Cheerful.');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'Not saved: personality 1 was changed by someone else (version 5)',
    );
    expect(calls).toEqual([{ style: 'Cheerful.', version: 4 }]);
  });

  it('deletes after confirming', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Delete Скептик' }));
    const dialog = screen.getByRole('alertdialog', { name: 'Delete personality “Скептик”?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(calls).toEqual([{ method: 'DELETE', path: '/api/personalities/2', body: undefined }]),
    );
  });
});
