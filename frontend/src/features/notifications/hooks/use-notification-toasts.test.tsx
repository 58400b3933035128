// Toasts for live notifications: names in the title and text, "Open" jumps to the message in
// its chat (or the dead letters), "Acknowledge" acks it for a moderator and is absent for a
// viewer; moderation hits do not toast.
import { configure, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useEffect } from 'react';
import { useLocation } from 'react-router';
import { toast, Toaster } from 'sonner';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Notification } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { useNotificationToasts } from './use-notification-toasts';

// sonner captures the pointer on a toast; jsdom has no pointer capture
beforeAll(() => {
  Element.prototype.setPointerCapture ??= () => {};
  Element.prototype.releasePointerCapture ??= () => {};
});
// the first render waits for fetch and i18n; on a loaded machine that can exceed 1 s
configure({ asyncUtilTimeout: 5000 });
afterEach(async () => {
  vi.unstubAllGlobals();
  toast.dismiss();
  // sonner removes a dismissed toast 200 ms later (TIME_BEFORE_UNMOUNT) through a timer that
  // sets React state; let it run while jsdom still exists, or it fires after the file's
  // environment is gone ("window is not defined", an unhandled error that fails the run)
  await new Promise((resolve) => setTimeout(resolve, 400));
});

const mention: Notification = {
  id: 31,
  kind: 'mention',
  chat_id: -1001234567890,
  message_pk: 55501,
  payload: {
    user_id: 424242001,
    text: '@bot when is the meeting?',
  } as unknown as Notification['payload'],
  created_at: '2026-01-01T12:00:00Z',
  acked_at: null,
  acked_by: null,
  chat_title: 'Tea club',
  user_name: 'Anna Petrova',
  rule_name: null,
};
const deadLetter: Notification = {
  ...mention,
  id: 32,
  kind: 'delivery_failed',
  message_pk: null,
  payload: {
    job_id: 9,
    kind: 'telegram.send',
    chat_id: -1001234567890,
    error: 'Forbidden',
  } as unknown as Notification['payload'],
  user_name: null,
};
const moderation: Notification = { ...mention, id: 33, kind: 'moderation', rule_name: 'Spam' };

function Where() {
  const location = useLocation();
  return <output aria-label="location">{location.pathname + location.hash}</output>;
}

function Fire({ n }: { n: Notification[] }) {
  const toast = useNotificationToasts();
  useEffect(() => {
    n.forEach(toast);
  }, [n, toast]);
  return null;
}

function setup(role: 'moderator' | 'viewer', n: Notification[]) {
  const acks: string[] = [];
  vi.stubGlobal(
    'fetch',
    vi.fn(
      routeFetch({
        'POST /api/notifications/31/ack': () => {
          acks.push('31');
          return jsonResponse(200, { ...mention, acked_at: '2026-01-01T12:01:00Z' });
        },
      }),
    ),
  );
  const queryClient = createTestQueryClient();
  queryClient.setQueryData(queryKeys.me, makeSession(role));
  renderWithProviders(
    <>
      <Toaster />
      <Fire n={n} />
      <Where />
    </>,
    { queryClient },
  );
  return acks;
}

describe('useNotificationToasts', () => {
  it('toasts a mention by name and jumps to the message', async () => {
    const user = userEvent.setup();
    setup('moderator', [mention]);
    expect(
      await screen.findByText('Anna Petrova mentioned the bot in Tea club'),
    ).toBeInTheDocument();
    expect(screen.getByText('Anna Petrova: @bot when is the meeting?')).toBeInTheDocument();
    expect(screen.queryByText(/55501|424242001|-1001234567890/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(screen.getByRole('status', { name: 'location' })).toHaveTextContent(
      '/chats/-1001234567890#message-55501',
    );
  });

  it('acknowledges from the toast', async () => {
    const user = userEvent.setup();
    const acks = setup('moderator', [mention]);
    await user.click(await screen.findByRole('button', { name: 'Acknowledge' }));
    await waitFor(() => expect(acks).toEqual(['31']));
  });

  it('offers no acknowledge to a viewer', async () => {
    setup('viewer', [mention]);
    await screen.findByText('Anna Petrova mentioned the bot in Tea club');
    expect(screen.queryByRole('button', { name: 'Acknowledge' })).toBeNull();
  });

  it('toasts a dead letter with a way to the queue, and not a moderation hit', async () => {
    const user = userEvent.setup();
    setup('moderator', [deadLetter, moderation]);
    expect(
      await screen.findByText('Dead letter: job 9 (telegram.send) gave up'),
    ).toBeInTheDocument();
    expect(screen.getByText('Could not deliver: Forbidden')).toBeInTheDocument();
    expect(screen.queryByText(/Rule/)).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Open' }));
    expect(screen.getByRole('status', { name: 'location' })).toHaveTextContent('/queue');
  });
});
