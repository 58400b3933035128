// One line describing a notification from its kind and payload (payload keys vary by kind, so
// each is read defensively).
import type { TFunction } from 'i18next';
import type { Notification } from '@/lib/api/behaviour';

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

export function notificationText(n: Notification, t: TFunction): string {
  const payload = (n.payload ?? {}) as Record<string, unknown>;
  const text = str(payload.text) ?? str(payload.message) ?? str(payload.error) ?? '';
  const who = str(payload.username) ? `@${String(payload.username)}` : str(payload.first_name);
  switch (n.kind) {
    case 'mention':
      return t('notifications.text.mention', { who: who ?? '?', text });
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
