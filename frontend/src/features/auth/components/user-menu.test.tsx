// The user menu links to rt-edge's API docs page (a full page load, outside the SPA), named in
// full for screen readers in both languages.
import { screen } from '@testing-library/react';
import i18n from '@/lib/i18n';
import { afterEach, describe, expect, it } from 'vitest';
import { renderWithProviders } from '@/test/render';
import { UserMenu } from './user-menu';

const admin = { id: 1, login: 'alice', role: 'viewer' as const };

describe('UserMenu', () => {
  afterEach(async () => {
    await i18n.changeLanguage('en');
  });

  it('links to /api/docs', () => {
    renderWithProviders(<UserMenu admin={admin} onLoggedOut={() => {}} />);
    const link = screen.getByRole('link', { name: 'API docs' });
    expect(link).toHaveAttribute('href', '/api/docs');
  });

  it('in Russian: a short label, the full name for assistive technology', async () => {
    await i18n.changeLanguage('ru');
    renderWithProviders(<UserMenu admin={admin} onLoggedOut={() => {}} />);
    const link = screen.getByRole('link', { name: 'Документация API' });
    expect(link).toHaveTextContent(/^API$/);
    expect(link).toHaveAttribute('href', '/api/docs');
  });
});
