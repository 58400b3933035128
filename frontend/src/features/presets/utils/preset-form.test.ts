import { describe, expect, it } from 'vitest';
import {
  clashNames,
  EMPTY_PRESET_FORM,
  formFieldOf,
  parseExportFile,
  parsePresetForm,
} from './preset-form';

describe('parsePresetForm', () => {
  it('leaves empty parameters unset (null)', () => {
    const result = parsePresetForm({ ...EMPTY_PRESET_FORM, name: ' Calm ' });
    expect(result).toMatchObject({
      ok: true,
      body: { name: 'Calm', temperature: null, tone: null },
    });
  });

  it('reports the name and out-of-range values', () => {
    const result = parsePresetForm({ ...EMPTY_PRESET_FORM, temperature: '3', max_tokens: '1.5' });
    expect(result).toEqual({
      ok: false,
      errors: { name: 'required', temperature: 'temperature', max_tokens: 'maxTokens' },
    });
  });
});

describe('server problems', () => {
  it('map a problem field to a form field', () => {
    expect(formFieldOf('temperature')).toBe('temperature');
    expect(formFieldOf('presets[3].max_tokens')).toBe('max_tokens');
    expect(formFieldOf('version')).toBeNull();
  });

  it('read clashing names from an extension member or the detail', () => {
    expect(clashNames({ names: ['A', 'B'] })).toEqual(['A', 'B']);
    expect(clashNames({ detail: 'presets already exist: "Calm", "Terse"' })).toEqual([
      'Calm',
      'Terse',
    ]);
  });
});

describe('parseExportFile', () => {
  it('accepts the preset file format only', () => {
    expect(
      parseExportFile('{"schema":"roundtable.presets","schema_version":1,"presets":[]}'),
    ).not.toBeNull();
    expect(parseExportFile('{"presets":[]}')).toBeNull();
    expect(parseExportFile('nope')).toBeNull();
  });
});
