// Display text for one effective parameter (tone/verbosity translated, empty as a dash).
import type { TFunction } from 'i18next';
import type { ParamKey, Tone, Verbosity } from '@/lib/api/behaviour';

export function formatParamValue(key: ParamKey, value: unknown, t: TFunction): string {
  if (value === null || value === undefined || value === '') return '—';
  if (key === 'tone') return t(`params.toneValue.${value as Tone}`);
  if (key === 'verbosity') return t(`params.verbosityValue.${value as Verbosity}`);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return String(value);
  }
  return JSON.stringify(value);
}
