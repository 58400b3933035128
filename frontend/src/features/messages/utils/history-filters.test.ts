import { describe, expect, it } from 'vitest';
import { EMPTY_FILTERS, hasFilters, localToIso, toMessageQuery } from './history-filters';

describe('history filters', () => {
  it('are empty by default', () => {
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
    expect(hasFilters({ ...EMPTY_FILTERS, q: '  ' })).toBe(false);
    expect(hasFilters({ ...EMPTY_FILTERS, userId: 5 })).toBe(true);
  });

  it('map to the API query, leaving out what is unset', () => {
    const query = toMessageQuery(-100, {
      userId: 7,
      from: '2026-01-02T10:00',
      to: '',
      q: ' spam ',
    });
    expect(query).toEqual({
      chat_id: -100,
      user_id: 7,
      from: new Date('2026-01-02T10:00').toISOString(),
      to: undefined,
      q: 'spam',
    });
  });

  it('ignore an invalid time', () => {
    expect(localToIso('not a date')).toBeUndefined();
  });
});
