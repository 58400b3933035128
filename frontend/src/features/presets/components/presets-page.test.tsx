// Presets page: admins get create/import/export/edit/delete; moderators and viewers only read.
// A server validation problem marks the field it names.
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Preset } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { PresetsPage } from './presets-page';

afterEach(() => vi.unstubAllGlobals());

const preset: Preset = {
  id: 3,
  name: 'Calm',
  description: 'Low temperature',
  temperature: 0.3,
  max_tokens: null,
  tone: 'formal',
  verbosity: null,
  emotional_intensity: 20,
  persona: null,
  version: 2,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

function setup(role: 'admin' | 'moderator', extra: Parameters<typeof routeFetch>[0] = {}) {
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/presets': () => jsonResponse(200, { items: [preset], next_cursor: null }),
        'GET /api/bindings': () => jsonResponse(200, { items: [], next_cursor: null }),
        ...extra,
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<PresetsPage />, { queryClient });
}

describe('PresetsPage', () => {
  it('lists presets with inherited values shown as dashes', async () => {
    setup('admin');
    const table = await screen.findByRole('table', { name: 'Presets' });
    const row = within(table).getByRole('row', { name: /Calm/ });
    expect(row).toHaveTextContent('0.3');
    expect(row).toHaveTextContent('formal');
    expect(row).toHaveTextContent('—');
    expect(screen.getByRole('button', { name: 'New preset' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Edit Calm' })).toBeInTheDocument();
  });

  it('hides every write control from a moderator', async () => {
    setup('moderator');
    await screen.findByRole('table', { name: 'Presets' });
    for (const name of ['New preset', 'Import…', 'Export all', 'Edit Calm', 'Delete Calm']) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
  });

  it('marks the field a server problem names', async () => {
    const user = userEvent.setup();
    setup('admin', {
      'PUT /api/presets/3': () =>
        jsonResponse(400, {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'field "persona" must be at most 4000 characters',
          field: 'persona',
        }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit Calm' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit preset “Calm”' });
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    const persona = await within(dialog).findByRole('textbox', { name: 'Persona' });
    expect(persona).toHaveAttribute('aria-invalid', 'true');
    expect(dialog).toHaveTextContent('field "persona" must be at most 4000 characters');
  });

  it('validates ranges before calling the server', async () => {
    const user = userEvent.setup();
    setup('admin');
    await user.click(await screen.findByRole('button', { name: 'New preset' }));
    const dialog = screen.getByRole('dialog', { name: 'New preset' });
    await user.type(within(dialog).getByRole('spinbutton', { name: 'Temperature' }), '5');
    await user.click(within(dialog).getByRole('button', { name: 'Create preset' }));
    expect(within(dialog).getByText('Required')).toBeInTheDocument();
    expect(within(dialog).getByText('Between 0 and 2')).toBeInTheDocument();
  });
});
