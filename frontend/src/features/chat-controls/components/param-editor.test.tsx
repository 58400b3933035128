// Parameter editor: out-of-range values are named before any call; "Save as preset…" creates
// the preset from the edited values and binds it to this chat for N hours; "Only for the next
// bot reply" hands the values to the composer (through the route) and can be withdrawn.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Explain, Params } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { FALLBACK_FORM } from '../utils/param-form';
import { ParamEditor } from './param-editor';

afterEach(() => vi.unstubAllGlobals());

function setup(role: 'admin' | 'moderator', routes: Parameters<typeof routeFetch>[0] = {}) {
  const fetchMock = vi.fn(routeFetch(routes));
  vi.stubGlobal('fetch', fetchMock);
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<ParamEditor chatId={-100} initial={FALLBACK_FORM} />, { queryClient });
  return fetchMock;
}

describe('ParamEditor', () => {
  it('saves the edited values as a preset bound to this chat for 3 hours', async () => {
    const user = userEvent.setup();
    const bodies: Record<string, unknown> = {};
    setup('admin', {
      'POST /api/presets': async (req) => {
        bodies.preset = await req.json();
        return jsonResponse(201, { id: 41, name: 'Warm', version: 1 });
      },
      'POST /api/bindings': async (req) => {
        bodies.binding = await req.json();
        return jsonResponse(201, { id: 9 });
      },
    });
    const temperature = screen.getByRole('spinbutton', { name: 'Temperature' });
    await user.clear(temperature);
    await user.type(temperature, '1.4');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Tone' }), 'friendly');
    await user.click(screen.getByRole('button', { name: 'Save as preset…' }));

    const dialog = screen.getByRole('dialog', { name: 'Save as preset' });
    await user.type(within(dialog).getByRole('textbox', { name: 'Name' }), 'Warm');
    expect(within(dialog).getByRole('combobox', { name: 'Apply to' })).toHaveValue('chat');
    await user.type(within(dialog).getByRole('spinbutton', { name: 'For hours' }), '3');
    await user.click(within(dialog).getByRole('button', { name: 'Save preset' }));

    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(bodies.preset).toMatchObject({ name: 'Warm', temperature: 1.4, tone: 'friendly' });
    expect(bodies.binding).toEqual({ scope: 'chat', chat_id: -100, preset_id: 41, hours: 3 });
  });

  it('names an out-of-range value and calls nothing', async () => {
    const user = userEvent.setup();
    const fetchMock = setup('admin');
    const tokens = screen.getByRole('spinbutton', { name: 'Max tokens' });
    await user.clear(tokens);
    await user.type(tokens, '40000');
    await user.click(screen.getByRole('button', { name: 'Save as preset…' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Must be within 1–32000');
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('lets a moderator preview but not save presets', () => {
    setup('moderator');
    expect(screen.getByRole('button', { name: 'Preview for one message' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Save as preset…' })).not.toBeInTheDocument();
  });

  it('arms the edited values as one-off parameters for the next bot reply', async () => {
    const user = userEvent.setup();
    const override = overrideExplain();
    vi.stubGlobal(
      'fetch',
      vi.fn(routeFetch({ 'POST /api/params/explain': () => jsonResponse(200, override) })),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('moderator'));
    const calls: (Params | null)[] = [];
    function Harness() {
      const [oneOff, setOneOff] = useState<Params | null>(null);
      return (
        <ParamEditor
          chatId={-100}
          initial={FALLBACK_FORM}
          oneOff={oneOff}
          onOneOffChange={(params) => {
            calls.push(params);
            setOneOff(params);
          }}
        />
      );
    }
    renderWithProviders(<Harness />, { queryClient });
    await user.selectOptions(screen.getByRole('combobox', { name: 'Tone' }), 'formal');
    await user.click(screen.getByRole('button', { name: 'Only for the next bot reply' }));
    expect(calls).toEqual([expect.objectContaining({ tone: 'formal', temperature: 0.7 })]);
    expect(screen.getByRole('status')).toHaveTextContent('The next “Reply as bot” draft uses');
    await user.click(screen.getByRole('button', { name: 'Don’t use' }));
    expect(calls.at(-1)).toBeNull();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
  });
});

function overrideExplain(): Explain {
  const source = {
    layer: 'override' as const,
    preset_id: null,
    preset_name: null,
    binding_id: null,
    expires_at: null,
  };
  return {
    params: { ...FALLBACK_PARAMS, tone: 'formal' },
    sources: {
      temperature: source,
      max_tokens: source,
      tone: source,
      verbosity: source,
      emotional_intensity: source,
      persona: source,
    },
    request: {},
  };
}

const FALLBACK_PARAMS: Params = {
  temperature: 0.7,
  max_tokens: 512,
  tone: 'neutral',
  verbosity: 'short',
  emotional_intensity: 50,
  persona: '',
};
