// Admins (owner only): the accounts in the one table kit; create checks the password before
// sending and shows the server's problem under the field it names; role, disable and a password
// reset go to PATCH /api/admins/{id}.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { AdminsPage } from './admins-page';

afterEach(() => vi.unstubAllGlobals());

const ann = {
  id: 2,
  login: 'ann',
  role: 'viewer',
  created_at: '2026-01-01T10:00:00Z',
  disabled: false,
  disabled_at: null,
};

function setup() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const record = (status: number, answer: unknown) => async (req: Request) => {
    calls.push({
      method: req.method,
      path: new URL(req.url).pathname,
      body: JSON.parse(await req.text()) as unknown,
    });
    return jsonResponse(status, answer);
  };
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/admins': () => jsonResponse(200, { items: [ann], next_cursor: null }),
        'POST /api/admins': record(409, {
          type: 'about:blank',
          title: 'Conflict',
          status: 409,
          detail: 'login "ann" already exists',
          field: 'login',
        }),
        'PATCH /api/admins/2': record(200, ann),
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession('owner'));
  renderWithProviders(<AdminsPage />, { queryClient });
  return calls;
}

describe('AdminsPage', () => {
  it('creates: a short password is refused before sending, a clash is shown under Login', async () => {
    const user = userEvent.setup();
    const calls = setup();
    await screen.findByRole('table', { name: 'Admin accounts' });
    await user.click(screen.getByRole('button', { name: 'New admin' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('Login'), 'ann');
    await user.type(within(dialog).getByLabelText('Password'), 'short');
    await user.click(within(dialog).getByRole('button', { name: 'Create admin' }));
    expect(within(dialog).getByLabelText('Password')).toHaveAccessibleDescription(
      'At least 8 characters',
    );
    expect(calls).toEqual([]);
    await user.type(within(dialog).getByLabelText('Password'), '-but-long-now');
    await user.click(within(dialog).getByRole('button', { name: 'Create admin' }));
    await waitFor(() =>
      expect(within(dialog).getByLabelText('Login')).toHaveAccessibleDescription(
        'login "ann" already exists',
      ),
    );
    expect(within(dialog).getByLabelText('Login')).toHaveAttribute('aria-invalid', 'true');
    expect(calls).toHaveLength(1);
  });

  it('changes a role, disables, and resets a password', async () => {
    const user = userEvent.setup();
    const calls = setup();
    const table = await screen.findByRole('table', { name: 'Admin accounts' });
    await user.selectOptions(within(table).getByRole('combobox', { name: /ann/ }), 'admin');
    await user.click(within(table).getByRole('button', { name: 'Disable' }));
    await user.click(within(table).getByRole('button', { name: 'Reset password' }));
    const dialog = screen.getByRole('dialog');
    await user.type(within(dialog).getByLabelText('New password'), 'a-new-password');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(calls).toHaveLength(3));
    expect(calls.map((c) => c.body)).toEqual([
      { role: 'admin' },
      { disabled: true },
      { password: 'a-new-password' },
    ]);
  });
});
