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
              setting('roundtable.max_rounds', 5),
              setting('roundtable.max_tokens', 20000),
              setting('payment.url', null),
              setting('bot.texts', {
                welcome: 'Hi there!',
                ask_topic: 'О чём поговорим? Напишите тему обсуждения одним сообщением.',
              }),
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
    await within(provider).findByRole('option', { name: 'DeepSeek · deepseek-chat' });
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

describe('SettingsPage: the round table', () => {
  it('shows each limit with its environment variable and saves it (empty = no limit)', async () => {
    const user = userEvent.setup();
    const puts = setup('admin');
    const rounds = await screen.findByRole('spinbutton', { name: 'Rounds' });
    expect(rounds).toHaveValue(5);
    expect(screen.getByText('Environment variable: MAX_ROUNDS')).toBeInTheDocument();
    expect(screen.getByText('Environment variable: ROUNDTABLE_MAX_COST')).toBeInTheDocument();
    await user.clear(rounds);
    await user.type(rounds, '8');
    await user.click(screen.getByRole('button', { name: 'Save: Rounds' }));
    const tokens = screen.getByRole('spinbutton', { name: 'Token limit per session' });
    expect(tokens).toHaveValue(20000);
    await user.clear(tokens);
    await user.click(screen.getByRole('button', { name: 'Save: Token limit per session' }));
    await user.type(screen.getByRole('textbox', { name: 'Payment URL' }), 'https://pay.example/x');
    await user.click(screen.getByRole('button', { name: 'Save: Payment URL' }));
    await waitFor(() =>
      expect(puts).toEqual([
        { key: 'roundtable.max_rounds', body: { value: 8 } },
        { key: 'roundtable.max_tokens', body: { value: null } },
        { key: 'payment.url', body: { value: 'https://pay.example/x' } },
      ]),
    );
  });

  it('edits the bot texts: the Russian default as placeholder, only overrides are saved', async () => {
    const user = userEvent.setup();
    const puts = setup('admin');
    const welcome = await screen.findByRole('textbox', { name: 'Welcome (/start)' });
    expect(welcome).toHaveValue('Hi there!');
    // A stored text equal to its default shows as the default (an empty field).
    const ask = screen.getByRole('textbox', { name: 'Asking for the topic' });
    expect(ask).toHaveValue('');
    expect(ask).toHaveAttribute(
      'placeholder',
      'О чём поговорим? Напишите тему обсуждения одним сообщением.',
    );
    expect(screen.getByRole('textbox', { name: 'Button: new discussion' })).toHaveAttribute(
      'placeholder',
      'Новое обсуждение',
    );
    await user.type(screen.getByRole('textbox', { name: 'Button: stop' }), 'Стоп');
    await user.click(screen.getByRole('button', { name: 'Save bot texts' }));
    await waitFor(() =>
      expect(puts).toEqual([
        { key: 'bot.texts', body: { value: { welcome: 'Hi there!', button_stop: 'Стоп' } } },
      ]),
    );
  });
});
