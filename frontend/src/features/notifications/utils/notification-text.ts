// One line describing a notification from its kind and payload. Payload keys vary by kind
// (a mention carries user_id, text and the reason it got no auto-reply), so each is read
// defensively.
import type { TFunction } from 'i18next';
import type { Notification } from '@/lib/api/behaviour';

const REASONS = ['autoreply_off', 'reply_on_mention_off', 'takeover'] as const;
type Reason = (typeof REASONS)[number];

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

function who(payload: Record<string, unknown>): string | null {
  if (str(payload.username)) return `@${String(payload.username)}`;
  if (str(payload.first_name)) return String(payload.first_name);
  return typeof payload.user_id === 'number' ? `#${payload.user_id}` : null;
}

export function notificationText(n: Notification, t: TFunction): string {
  const payload = (n.payload ?? {}) as Record<string, unknown>;
  const text = str(payload.text) ?? str(payload.message) ?? str(payload.error) ?? '';
  switch (n.kind) {
    case 'mention': {
      const sender = who(payload);
      return sender ? t('notifications.text.mention', { who: sender, text }) : text;
    }
    case 'moderation':
      return t('notifications.text.moderation', {
        label:
          str(payload.label) ?? (Array.isArray(payload.labels) ? payload.labels.join(', ') : '?'),
        text,
      });
    case 'delivery_failed':
      return t('notifications.text.delivery_failed', { text });
    case 'error':
      return t('notifications.text.error', { text });
  }
}

/** Why a mention got no auto-reply, when the payload says and we know the reason. */
export function mentionReason(n: Notification, t: TFunction): string | null {
  const reason = (n.payload as Record<string, unknown> | null)?.reason;
  return REASONS.includes(reason as Reason) ? t(`notifications.reason.${reason as Reason}`) : null;
}
