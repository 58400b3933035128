import { act, render, screen } from '@testing-library/react';
import { createMemoryRouter, Outlet, RouterProvider } from 'react-router';
import { afterEach, describe, expect, it, vi } from 'vitest';
import i18n from '@/lib/i18n';
import { lazyScreen } from './router';

afterEach(() => {
  vi.restoreAllMocks();
});

function Layout() {
  return (
    <div>
      <header>shell</header>
      <Outlet />
    </div>
  );
}

describe('lazyScreen', () => {
  it('a direct load shows the layout with a loading status, then the screen, and warns nothing', async () => {
    await i18n.changeLanguage('en');
    const warn = vi.spyOn(console, 'warn');
    let resolve!: (c: () => React.JSX.Element) => void;
    const loaded = new Promise<() => React.JSX.Element>((r) => {
      resolve = r;
    });
    const router = createMemoryRouter(
      [{ path: '/', element: <Layout />, children: [lazyScreen('presets', () => loaded)] }],
      { initialEntries: ['/presets'] },
    );
    render(<RouterProvider router={router} />);
    expect(screen.getByText('shell')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Loading…');
    await act(async () => {
      resolve(() => <h1>Presets screen</h1>);
      await loaded;
    });
    expect(await screen.findByRole('heading', { name: 'Presets screen' })).toBeInTheDocument();
    expect(screen.queryByRole('status')).not.toBeInTheDocument();
    expect(warn.mock.calls.flat().join(' ')).not.toMatch(/HydrateFallback/);
  });
});
