// The parameter editor's text state and its validation against the contract's ranges
// (temperature 0–2, max_tokens 1–32000, intensity 0–100, persona ≤ 4000 characters).
import {
  TONES,
  VERBOSITIES,
  type Params,
  type ParamKey,
  type Tone,
  type Verbosity,
} from '@/lib/api/behaviour';

export type ParamForm = {
  temperature: string;
  max_tokens: string;
  tone: Tone;
  verbosity: Verbosity;
  emotional_intensity: string;
  persona: string;
};

export type ParamErrors = Partial<Record<ParamKey, 'range' | 'required'>>;

export const FALLBACK_FORM: ParamForm = {
  temperature: '0.7',
  max_tokens: '512',
  tone: 'neutral',
  verbosity: 'short',
  emotional_intensity: '50',
  persona: '',
};

export function formFromParams(
  params: Partial<Record<keyof Params, unknown>> | undefined,
): ParamForm {
  if (!params) return FALLBACK_FORM;
  return {
    temperature: numText(params.temperature) ?? FALLBACK_FORM.temperature,
    max_tokens: numText(params.max_tokens) ?? FALLBACK_FORM.max_tokens,
    tone: TONES.find((tone) => tone === params.tone) ?? FALLBACK_FORM.tone,
    verbosity: VERBOSITIES.find((v) => v === params.verbosity) ?? FALLBACK_FORM.verbosity,
    emotional_intensity: numText(params.emotional_intensity) ?? FALLBACK_FORM.emotional_intensity,
    persona: typeof params.persona === 'string' ? params.persona : '',
  };
}

function numText(value: unknown): string | null {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

function numberIn(text: string, min: number, max: number, integer: boolean): number | null {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) return null;
  if (integer && !Number.isInteger(value)) return null;
  return value;
}

/** Parsed params when every field is valid, else the errors per field. */
export function parseParamForm(
  form: ParamForm,
): { ok: true; params: Params } | { ok: false; errors: ParamErrors } {
  const errors: ParamErrors = {};
  const temperature = numberIn(form.temperature, 0, 2, false);
  if (temperature === null) errors.temperature = 'range';
  const maxTokens = numberIn(form.max_tokens, 1, 32000, true);
  if (maxTokens === null) errors.max_tokens = 'range';
  const intensity = numberIn(form.emotional_intensity, 0, 100, true);
  if (intensity === null) errors.emotional_intensity = 'range';
  if (form.persona.length > 4000) errors.persona = 'range';
  if (temperature === null || maxTokens === null || intensity === null || errors.persona) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    params: {
      temperature,
      max_tokens: maxTokens,
      tone: form.tone,
      verbosity: form.verbosity,
      emotional_intensity: intensity,
      persona: form.persona,
    },
  };
}

/** "for N hours" text → hours, or undefined for "permanently" (empty); null when invalid. */
export function parseHours(text: string): number | undefined | null {
  if (text.trim() === '') return undefined;
  const hours = Number(text);
  return Number.isFinite(hours) && hours > 0 && hours <= 24 * 365 ? hours : null;
}
