// Provider form rules: required name and model, a base URL for openai_compatible only, params a
// JSON object, prices all-or-none and ≥ 0; the key is sent only when typed (or null to clear it)
// and an update carries only what changed.
import { describe, expect, it } from 'vitest';
import { makeProvider } from '@/test/factories';
import {
  EMPTY_PROVIDER_FORM,
  parseCreateForm,
  parseUpdateForm,
  providerFieldOf,
  providerToForm,
  type ProviderForm,
} from './provider-form';

const form = (over: Partial<ProviderForm>): ProviderForm => ({ ...EMPTY_PROVIDER_FORM, ...over });

describe('parseCreateForm', () => {
  it('names every bad field at once', () => {
    const result = parseCreateForm(
      form({
        type: 'openai_compatible',
        params: '[1]',
        input_per_m: '-1',
        output_per_m: '2',
      }),
      3,
    );
    expect(result).toEqual({
      ok: false,
      errors: {
        name: 'required',
        base_url: 'baseUrlRequired',
        model_id: 'required',
        params: 'paramsJson',
        input_per_m: 'price',
        cached_input_per_m: 'pricesIncomplete',
      },
    });
  });

  it('rejects a URL that is not http(s)', () => {
    const result = parseCreateForm(
      form({ name: 'x', model_id: 'm', base_url: 'ftp://example.com' }),
      0,
    );
    expect(result).toEqual({ ok: false, errors: { base_url: 'url' } });
  });

  it('builds the body, leaving out empty base URL, prices and key', () => {
    expect(parseCreateForm(form({ name: ' Local ', model_id: 'llama' }), 4)).toEqual({
      ok: true,
      body: {
        name: 'Local',
        type: 'openai',
        model_id: 'llama',
        params: {},
        enabled: true,
        position: 4,
      },
    });
    const full = parseCreateForm(
      form({
        name: 'Local',
        type: 'openai_compatible',
        base_url: 'http://llm.local/v1',
        model_id: 'llama',
        params: '{"top_p": 0.9}',
        input_per_m: '1',
        cached_input_per_m: '0.5',
        output_per_m: '2',
        api_key: ' sk-secret ',
      }),
      0,
    );
    expect(full).toEqual({
      ok: true,
      body: {
        name: 'Local',
        type: 'openai_compatible',
        base_url: 'http://llm.local/v1',
        model_id: 'llama',
        params: { top_p: 0.9 },
        enabled: true,
        position: 0,
        prices: { input_per_m: 1, cached_input_per_m: 0.5, output_per_m: 2 },
        api_key: 'sk-secret',
      },
    });
  });

  it('sends no base URL and no key for the demo type', () => {
    const result = parseCreateForm(
      form({ name: 'Demo', type: 'demo', model_id: 'demo-1', base_url: 'http://x', api_key: 'k' }),
      0,
    );
    expect(result.ok && result.body).toEqual({
      name: 'Demo',
      type: 'demo',
      model_id: 'demo-1',
      params: {},
      enabled: true,
      position: 0,
    });
  });
});

describe('parseUpdateForm', () => {
  const stored = makeProvider({ id: 3, name: 'OpenAI', version: 4 });

  it('sends only the version when nothing changed: the key is kept', () => {
    expect(parseUpdateForm(providerToForm(stored), stored)).toEqual({
      ok: true,
      body: { version: 4 },
    });
  });

  it('sends changed fields, a new key, or null to clear the key', () => {
    const edited = { ...providerToForm(stored), model_id: 'gpt-4o', output_per_m: '0.7' };
    expect(parseUpdateForm({ ...edited, api_key: 'sk-new' }, stored)).toEqual({
      ok: true,
      body: {
        version: 4,
        model_id: 'gpt-4o',
        prices: { input_per_m: 0.15, cached_input_per_m: 0.075, output_per_m: 0.7 },
        api_key: 'sk-new',
      },
    });
    expect(parseUpdateForm({ ...edited, clear_key: true }, stored)).toMatchObject({
      ok: true,
      body: { api_key: null },
    });
  });
});

describe('providerFieldOf', () => {
  it('maps server fields to form fields', () => {
    expect(providerFieldOf('prices.input_per_m')).toBe('input_per_m');
    expect(providerFieldOf('base_url')).toBe('base_url');
    expect(providerFieldOf('api_key_enc')).toBe('api_key');
    expect(providerFieldOf('nonsense')).toBeNull();
  });
});
