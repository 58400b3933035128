// Whether a CSS media query matches, live. Panes that move into a drawer on narrow screens mount
// only one copy (so ids and queries are not doubled by a display:none twin). Without matchMedia
// (jsdom) the wide layout is assumed.
import { useSyncExternalStore } from 'react';

export const BREAKPOINTS = {
  /** Chat list beside the stream. */
  md: '(min-width: 768px)',
  /** Header navigation inline instead of the Menu drawer. */
  lg: '(min-width: 1024px)',
  /** Controls panel beside the stream. */
  xl: '(min-width: 1280px)',
} as const;

export function useMediaQuery(query: string): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (typeof window.matchMedia !== 'function') return () => {};
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    () => (typeof window.matchMedia === 'function' ? window.matchMedia(query).matches : true),
    () => true,
  );
}
