import { describe, expect, it } from 'vitest';
import { defaultRange, rangeQuery } from './range';

describe('usage range', () => {
  it('defaults to the last 30 UTC days, today included', () => {
    expect(defaultRange(new Date('2030-03-05T23:30:00Z'))).toEqual({
      from: '2030-02-04',
      to: '2030-03-05',
    });
  });

  it('turns whole days into [from, the day after to) instants', () => {
    expect(rangeQuery('2030-01-01', '2030-01-31')).toEqual({
      from: '2030-01-01T00:00:00.000Z',
      to: '2030-02-01T00:00:00.000Z',
    });
    expect(rangeQuery('2030-01-02', '2030-01-01')).toBeNull();
    expect(rangeQuery('', '2030-01-01')).toBeNull();
    expect(rangeQuery('2030-13-45', '2030-01-01')).toBeNull();
  });
});
