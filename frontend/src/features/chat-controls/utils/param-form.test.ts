import { describe, expect, it } from 'vitest';
import { FALLBACK_FORM, formFromParams, parseHours, parseParamForm } from './param-form';

describe('parseParamForm', () => {
  it('accepts values inside the contract ranges', () => {
    const result = parseParamForm({ ...FALLBACK_FORM, temperature: '2', max_tokens: '32000' });
    expect(result).toMatchObject({
      ok: true,
      params: { temperature: 2, max_tokens: 32000, tone: 'neutral' },
    });
  });

  it('names each out-of-range field', () => {
    const result = parseParamForm({
      ...FALLBACK_FORM,
      temperature: '2.5',
      max_tokens: '0',
      emotional_intensity: '50.5',
    });
    expect(result).toEqual({
      ok: false,
      errors: { temperature: 'range', max_tokens: 'range', emotional_intensity: 'range' },
    });
  });
});

describe('formFromParams', () => {
  it('fills unset values from the fallback', () => {
    expect(formFromParams({ temperature: 1.1, tone: null })).toMatchObject({
      temperature: '1.1',
      tone: 'neutral',
    });
  });
});

describe('parseHours', () => {
  it('reads empty as permanent and rejects non-positive values', () => {
    expect(parseHours('')).toBeUndefined();
    expect(parseHours('2')).toBe(2);
    expect(parseHours('0')).toBeNull();
    expect(parseHours('x')).toBeNull();
  });
});
