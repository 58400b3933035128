// Simulator panel: posts the typed body with the CSRF header; 409 says the simulator is off.
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { setCsrfToken } from '@/lib/api/client';
import { jsonResponse } from '@/test/factories';
import { renderWithProviders } from '@/test/render';
import { SimulatorPanel } from './simulator-panel';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(null);
});

async function send() {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText('Chat ID'), '-1001');
  await user.type(screen.getByLabelText('Chat title'), 'Test group');
  await user.type(screen.getByLabelText('User ID'), '42');
  await user.type(screen.getByLabelText('First name'), 'Ann');
  await user.type(screen.getByLabelText('Username'), '@ann');
  await user.type(screen.getByLabelText('Text'), 'hello there');
  await user.click(screen.getByRole('button', { name: 'Send' }));
}

describe('SimulatorPanel', () => {
  it('is labelled as the simulator without a Telegram token', () => {
    renderWithProviders(<SimulatorPanel />);
    expect(
      screen.getByRole('region', { name: 'Simulator (no Telegram token)' }),
    ).toBeInTheDocument();
  });

  it('posts the message with the CSRF token and reports the queued update', async () => {
    setCsrfToken('csrf-1');
    const fetchMock = vi.fn(async () =>
      jsonResponse(202, { update_id: 9000000000001, stream_id: '1-0' }),
    );
    vi.stubGlobal('fetch', fetchMock);
    renderWithProviders(<SimulatorPanel />);
    await send();
    expect(await screen.findByRole('status')).toHaveTextContent('9000000000001');
    const [request] = fetchMock.mock.calls[0] as unknown as [Request];
    expect(request.headers.get('X-CSRF-Token')).toBe('csrf-1');
    expect(await request.json()).toEqual({
      chat_id: -1001,
      chat_title: 'Test group',
      user_id: 42,
      first_name: 'Ann',
      username: 'ann',
      text: 'hello there',
    });
    expect(screen.getByLabelText('Text')).toHaveValue('');
  });

  it('says the simulator is off when the server answers 409', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => jsonResponse(409, { type: 'about:blank', title: 'Conflict', status: 409 })),
    );
    renderWithProviders(<SimulatorPanel />);
    await send();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The simulator is off: a Telegram bot token is configured.',
    );
  });
});
