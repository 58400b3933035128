// Apply a preset: the scope radio offers Globally and This chat (This user only when the history
// is filtered to a user); "Globally" posts a global binding with its hours; the presets in force
// here are listed with a countdown, other chats' bindings are not.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '@/lib/api/client';
import { jsonResponse, routeFetch } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { ApplyPreset } from './apply-preset';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

const inTwoHours = () => new Date(Date.now() + 2 * 3_600_000 - 30_000).toISOString();

function binding(over: Record<string, unknown>) {
  return {
    chat_id: null,
    user_id: null,
    preset_id: 1,
    preset_name: 'Calm',
    expires_at: null,
    created_at: '2026-01-01T00:00:00Z',
    created_by: 'admin:1',
    created_by_name: 'admin',
    target_name: null,
    active: true,
    ...over,
  };
}

function stub(existing: unknown[]) {
  const posted: unknown[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/presets': () =>
          jsonResponse(200, {
            items: [{ id: 1, name: 'Calm', description: null, params: {} }],
            next_cursor: null,
          }),
        'GET /api/bindings': () => jsonResponse(200, { items: existing, next_cursor: null }),
        'POST /api/bindings': async (request) => {
          const body: unknown = await request.json();
          posted.push(body);
          return jsonResponse(201, binding({ id: 99, scope: 'global', expires_at: inTwoHours() }));
        },
      }),
    ),
  );
  return posted;
}

describe('ApplyPreset', () => {
  it('binds a preset globally for N hours', async () => {
    setCsrfToken('csrf-1');
    const posted = stub([]);
    const user = userEvent.setup();
    renderWithProviders(<ApplyPreset chatId={-100} />);
    const scope = screen.getByRole('radiogroup', { name: 'Apply to' });
    expect(
      within(scope)
        .getAllByRole('radio')
        .map((r) => r.closest('label')?.textContent),
    ).toEqual(['Globally', 'This chat']);
    await user.click(within(scope).getByRole('radio', { name: 'Globally' }));
    await user.selectOptions(await screen.findByLabelText('Preset'), '1');
    await user.type(screen.getByLabelText('Hours'), '2');
    await user.click(screen.getByRole('button', { name: 'Apply globally' }));
    expect(await screen.findByRole('status')).toHaveTextContent(
      '“Calm” applies everywhere for 2 h.',
    );
    expect(posted).toEqual([{ scope: 'global', preset_id: 1, hours: 2 }]);
  });

  it('offers This user when the history is filtered to a user and posts a user binding', async () => {
    const posted = stub([]);
    const user = userEvent.setup();
    renderWithProviders(<ApplyPreset chatId={-100} userId={7} />);
    await user.click(screen.getByRole('radio', { name: 'This user' }));
    await user.selectOptions(await screen.findByLabelText('Preset'), '1');
    await user.click(screen.getByRole('button', { name: 'Apply to this user' }));
    await waitFor(() => expect(posted).toEqual([{ scope: 'user', user_id: 7, preset_id: 1 }]));
  });

  it('lists the presets in force here with a countdown, not other chats’ ones', async () => {
    stub([
      binding({ id: 1, scope: 'global', preset_name: 'Calm', expires_at: inTwoHours() }),
      binding({ id: 2, scope: 'chat', chat_id: -100, preset_name: 'Brief' }),
      binding({ id: 3, scope: 'chat', chat_id: -200, preset_name: 'Elsewhere' }),
    ]);
    renderWithProviders(<ApplyPreset chatId={-100} />);
    const list = await screen.findByRole('group', { name: 'Presets in force here' });
    const rows = await within(list).findAllByRole('listitem');
    expect(rows.map((r) => r.textContent)).toEqual([
      'global: Calmends in 2 hr',
      'chat: Briefpermanent',
    ]);
  });
});
