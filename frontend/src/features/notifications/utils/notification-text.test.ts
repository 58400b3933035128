import { describe, expect, it } from 'vitest';
import type { Notification } from '@/lib/api/behaviour';
import i18n from '@/lib/i18n';
import { mentionReason, notificationText } from './notification-text';

const base: Notification = {
  id: 1,
  kind: 'mention',
  chat_id: -1,
  message_pk: 2,
  payload: {},
  created_at: '2026-01-01T00:00:00Z',
  acked_at: null,
  acked_by: null,
};
const withPayload = (payload: Record<string, unknown>, kind: Notification['kind'] = 'mention') =>
  ({ ...base, kind, payload }) as unknown as Notification;

describe('notificationText', () => {
  const t = i18n.getFixedT('en');

  it('names the sender of a mention by user id when that is all the payload has', () => {
    const n = withPayload({
      mention: 'username',
      reason: 'takeover',
      user_id: 42,
      text: '@bot hi',
    });
    expect(notificationText(n, t)).toBe('#42: @bot hi');
    expect(mentionReason(n, t)).toBe('No auto-reply: a human has taken over this chat.');
  });

  it('shows the bare text without a sender and ignores unknown reasons', () => {
    const n = withPayload({ text: '@bot hi', reason: 'something_new' });
    expect(notificationText(n, t)).toBe('@bot hi');
    expect(mentionReason(n, t)).toBeNull();
  });

  it('describes a moderation hit by its label', () => {
    expect(notificationText(withPayload({ label: 'spam', text: 'buy' }, 'moderation'), t)).toBe(
      'Rule hit (spam): buy',
    );
  });
});
