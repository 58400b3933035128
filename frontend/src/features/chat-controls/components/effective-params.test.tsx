// The explain answer renders every parameter with its value and the layer it came from.
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Explain, ParamSource } from '@/lib/api/behaviour';
import { EffectiveParams } from './effective-params';

const defaults: ParamSource = {
  layer: 'defaults',
  preset_id: null,
  preset_name: null,
  binding_id: null,
  expires_at: null,
};

const explain: Explain = {
  params: {
    temperature: 1.2,
    max_tokens: 512,
    tone: 'friendly',
    verbosity: 'short',
    emotional_intensity: 80,
    persona: 'A calm librarian',
  },
  sources: {
    temperature: {
      layer: 'chat',
      preset_id: 3,
      preset_name: 'Warm',
      binding_id: 9,
      expires_at: '2026-01-01T14:00:00Z',
    },
    // The SQL says "default"; it shows like the contract's "defaults".
    max_tokens: { ...defaults, layer: 'default' as ParamSource['layer'] },
    tone: {
      layer: 'chat_user',
      preset_id: 4,
      preset_name: 'Buddy',
      binding_id: 10,
      expires_at: null,
    },
    verbosity: defaults,
    emotional_intensity: {
      layer: 'global',
      preset_id: 1,
      preset_name: 'House',
      binding_id: 1,
      expires_at: null,
    },
    persona: defaults,
  },
  request: {},
};

describe('EffectiveParams', () => {
  it('shows each parameter with its value and source layer', () => {
    render(<EffectiveParams explain={explain} error={null} loading={false} />);
    const table = screen.getByRole('table', { name: 'Effective parameters' });
    const row = (name: string) => within(table).getByRole('row', { name: new RegExp(`^${name}`) });
    expect(row('Temperature')).toHaveTextContent('1.2');
    expect(row('Temperature')).toHaveTextContent('chat');
    expect(row('Temperature')).toHaveTextContent('Warm');
    expect(row('Temperature')).toHaveTextContent('until');
    expect(row('Tone')).toHaveTextContent('friendly');
    expect(row('Tone')).toHaveTextContent('chat + user');
    expect(row('Emotional intensity')).toHaveTextContent('global');
    expect(row('Max tokens')).toHaveTextContent('defaults');
    expect(row('Persona')).toHaveTextContent('A calm librarian');
  });

  it('reports a failed explain', () => {
    render(<EffectiveParams explain={undefined} error={new Error('x')} loading={false} />);
    expect(screen.getByRole('alert')).toHaveTextContent('Could not load the effective parameters.');
  });
});
