// Providers screen: the list in order with type, model, key hint, prices and the demo mark; the
// enabled switch and up/down PUT the row; the dialog validates before calling, sends the key
// only when typed (or null to clear it); delete asks first. Non-admins only read.
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
import { ProvidersPage } from './providers-page';

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

const demo = makeProvider({
  id: 1,
  name: 'Demo',
  type: 'demo',
  base_url: null,
  model_id: 'demo-1',
  position: 0,
  has_key: false,
  api_key_hint: null,
  demo: true,
  prices: null,
});
const openai = makeProvider({ id: 2, name: 'OpenAI', position: 1, version: 3 });

type Call = { method: string; path: string; body: unknown };

function setup(role: 'admin' | 'moderator', extra: Parameters<typeof routeFetch>[0] = {}) {
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
        'GET /api/providers': () => jsonResponse(200, { items: [openai, demo], next_cursor: null }),
        'GET /api/personalities': () =>
          jsonResponse(200, {
            items: [makePersonality({ id: 4, title: 'Скептик' })],
            next_cursor: null,
          }),
        'POST /api/providers': record(201, makeProvider({ id: 9 })),
        'PUT /api/providers/1': record(200, demo),
        'PUT /api/providers/2': record(200, openai),
        'PUT /api/providers/order': record(200, { items: [openai, demo], next_cursor: null }),
        'DELETE /api/providers/2': record(204, undefined),
        ...extra,
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<ProvidersPage />, { queryClient });
  return calls;
}

