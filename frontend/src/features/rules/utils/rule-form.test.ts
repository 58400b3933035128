import { describe, expect, it } from 'vitest';
import {
  EMPTY_MODERATION,
  EMPTY_PLAYBOOK,
  parseChatIds,
  parseModerationForm,
  parsePlaybookForm,
} from './rule-form';

describe('parseChatIds', () => {
  it('reads a list, empty as every chat, and rejects junk', () => {
    expect(parseChatIds('-100123, 42')).toEqual([-100123, 42]);
    expect(parseChatIds('  ')).toBeNull();
    expect(parseChatIds('12, abc')).toBeUndefined();
  });
});

describe('parsePlaybookForm', () => {
  it('builds the API body', () => {
    const result = parsePlaybookForm({
      ...EMPTY_PLAYBOOK,
      name: 'Price',
      pattern: 'цена',
      preset_id: '3',
      preset_hours: '2',
      stop: true,
    });
    expect(result).toMatchObject({
      ok: true,
      body: {
        name: 'Price',
        preset_id: 3,
        preset_hours: 2,
        stop: true,
        chat_ids: null,
      },
    });
  });

  it('needs a preset for hours', () => {
    const result = parsePlaybookForm({
      ...EMPTY_PLAYBOOK,
      name: 'x',
      pattern: 'y',
      preset_hours: '2',
    });
    expect(result).toEqual({ ok: false, errors: { preset_hours: 'needsPreset' } });
  });
});

describe('parseModerationForm', () => {
  it('requires name, pattern and label', () => {
    expect(parseModerationForm(EMPTY_MODERATION)).toEqual({
      ok: false,
      errors: { name: 'required', pattern: 'required', label: 'required' },
    });
  });
});
