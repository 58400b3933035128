// Navigation: a labelled nav landmark; the current page is aria-current; Providers and Queue
// sit beside the other screens; Admins only for owners; links that do not fit the bar go into a
// More menu; the Menu drawer's variant lists them all.
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { MemoryRouter } from 'react-router';
import { describe, expect, it, vi } from 'vitest';
import { AppNav } from './app-nav';

const ALL = [
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
];

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
    expect(screen.getAllByRole('link').map((link) => link.textContent)).toEqual(ALL);
  });

  it('hides Admins from everyone else', () => {
    renderAt('/chats', false);
    expect(screen.queryByRole('link', { name: 'Admins' })).not.toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Settings' })).toBeInTheDocument();
  });

  it('moves the links that do not fit into a More menu, nothing vanishes', async () => {
    // Every measured item is 100 px wide, the bar 450 px: three links and More fit.
    const rect = vi
      .spyOn(HTMLElement.prototype, 'getBoundingClientRect')
      .mockReturnValue({ width: 100 } as DOMRect);
    const width = vi.spyOn(HTMLElement.prototype, 'clientWidth', 'get').mockReturnValue(450);
    vi.stubGlobal(
      'ResizeObserver',
      class {
        constructor(private readonly callback: () => void) {}
        observe() {
          this.callback();
        }
        disconnect() {}
      },
    );
    try {
      renderAt('/settings', true);
      const nav = screen.getByRole('navigation', { name: 'Main' });
      expect(
        within(nav)
          .getAllByRole('link')
          .map((l) => l.textContent),
      ).toEqual(['Chats', 'Sessions', 'Presets']);
      const more = within(nav).getByRole('button', { name: 'More' });
      expect(more).toHaveAttribute('aria-expanded', 'false');
      await userEvent.click(more);
      expect(more).toHaveAttribute('aria-expanded', 'true');
      const hidden = within(nav)
        .getAllByRole('link')
        .slice(3)
        .map((l) => l.textContent);
      expect(hidden).toEqual(ALL.slice(3));
      expect(within(nav).getByRole('link', { name: 'Settings' })).toHaveAttribute(
        'aria-current',
        'page',
      );
      await userEvent.keyboard('{Escape}');
      expect(more).toHaveAttribute('aria-expanded', 'false');
      expect(more).toHaveFocus();
    } finally {
      rect.mockRestore();
      width.mockRestore();
      vi.unstubAllGlobals();
    }
  });

  it('lists every link one a line in the Menu drawer variant', () => {
    render(
      <MemoryRouter initialEntries={['/chats']}>
        <AppNav isOwner variant="list" />
      </MemoryRouter>,
    );
    expect(screen.getAllByRole('link').map((l) => l.textContent)).toEqual(ALL);
  });
});
