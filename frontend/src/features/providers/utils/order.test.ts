// Moving a provider renumbers the list in its new order and changes only rows that moved.
import { describe, expect, it } from 'vitest';
import { reorder } from './order';

describe('reorder', () => {
  it('swaps neighbours and returns only the changed positions', () => {
    const items = [
      { id: 1, position: 0 },
      { id: 2, position: 1 },
      { id: 3, position: 2 },
    ];
    expect(reorder(items, 2, 1)).toEqual([
      { id: 3, position: 1 },
      { id: 2, position: 2 },
    ]);
    expect(reorder(items, 0, -1)).toEqual([]);
  });

  it('untangles equal positions', () => {
    const items = [
      { id: 1, position: 0 },
      { id: 5, position: 0 },
    ];
    expect(reorder(items, 1, 0)).toEqual([{ id: 1, position: 1 }]);
  });
});
