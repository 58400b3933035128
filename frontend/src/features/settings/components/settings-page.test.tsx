// Settings: the default provider (a provider id, or null for the first enabled one), the admin
// signature and Telegram streaming each save on their own with PUT /api/settings/{key}; other
// roles read them.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Setting } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeProvider, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { SettingsPage } from './settings-page';

afterEach(() => vi.unstubAllGlobals());

const setting = (key: string, value: unknown): Setting =>
  ({ key, value, is_default: false, updated_at: null }) as Setting;

function setup(role: 'admin' | 'moderator') {
  const puts: { key: string; body: unknown }[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(async (req: Request) => {
      const path = new URL(req.url).pathname;
      if (req.method === 'PUT' && path.startsWith('/api/settings/')) {
        const key = decodeURIComponent(path.slice('/api/settings/'.length));
        const body = (await req.json()) as { value: unknown };
        puts.push({ key, body });
        return jsonResponse(200, setting(key, body.value));
      }
      return routeFetch({
        'GET /api/settings': () =>
          jsonResponse(200, {
            items: [
              setting('takeover.minutes', 30),
              setting('autoreply.provider', null),
              setting('admin.signature', ''),
              setting('telegram.streaming', true),
            ],
          }),
        'GET /api/providers': () =>
          jsonResponse(200, {
            items: [makeProvider({ id: 2, name: 'DeepSeek', model_id: 'deepseek-chat' })],
            next_cursor: null,
          }),
      })(req);
    }),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<SettingsPage />, { queryClient });
  return puts;
}

describe('SettingsPage: replies and delivery', () => {
  it('saves the default provider, the signature and the streaming switch', async () => {
    const user = userEvent.setup();
    const puts = setup('admin');
    const provider = await screen.findByRole('combobox', { name: 'Default provider' });
    await screen.findByRole('option', { name: 'DeepSeek · deepseek-chat' });
    expect(provider).toHaveValue('');
    await user.selectOptions(provider, 'DeepSeek · deepseek-chat');
    const providerForm = provider.closest('form')!;
    await user.click(within(providerForm).getByRole('button', { name: 'Save' }));
    await user.type(screen.getByRole('textbox', { name: 'Admin signature' }), '— Support team');
    await user.click(
      within(screen.getByRole('textbox', { name: 'Admin signature' }).closest('form')!).getByRole(
        'button',
        { name: 'Save' },
      ),
    );
    const streaming = screen.getByRole('switch', { name: 'Stream replies into Telegram' });
    expect(streaming).toHaveAttribute('aria-checked', 'true');
    await user.click(streaming);
    await waitFor(() =>
      expect(puts).toEqual([
        { key: 'autoreply.provider', body: { value: 2 } },
        { key: 'admin.signature', body: { value: '— Support team' } },
        { key: 'telegram.streaming', body: { value: false } },
      ]),
    );
  });

  it('is read-only for a moderator', async () => {
    setup('moderator');
    expect(await screen.findByRole('combobox', { name: 'Default provider' })).toBeDisabled();
    expect(screen.getByRole('switch', { name: 'Stream replies into Telegram' })).toBeDisabled();
    expect(screen.queryByRole('button', { name: 'Save' })).not.toBeInTheDocument();
  });
});
