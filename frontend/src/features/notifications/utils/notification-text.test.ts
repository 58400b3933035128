import { describe, expect, it } from 'vitest';
import type { Notification } from '@/lib/api/behaviour';
import i18n from '@/lib/i18n';
import {
  mentionReason,
  notificationHref,
  notificationText,
  notificationTitle,
} from './notification-text';

const base: Notification = {
  id: 1,
  kind: 'mention',
  chat_id: -1001234567890,
  message_pk: 2,
  payload: {},
  created_at: '2026-01-01T00:00:00Z',
  acked_at: null,
  acked_by: null,
  chat_title: null,
  user_name: null,
  rule_name: null,
};
const make = (
  payload: Record<string, unknown>,
  kind: Notification['kind'] = 'mention',
  extra: Partial<Notification> = {},
) => ({ ...base, kind, payload, ...extra }) as unknown as Notification;

describe('notificationText', () => {
  const t = i18n.getFixedT('en');
  const ru = i18n.getFixedT('ru');

  it('names the sender and the chat of a mention, never their ids', () => {
    const n = make({ user_id: 55501, text: '@bot hi', reason: 'takeover' }, 'mention', {
      chat_title: 'Tea club',
      user_name: 'Anna Petrova',
    });
    expect(notificationText(n, t)).toBe('Anna Petrova: @bot hi');
    expect(notificationTitle(n, t)).toBe('Anna Petrova mentioned the bot in Tea club');
    expect(notificationTitle(n, ru)).toBe('Anna Petrova упоминает бота в «Tea club»');
    expect(notificationText(n, t)).not.toMatch(/55501|-1001234567890/);
    expect(mentionReason(n, t)).toBe('No auto-reply: a human has taken over this chat.');
  });

  it('falls back to words around the id when the user and chat are unknown', () => {
    const n = make({ user_id: 42, text: '@bot hi' });
    expect(notificationText(n, t)).toBe('user 42: @bot hi');
    expect(notificationTitle(n, t)).toBe('user 42 mentioned the bot in chat -1001234567890');
  });

  it('shows the bare text without a sender and ignores unknown reasons', () => {
    const n = make({ text: '@bot hi', reason: 'something_new' });
    expect(notificationText(n, t)).toBe('@bot hi');
    expect(mentionReason(n, t)).toBeNull();
  });

  it('says which rule hit a message', () => {
    expect(notificationText(make({ labels: ['spam'], text: 'buy' }, 'moderation'), t)).toBe(
      'Rule hit (spam): buy',
    );
    expect(
      notificationText(
        make({ labels: ['spam'], text: 'buy' }, 'moderation', { rule_name: 'Casino spam' }),
        t,
      ),
    ).toBe('Rule “Casino spam” (spam): buy');
  });

  it('calls a dead job a dead letter and leads to the queue', () => {
    const n = make(
      { job_id: 12, kind: 'telegram.send', chat_id: -5, error: 'Forbidden: bot was blocked' },
      'delivery_failed',
      { chat_id: -5, message_pk: null, chat_title: 'Tea club' },
    );
    expect(notificationTitle(n, t)).toBe('Dead letter: job 12 (telegram.send) gave up');
    expect(notificationText(n, t)).toBe('Could not deliver: Forbidden: bot was blocked');
    expect(notificationHref(n)).toBe('/queue');
  });

  it('jumps to the message of a mention', () => {
    expect(notificationHref(make({}, 'mention', { chat_id: -7, message_pk: 99 }))).toBe(
      '/chats/-7#message-99',
    );
    expect(
      notificationHref(make({ detail: 'x' }, 'error', { chat_id: null, message_pk: null })),
    ).toBeNull();
  });
});
