// Import: a 409 listing clashing names turns into a skip/rename/overwrite choice, and the same
// file goes again with the chosen on_conflict.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { ImportPresetsDialog } from './import-presets-dialog';

afterEach(() => vi.unstubAllGlobals());

const file = {
  schema: 'roundtable.presets',
  schema_version: 1,
  presets: [{ name: 'Calm', temperature: 0.3 }, { name: 'Terse' }],
};

describe('ImportPresetsDialog', () => {
  it('asks how to resolve clashing names and retries with the choice', async () => {
    const user = userEvent.setup();
    const calls: { onConflict: string | null; body: unknown }[] = [];
    vi.stubGlobal(
      'fetch',
      vi.fn(async (req: Request) => {
        const onConflict = new URL(req.url).searchParams.get('on_conflict');
        calls.push({ onConflict, body: await req.json() });
        if (onConflict === 'error') {
          return jsonResponse(409, {
            type: 'about:blank',
            title: 'Conflict',
            status: 409,
            detail: 'presets already exist: "Calm"',
          });
        }
        return jsonResponse(200, {
          created: ['Terse'],
          skipped: [],
          renamed: [{ from: 'Calm', to: 'Calm (2)' }],
          overwritten: [],
        });
      }),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('admin'));
    renderWithProviders(<ImportPresetsDialog onClose={() => {}} />, { queryClient });

    const dialog = screen.getByRole('dialog', { name: 'Import presets' });
    expect(dialog).toBeInTheDocument();
    await user.upload(
      screen.getByLabelText('Preset file (JSON)'),
      new File([JSON.stringify(file)], 'presets.json', { type: 'application/json' }),
    );
    expect(await screen.findByText('Presets in the file: 2')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Import' }));

    const choice = await screen.findByRole('radiogroup', {
      name: 'What to do with clashing names',
    });
    expect(screen.getByText('These names already exist: Calm')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'Rename' }));
    expect(choice).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Import again' }));

    expect(await screen.findByRole('status')).toHaveTextContent('Renamed: Calm → Calm (2)');
    expect(calls.map((c) => c.onConflict)).toEqual(['error', 'rename']);
    expect(calls[1]?.body).toEqual(file);
  });

  it('rejects a file that is not a preset export without calling the server', async () => {
    const user = userEvent.setup();
    const fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    renderWithProviders(<ImportPresetsDialog onClose={() => {}} />);
    await user.upload(
      screen.getByLabelText('Preset file (JSON)'),
      new File(['{"presets": 1}'], 'x.json', { type: 'application/json' }),
    );
    expect(await screen.findByRole('alert')).toHaveTextContent('not a roundtable preset file');
    expect(screen.getByRole('button', { name: 'Import' })).toBeDisabled();
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
