// Language switching: the select is named, switching re-renders UI text and is persisted.
import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useTranslation } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import i18n, { detectLanguage, LANGUAGE_STORAGE_KEY } from '@/lib/i18n';
import { LanguageSwitcher } from './language-switcher';

function Probe() {
  const { t } = useTranslation();
  return <button type="button">{t('auth.logout')}</button>;
}

afterEach(async () => {
  window.localStorage.clear();
  await i18n.changeLanguage('en');
});

describe('LanguageSwitcher', () => {
  it('switches English to Russian, updates the UI and <html lang>, and persists the choice', async () => {
    await i18n.changeLanguage('en');
    render(
      <>
        <LanguageSwitcher />
        <Probe />
      </>,
    );
    expect(screen.getByRole('button', { name: 'Log out' })).toBeInTheDocument();
    const select = screen.getByRole('combobox', { name: 'Language' });

    await userEvent.setup().selectOptions(select, 'ru');

    expect(await screen.findByRole('button', { name: 'Выйти' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Язык' })).toHaveValue('ru');
    expect(window.localStorage.getItem(LANGUAGE_STORAGE_KEY)).toBe('ru');
    expect(document.documentElement.lang).toBe('ru');
  });
});

describe('detectLanguage', () => {
  it('prefers the stored choice, then the browser language, then English', () => {
    expect(detectLanguage('ru', ['en-US'])).toBe('ru');
    expect(detectLanguage(null, ['ru-RU', 'en'])).toBe('ru');
    expect(detectLanguage(null, ['de-DE', 'en-GB'])).toBe('en');
    expect(detectLanguage('fr', ['de'])).toBe('en');
    expect(detectLanguage(null, [])).toBe('en');
  });
});
