// The provider form's text state and its validation against the contract: name 1–100, model
// 1–200, base URL http(s) ≤ 500 (required for openai_compatible, none for demo), params a JSON
// object, prices all three numbers ≥ 0 or none. The API key is write-only: empty keeps the stored
// one, "clear" removes it.
import {
  PROVIDER_TYPES,
  type Prices,
  type Provider,
  type ProviderCreate,
  type ProviderType,
  type ProviderUpdate,
} from '@/lib/api/delivery';

export type ProviderForm = {
  name: string;
  type: ProviderType;
  base_url: string;
  model_id: string;
  params: string;
  enabled: boolean;
  /** The personality's id as text; '' = none. */
  personality_id: string;
  input_per_m: string;
  cached_input_per_m: string;
  output_per_m: string;
  api_key: string;
  clear_key: boolean;
};

export type ProviderField = keyof ProviderForm;
/** Values are i18n keys under `providers.errors`. */
export type ProviderErrors = Partial<Record<ProviderField, ProviderError>>;
export type ProviderError =
  'required' | 'tooLong' | 'url' | 'baseUrlRequired' | 'paramsJson' | 'price' | 'pricesIncomplete';

const PRICE_FIELDS = ['input_per_m', 'cached_input_per_m', 'output_per_m'] as const;

/** Where each type's calls go when no base URL is given (shown as the placeholder). */
export const DEFAULT_BASE_URL: Record<ProviderType, string> = {
  openai: 'https://api.openai.com/v1',
  deepseek: 'https://api.deepseek.com',
  openai_compatible: '',
  anthropic: 'https://api.anthropic.com/v1',
  demo: '',
};

export const EMPTY_PROVIDER_FORM: ProviderForm = {
  name: '',
  type: 'openai',
  base_url: '',
  model_id: '',
  params: '{}',
  enabled: true,
  personality_id: '',
  input_per_m: '',
  cached_input_per_m: '',
  output_per_m: '',
  api_key: '',
  clear_key: false,
};

const num = (v: number | undefined) => (v === undefined ? '' : String(v));

export function providerToForm(provider: Provider): ProviderForm {
  return {
    name: provider.name,
    type: provider.type,
    base_url: provider.base_url ?? '',
    model_id: provider.model_id,
    params: JSON.stringify(provider.params ?? {}, null, 2),
    enabled: provider.enabled,
    personality_id: provider.personality_id === null ? '' : String(provider.personality_id),
    input_per_m: num(provider.prices?.input_per_m),
    cached_input_per_m: num(provider.prices?.cached_input_per_m),
    output_per_m: num(provider.prices?.output_per_m),
    api_key: '',
    clear_key: false,
  };
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

function parseParams(text: string): Record<string, unknown> | null {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function parsePrices(form: ProviderForm, errors: ProviderErrors): Prices | null | undefined {
  const filled = PRICE_FIELDS.filter((key) => form[key].trim() !== '');
  if (filled.length === 0) return null;
  const prices: Partial<Record<(typeof PRICE_FIELDS)[number], number>> = {};
  for (const key of PRICE_FIELDS) {
    const text = form[key].trim();
    if (text === '') {
      errors[key] = 'pricesIncomplete';
      continue;
    }
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) errors[key] = 'price';
    else prices[key] = value;
  }
  if (PRICE_FIELDS.some((key) => errors[key])) return undefined;
  return prices as Prices;
}

type Parsed = {
  name: string;
  type: ProviderType;
  base_url: string | null;
  model_id: string;
  params: Record<string, unknown>;
  enabled: boolean;
  personality_id: number | null;
  prices: Prices | null;
};

function parseCommon(
  form: ProviderForm,
): { ok: true; value: Parsed } | { ok: false; errors: ProviderErrors } {
  const errors: ProviderErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'required';
  else if (name.length > 100) errors.name = 'tooLong';
  const type = PROVIDER_TYPES.find((t) => t === form.type) ?? 'openai';
  const baseUrl = type === 'demo' ? '' : form.base_url.trim();
  if (baseUrl === '' && type === 'openai_compatible') errors.base_url = 'baseUrlRequired';
  else if (baseUrl !== '' && !isHttpUrl(baseUrl)) errors.base_url = 'url';
  else if (baseUrl.length > 500) errors.base_url = 'tooLong';
  const modelId = form.model_id.trim();
  if (modelId === '') errors.model_id = 'required';
  else if (modelId.length > 200) errors.model_id = 'tooLong';
  const params = parseParams(form.params);
  if (params === null) errors.params = 'paramsJson';
  const prices = parsePrices(form, errors);
  if (Object.keys(errors).length > 0 || params === null || prices === undefined) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    value: {
      name,
      type,
      base_url: baseUrl === '' ? null : baseUrl,
      model_id: modelId,
      params,
      enabled: form.enabled,
      personality_id: /^\d+$/.test(form.personality_id) ? Number(form.personality_id) : null,
      prices,
    },
  };
}

/** The create body: empty base URL, prices and key are left for the server's defaults. */
export function parseCreateForm(
  form: ProviderForm,
  position: number,
): { ok: true; body: ProviderCreate } | { ok: false; errors: ProviderErrors } {
  const parsed = parseCommon(form);
  if (!parsed.ok) return parsed;
  const { base_url, prices, personality_id, ...rest } = parsed.value;
  const apiKey = form.api_key.trim();
  return {
    ok: true,
    body: {
      ...rest,
      position: Math.min(Math.max(position, 0), 1000),
      ...(base_url !== null ? { base_url } : {}),
      ...(personality_id !== null ? { personality_id } : {}),
      ...(prices !== null ? { prices } : {}),
      ...(apiKey !== '' && rest.type !== 'demo' ? { api_key: apiKey } : {}),
    },
  };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The update body: only what changed (an unchanged price must not start a new price row). */
export function parseUpdateForm(
  form: ProviderForm,
  original: Provider,
): { ok: true; body: ProviderUpdate } | { ok: false; errors: ProviderErrors } {
  const parsed = parseCommon(form);
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  const body: ProviderUpdate = { version: original.version };
  if (v.name !== original.name) body.name = v.name;
  if (v.type !== original.type) body.type = v.type;
  if (v.base_url !== original.base_url) body.base_url = v.base_url;
  if (v.model_id !== original.model_id) body.model_id = v.model_id;
  if (!sameJson(v.params, original.params ?? {})) body.params = v.params;
  if (v.enabled !== original.enabled) body.enabled = v.enabled;
  if (v.personality_id !== (original.personality_id ?? null))
    body.personality_id = v.personality_id;
  const before = original.prices
    ? {
        input_per_m: original.prices.input_per_m,
        cached_input_per_m: original.prices.cached_input_per_m,
        output_per_m: original.prices.output_per_m,
      }
    : null;
  if (!sameJson(v.prices, before)) body.prices = v.prices;
  const apiKey = form.api_key.trim();
  if (form.clear_key) body.api_key = null;
  else if (apiKey !== '') body.api_key = apiKey;
  return { ok: true, body };
}

/** Maps a problem's `field` (`base_url`, `prices.input_per_m`, `api_key_enc`) to a form field. */
export function providerFieldOf(field: string | undefined): ProviderField | null {
  if (!field) return null;
  if (field.startsWith('api_key')) return 'api_key';
  const last = field.split('.').pop() ?? field;
  return last in EMPTY_PROVIDER_FORM ? (last as ProviderField) : null;
}
