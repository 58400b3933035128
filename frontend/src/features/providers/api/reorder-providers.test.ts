// The cached list takes a new order at once: positions become the indexes of the ids sent.
import { describe, expect, it } from 'vitest';
import { makeProvider } from '@/test/factories';
import { withOrder } from './reorder-providers';

describe('withOrder', () => {
  it('sets each listed provider position to its index and leaves the others alone', () => {
    const page = {
      items: [
        makeProvider({ id: 1, position: 0 }),
        makeProvider({ id: 2, position: 0 }),
        makeProvider({ id: 3, position: 7 }),
      ],
      next_cursor: null,
    };
    const next = withOrder(page, [2, 1]);
    expect(next.items.map((p) => [p.id, p.position])).toEqual([
      [1, 1],
      [2, 0],
      [3, 7],
    ]);
    expect(page.items[0]!.position).toBe(0); // not mutated
  });
});
