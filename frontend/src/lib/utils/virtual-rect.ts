// Virtualised lists (@tanstack/react-virtual) size their window from the scroll element. One
// without layout yet (a hidden pane, a drawer opening, jsdom) would render no rows at all; this
// observer reports a screenful instead, so the first rows are there and the real size follows.
import { observeElementRect, type Virtualizer } from '@tanstack/react-virtual';

export const FALLBACK_VIEWPORT_PX = 800;

export const FALLBACK_RECT = { width: 0, height: FALLBACK_VIEWPORT_PX };

export function observeRectWithFallback<E extends Element>(
  instance: Virtualizer<E, Element>,
  cb: (rect: { width: number; height: number }) => void,
) {
  return observeElementRect(instance, (rect) =>
    cb(rect.height > 0 ? rect : { width: rect.width, height: FALLBACK_VIEWPORT_PX }),
  );
}
