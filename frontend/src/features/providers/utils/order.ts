// Moving one provider up or down: the list is renumbered 0, 1, 2… in its new order and only the
// rows whose position changes are returned (equal positions, e.g. two left at 0, get untangled).
import type { Provider } from '@/lib/api/delivery';

export function reorder(
  items: readonly Pick<Provider, 'id' | 'position'>[],
  from: number,
  to: number,
): { id: number; position: number }[] {
  if (from === to || from < 0 || to < 0 || from >= items.length || to >= items.length) return [];
  const order = [...items];
  const [moved] = order.splice(from, 1);
  if (!moved) return [];
  order.splice(to, 0, moved);
  return order
    .map((item, index) => ({ id: item.id, position: Math.min(index, 1000), before: item.position }))
    .filter((item) => item.position !== item.before)
    .map(({ id, position }) => ({ id, position }));
}
