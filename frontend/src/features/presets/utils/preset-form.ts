// The preset form's text state and its validation. Every parameter may be left unset (null:
// inherited from the next lower layer), so empty fields are valid.
import type { Preset, PresetExport, PresetInput, Tone, Verbosity } from '@/lib/api/behaviour';

export type PresetForm = {
  name: string;
  description: string;
  temperature: string;
  max_tokens: string;
  tone: Tone | '';
  verbosity: Verbosity | '';
  emotional_intensity: string;
  persona: string;
};

export type PresetField = keyof PresetForm;
export type PresetErrors = Partial<Record<PresetField, string>>;

export const EMPTY_PRESET_FORM: PresetForm = {
  name: '',
  description: '',
  temperature: '',
  max_tokens: '',
  tone: '',
  verbosity: '',
  emotional_intensity: '',
  persona: '',
};

const num = (v: number | null) => (v === null ? '' : String(v));

export function presetToForm(preset: Preset): PresetForm {
  return {
    name: preset.name,
    description: preset.description ?? '',
    temperature: num(preset.temperature),
    max_tokens: num(preset.max_tokens),
    tone: preset.tone ?? '',
    verbosity: preset.verbosity ?? '',
    emotional_intensity: num(preset.emotional_intensity),
    persona: preset.persona ?? '',
  };
}

function optionalNumber(
  text: string,
  min: number,
  max: number,
  integer: boolean,
): number | null | undefined {
  if (text.trim() === '') return null;
  const value = Number(text);
  if (!Number.isFinite(value) || value < min || value > max) return undefined;
  if (integer && !Number.isInteger(value)) return undefined;
  return value;
}

/** Error keys are i18n keys under `presets.errors`. */
export function parsePresetForm(
  form: PresetForm,
  version?: number,
): { ok: true; body: PresetInput } | { ok: false; errors: PresetErrors } {
  const errors: PresetErrors = {};
  const name = form.name.trim();
  if (name === '') errors.name = 'required';
  else if (name.length > 100) errors.name = 'tooLong';
  const temperature = optionalNumber(form.temperature, 0, 2, false);
  if (temperature === undefined) errors.temperature = 'temperature';
  const maxTokens = optionalNumber(form.max_tokens, 1, 32000, true);
  if (maxTokens === undefined) errors.max_tokens = 'maxTokens';
  const intensity = optionalNumber(form.emotional_intensity, 0, 100, true);
  if (intensity === undefined) errors.emotional_intensity = 'intensity';
  if (form.persona.length > 4000) errors.persona = 'tooLong';
  if (
    Object.keys(errors).length > 0 ||
    temperature === undefined ||
    maxTokens === undefined ||
    intensity === undefined
  ) {
    return { ok: false, errors };
  }
  return {
    ok: true,
    body: {
      name,
      description: form.description.trim() || null,
      temperature,
      max_tokens: maxTokens,
      tone: form.tone || null,
      verbosity: form.verbosity || null,
      emotional_intensity: intensity,
      persona: form.persona || null,
      ...(version !== undefined ? { version } : {}),
    },
  };
}

/** Maps a problem's `field` (`temperature`, `presets[3].temperature`) to a form field. */
export function formFieldOf(field: string | undefined): PresetField | null {
  if (!field) return null;
  const last = field.split('.').pop() ?? field;
  return last in EMPTY_PRESET_FORM ? (last as PresetField) : null;
}

/** Reads an export file's text; null when it is not JSON of the preset file format. */
export function parseExportFile(text: string): PresetExport | null {
  try {
    const doc: unknown = JSON.parse(text);
    if (
      typeof doc === 'object' &&
      doc !== null &&
      (doc as { schema?: unknown }).schema === 'roundtable.presets' &&
      Array.isArray((doc as { presets?: unknown }).presets)
    ) {
      return doc as PresetExport;
    }
  } catch {
    // Not JSON: reported as a bad file.
  }
  return null;
}

/** Clashing names from a 409 problem: an extension member if present, else quoted names in detail. */
export function clashNames(problem: Record<string, unknown>): string[] {
  for (const key of ['names', 'clashes', 'conflicts']) {
    const value = problem[key];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  }
  const detail = typeof problem.detail === 'string' ? problem.detail : '';
  return [...detail.matchAll(/"([^"]+)"/g)].map((m) => m[1]!);
}
