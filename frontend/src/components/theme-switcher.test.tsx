// Theme: "System" follows prefers-color-scheme (live), Light/Dark pin it; the choice is stored in
// localStorage rt.theme and shown as data-theme on <html>.
import { act, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { applyTheme, readTheme, resolveTheme, setTheme, THEME_STORAGE_KEY } from './theme-store';
import { ThemeSwitcher } from './theme-switcher';

let systemDark = false;
const mediaListeners = new Set<() => void>();

beforeEach(() => {
  systemDark = false;
  vi.stubGlobal(
    'matchMedia',
    vi.fn((query: string) => ({
      get matches() {
        return query.includes('dark') && systemDark;
      },
      media: query,
      addEventListener: (_: string, listener: () => void) => mediaListeners.add(listener),
      removeEventListener: (_: string, listener: () => void) => mediaListeners.delete(listener),
    })),
  );
});

afterEach(() => {
  act(() => setTheme('system'));
  window.localStorage.clear();
  vi.unstubAllGlobals();
});

describe('ThemeSwitcher', () => {
  it('pins dark and light, stores the choice and sets data-theme on <html>', async () => {
    const user = userEvent.setup();
    render(<ThemeSwitcher />);
    const select = screen.getByRole('combobox', { name: 'Theme' });
    expect(select).toHaveValue('system');
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      'System',
      'Light',
      'Dark',
    ]);

    await user.selectOptions(select, 'dark');
    expect(document.documentElement.dataset.theme).toBe('dark');
    expect(window.localStorage.getItem(THEME_STORAGE_KEY)).toBe('dark');
    expect(readTheme()).toBe('dark');

    await user.selectOptions(select, 'light');
    expect(document.documentElement.dataset.theme).toBe('light');
    expect(select).toHaveValue('light');
  });

  it('on "System" resolves to the OS setting, re-read on apply', async () => {
    systemDark = true;
    const user = userEvent.setup();
    render(<ThemeSwitcher />);
    await user.selectOptions(screen.getByRole('combobox', { name: 'Theme' }), 'system');
    expect(document.documentElement.dataset.theme).toBe('dark');
    systemDark = false;
    applyTheme('system');
    expect(document.documentElement.dataset.theme).toBe('light');
  });
});

describe('resolveTheme', () => {
  it('maps system to the OS setting and keeps pinned themes', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('reads an unknown stored value as system', () => {
    window.localStorage.setItem(THEME_STORAGE_KEY, 'neon');
    expect(readTheme()).toBe('system');
  });
});
