// Navigation: a labelled nav landmark; the current page is aria-current; Providers and Queue
// sit beside the other screens; Admins only for owners.
import { render, screen } from '@testing-library/react';
import { MemoryRouter } from 'react-router';
import { describe, expect, it } from 'vitest';
import { AppNav } from './app-nav';

function renderAt(path: string, isOwner: boolean) {
  render(
    <MemoryRouter initialEntries={[path]}>
      <AppNav isOwner={isOwner} />
    </MemoryRouter>,
  );
}

describe('AppNav', () => {
  it('marks the current screen and shows Admins to owners', () => {
    renderAt('/presets', true);
    const nav = screen.getByRole('navigation', { name: 'Main' });
    expect(nav).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Presets' })).toHaveAttribute('aria-current', 'page');
    expect(screen.getByRole('link', { name: 'Chats' })).not.toHaveAttribute('aria-current');
    expect(screen.getByRole('link', { name: 'Admins' })).toBeInTheDocument();
    expect(screen.getAllByRole('link').map((link) => link.textContent)).toEqual([
      'Chats',
      'Sessions',
      'Presets',
      'Providers',
      'Personalities',
      'Playbooks',
      'Moderation',
      'Queue',
      'Usage',
      'Audit',
      'Admins',
      'Settings',
    ]);
  });

  it('hides Admins from everyone else', () => {
    renderAt('/chats', false);
    expect(screen.queryByRole('link', { name: 'Admins' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Settings' })).toBeInTheDocument();
  });
});