describe('ProvidersPage', () => {
  it('lists providers in order with type, model, key hint, prices and the demo mark', async () => {
    setup('admin');
    const table = await screen.findByRole('table', { name: 'Providers' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[1]!.textContent)).toEqual([
      'Demodemo model',
      'OpenAIhttps://api.openai.com/v1',
    ]);
    expect(rows[0]).toHaveTextContent('Demo (built in)');
    expect(rows[1]).toHaveTextContent('gpt-4o-mini');
    expect(rows[1]).toHaveTextContent('sk-…abcd');
    expect(rows[1]).toHaveTextContent('$0.15 / $0.075 / $0.60');
    expect(within(table).getByRole('switch', { name: 'Enabled: OpenAI' })).toHaveAttribute(
      'aria-checked',
      'true',
    );
  });

  it('switches a provider off and moves one up with the keyboard (Space, ArrowUp, Space)', async () => {
    // jsdom lays nothing out: each row is 40 px tall, one under the other, for dnd-kit to measure
    vi.spyOn(HTMLElement.prototype, 'getBoundingClientRect').mockImplementation(function (
      this: HTMLElement,
    ) {
      const tr = this.closest('tr');
      const i = tr?.parentElement ? Array.from(tr.parentElement.children).indexOf(tr) : 0;
      return new DOMRect(0, 40 + i * 40, 800, 40);
    });
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('switch', { name: 'Enabled: OpenAI' }));
    const handle = screen.getByRole('button', { name: 'Move OpenAI' });
    handle.focus();
    await user.keyboard('[Space]');
    await user.keyboard('[ArrowUp]');
    await user.keyboard('[Space]');
    await waitFor(() => expect(calls).toHaveLength(2));
    expect(calls).toEqual([
      { method: 'PUT', path: '/api/providers/2', body: { enabled: false, version: 3 } },
      { method: 'PUT', path: '/api/providers/order', body: { ids: [2, 1] } },
    ]);
    expect(screen.getByRole('button', { name: 'Move Demo' })).toBeInTheDocument();
  });

  it('tests the connection of one provider and reads the outcome out in a status', async () => {
    const user = userEvent.setup();
    setup('admin', {
      'POST /api/providers/2/test': () =>
        jsonResponse(200, {
          ok: false,
          status: 401,
          latency_ms: 12,
          model: 'gpt-4o-mini',
          detail: 'HTTP 401: Incorrect API key provided',
        }),
    });
    const row = (await screen.findAllByRole('row')).find((r) => r.textContent?.includes('OpenAI'))!;
    await user.click(within(row).getByRole('button', { name: 'Test connection' }));
    expect(await within(row).findByRole('status')).toHaveTextContent(
      'Failed · HTTP 401 · 12 ms — HTTP 401: Incorrect API key provided',
    );
  });

  it('validates the form before creating, and sends the key once', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'New provider' }));
    const dialog = screen.getByRole('dialog', { name: 'New provider' });
    await user.selectOptions(
      within(dialog).getByRole('combobox', { name: 'Type' }),
      'OpenAI-compatible',
    );
    await user.type(within(dialog).getByRole('spinbutton', { name: 'Input' }), '1');
    await user.click(within(dialog).getByRole('button', { name: 'Create provider' }));
    expect(within(dialog).getAllByText('Required')).toHaveLength(2);
    expect(within(dialog).getByText('Required for this type')).toBeInTheDocument();
    expect(within(dialog).getAllByText('Fill in all three prices, or none')).toHaveLength(2);
    expect(within(dialog).getByRole('textbox', { name: 'Name' })).toHaveAttribute(
      'aria-invalid',
      'true',
    );
    expect(calls).toEqual([]);

    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Local');
    await user.type(
      within(dialog).getByRole('textbox', { name: 'Base URL' }),
      'http://llm:8000/v1',
    );
    await user.type(within(dialog).getByRole('textbox', { name: 'Model' }), 'llama-3');
    await user.type(within(dialog).getByRole('spinbutton', { name: 'Cached input' }), '0.5');
    await user.type(within(dialog).getByRole('spinbutton', { name: 'Output' }), '2');
    await user.type(within(dialog).getByLabelText('API key'), 'sk-local');
    await user.click(within(dialog).getByRole('button', { name: 'Create provider' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls).toEqual([
      {
        method: 'POST',
        path: '/api/providers',
        body: {
          name: 'Local',
          type: 'openai_compatible',
          base_url: 'http://llm:8000/v1',
          model_id: 'llama-3',
          params: {},
          enabled: true,
          position: 2,
          prices: { input_per_m: 1, cached_input_per_m: 0.5, output_per_m: 2 },
          api_key: 'sk-local',
        },
      },
    ]);
  });

  it('keeps the stored key unless cleared, and shows a server problem on its field', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Edit OpenAI' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit provider “OpenAI”' });
    const key = within(dialog).getByLabelText('API key');
    expect(key).toHaveAttribute('type', 'password');
    expect(key).toHaveValue('');
    expect(dialog).toHaveTextContent('A key is stored (sk-…abcd). Leave empty to keep it.');
    await user.click(within(dialog).getByRole('checkbox', { name: 'Clear the stored key' }));
    expect(key).toBeDisabled();
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls).toEqual([
      { method: 'PUT', path: '/api/providers/2', body: { version: 3, api_key: null } },
    ]);
  });

  it('gives a provider a personality for round-table sessions', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Edit OpenAI' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit provider “OpenAI”' });
    const select = within(dialog).getByRole('combobox', { name: 'Personality' });
    expect(select).toHaveValue('');
    await within(dialog).findByRole('option', { name: 'Скептик' });
    await user.selectOptions(select, 'Скептик');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(calls).toEqual([
      { method: 'PUT', path: '/api/providers/2', body: { version: 3, personality_id: 4 } },
    ]);
  });

  it('marks the field a server problem names', async () => {
    const user = userEvent.setup();
    setup('admin', {
      'PUT /api/providers/2': () =>
        jsonResponse(400, {
          type: 'about:blank',
          title: 'Bad Request',
          status: 400,
          detail: 'field "model_id" is too long',
          field: 'model_id',
        }),
    });
    await user.click(await screen.findByRole('button', { name: 'Edit OpenAI' }));
    const dialog = screen.getByRole('dialog', { name: 'Edit provider “OpenAI”' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Model' }), 'x');
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    const model = within(dialog).getByRole('textbox', { name: 'Model' });
    await waitFor(() => expect(model).toHaveAttribute('aria-invalid', 'true'));
    expect(dialog).toHaveTextContent('field "model_id" is too long');
  });

  it('deletes only after confirming', async () => {
    const user = userEvent.setup();
    const calls = setup('admin');
    await user.click(await screen.findByRole('button', { name: 'Delete OpenAI' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete provider “OpenAI”?' });
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(calls).toEqual([]);
    await user.click(screen.getByRole('button', { name: 'Delete OpenAI' }));
    await user.click(
      within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete' }),
    );
    await waitFor(() =>
      expect(calls).toEqual([{ method: 'DELETE', path: '/api/providers/2', body: undefined }]),
    );
  });

  it('hides every write control from a moderator', async () => {
    setup('moderator');
    await screen.findByRole('table', { name: 'Providers' });
    for (const name of [
      'New provider',
      'Edit OpenAI',
      'Delete OpenAI',
      'Move OpenAI',
      'Test connection',
    ]) {
      expect(screen.queryByRole('button', { name })).not.toBeInTheDocument();
    }
    // the state as text, no switch a viewer cannot use
    expect(screen.queryByRole('switch')).not.toBeInTheDocument();
    expect(screen.getByText('Enabled: OpenAI:').parentElement).toHaveTextContent(
      /^Enabled: OpenAI: (On|Off)$/,
    );
  });
});
