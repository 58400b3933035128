// The colour theme: "system" (the default) follows prefers-color-scheme live, "light" and "dark"
// pin it. The choice lives in localStorage rt.theme; the resolved theme is data-theme="light|dark"
// on <html>, which index.css turns into the palette. Applied on import (main.tsx imports this
// first), so the first paint, the login page included, has the right colours.
import { useSyncExternalStore } from 'react';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];
export const THEME_STORAGE_KEY = 'rt.theme';

const DARK_QUERY = '(prefers-color-scheme: dark)';
const listeners = new Set<() => void>();

function isTheme(value: unknown): value is Theme {
  return typeof value === 'string' && (THEMES as readonly string[]).includes(value);
}

export function readTheme(): Theme {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return isTheme(stored) ? stored : 'system';
  } catch {
    return 'system';
  }
}

function systemIsDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;
}

export function resolveTheme(theme: Theme, dark: boolean = systemIsDark()): 'light' | 'dark' {
  return theme === 'system' ? (dark ? 'dark' : 'light') : theme;
}

export function applyTheme(theme: Theme = readTheme()): void {
  if (typeof document === 'undefined') return;
  document.documentElement.dataset.theme = resolveTheme(theme);
}

export function setTheme(theme: Theme): void {
  try {
    window.localStorage.setItem(THEME_STORAGE_KEY, theme);
  } catch {
    // Storage off: the choice lasts for this page only.
  }
  current = theme;
  applyTheme(theme);
  listeners.forEach((listener) => listener());
}

let current: Theme = typeof window === 'undefined' ? 'system' : readTheme();

export function useTheme(): Theme {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
    () => 'system',
  );
}

if (typeof window !== 'undefined') {
  applyTheme(current);
  // "system" follows a change of the OS setting without a reload.
  window.matchMedia?.(DARK_QUERY).addEventListener?.('change', () => {
    if (current === 'system') applyTheme('system');
  });
}
