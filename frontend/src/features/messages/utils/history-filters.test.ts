import { describe, expect, it } from 'vitest';
import {
  EMPTY_FILTERS,
  filtersFromSearch,
  hasFilters,
  localInputToUtc,
  searchWithFilters,
  toMessageQuery,
  utcToIso,
  utcToLocalInput,
} from './history-filters';

describe('history filters', () => {
  it('are empty by default', () => {
    expect(hasFilters(EMPTY_FILTERS)).toBe(false);
    expect(hasFilters({ ...EMPTY_FILTERS, q: '  ' })).toBe(false);
    expect(hasFilters({ ...EMPTY_FILTERS, userId: 5 })).toBe(true);
  });

  it('map to the API query with from/to read as UTC, leaving out what is unset', () => {
    const query = toMessageQuery(-100, {
      userId: 7,
      from: '2026-01-02T10:00',
      to: '',
      q: ' spam ',
    });
    expect(query).toEqual({
      chat_id: -100,
      user_id: 7,
      from: '2026-01-02T10:00:00.000Z',
      to: undefined,
      q: 'spam',
    });
  });

  it('ignore an invalid time', () => {
    expect(utcToIso('not a date')).toBeUndefined();
    expect(utcToIso('2026-13-45T99:99')).toBeUndefined();
    expect(utcToLocalInput('yesterday')).toBe('');
    expect(localInputToUtc('')).toBe('');
  });

  it('convert between the UTC value in the URL and the local value in the input', () => {
    const local = utcToLocalInput('2026-01-02T10:00');
    expect(new Date(local).toISOString()).toBe('2026-01-02T10:00:00.000Z');
    expect(localInputToUtc(local)).toBe('2026-01-02T10:00');
    expect(localInputToUtc(utcToLocalInput('2026-01-02T10:00:30'))).toBe('2026-01-02T10:00:30');
  });

  it('round-trip through the URL query, keeping other parameters', () => {
    const filters = { q: 'refund', userId: 42, from: '2026-01-02T10:00', to: '2026-01-03T00:00' };
    const params = searchWithFilters(new URLSearchParams('tab=x'), filters);
    expect(params.toString()).toBe(
      'tab=x&q=refund&user=42&from=2026-01-02T10%3A00&to=2026-01-03T00%3A00',
    );
    expect(filtersFromSearch(params)).toEqual(filters);
    expect(searchWithFilters(params, EMPTY_FILTERS).toString()).toBe('tab=x');
  });

  it('read a malformed URL as no filter rather than an error', () => {
    expect(
      filtersFromSearch(new URLSearchParams('user=abc&from=tomorrow&to=2026-01-02&q=ok')),
    ).toEqual({ q: 'ok', userId: null, from: '', to: '' });
    expect(filtersFromSearch(new URLSearchParams(`q=${'x'.repeat(300)}`)).q).toHaveLength(200);
  });
});
