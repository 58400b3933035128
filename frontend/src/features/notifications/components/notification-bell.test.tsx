// Bell: its name carries the unacked count; the panel lists notifications with ack and ack-all;
// a viewer sees them without the ack buttons.
import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { NotificationBell } from './notification-bell';

// the first render waits for fetch and i18n; on a loaded machine that can exceed 1 s
configure({ asyncUtilTimeout: 5000 });
afterEach(() => vi.unstubAllGlobals());

const mention: Notification = {
  id: 7,
  kind: 'mention',
  chat_id: -100,
  message_pk: 3,
  payload: { username: 'ann', text: '@bot help' } as unknown as Notification['payload'],
  created_at: '2026-01-01T12:00:00Z',
  acked_at: null,
  acked_by: null,
  chat_title: null,
  user_name: null,
  rule_name: null,
};

function setup(role: 'moderator' | 'viewer') {
  const acks: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'GET /api/notifications': () =>
          jsonResponse(200, { items: [mention], next_cursor: null, unacked_count: 1 }),
        'POST /api/notifications/7/ack': () => {
          acks.push('7');
          return jsonResponse(200, { ...mention, acked_at: '2026-01-01T12:01:00Z' });
        },
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(<NotificationBell />, { queryClient });
  return acks;
}

describe('NotificationBell', () => {
  it('names the unacked count and acknowledges one notification', async () => {
    const user = userEvent.setup();
    const acks = setup('moderator');
    const bell = await screen.findByRole('button', { name: 'Notifications, 1 unacknowledged' });
    await user.click(bell);
    const panel = screen.getByRole('region', { name: 'Notifications' });
    expect(await within(panel).findByText('@ann: @bot help')).toBeInTheDocument();
    expect(within(panel).getByText('mention')).toBeInTheDocument();
    await user.click(within(panel).getByRole('button', { name: 'Acknowledge notification 7' }));
    await waitFor(() =>
      expect(
        screen.getByRole('button', { name: 'Notifications, 0 unacknowledged' }),
      ).toBeInTheDocument(),
    );
    expect(acks).toEqual(['7']);
  });

  it('shows a viewer the list without ack buttons', async () => {
    const user = userEvent.setup();
    setup('viewer');
    await user.click(
      await screen.findByRole('button', { name: 'Notifications, 1 unacknowledged' }),
    );
    const panel = screen.getByRole('region', { name: 'Notifications' });
    await within(panel).findByText('@ann: @bot help');
    expect(within(panel).queryByRole('button', { name: /Acknowledge/ })).not.toBeInTheDocument();
  });
});
