// Texts for a notification: who and where by name (Notification.user_name / chat_title, the
// ids only as a fallback), what from the kind and payload. Payload keys vary by kind (a mention
// carries user_id, text and the reason it got no auto-reply; a dead job its job_id, kind and
// error), so each is read defensively. Every job notification comes from a job that gave up:
// it is a dead letter waiting for a retry or a discard on the queue page.
import type { TFunction } from 'i18next';
import type { Notification } from '@/lib/api/behaviour';
import { chatLabel } from '@/lib/utils/names';

const REASONS = ['autoreply_off', 'reply_on_mention_off', 'takeover'] as const;
type Reason = (typeof REASONS)[number];

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() ? value : null;
}

function payloadOf(n: Notification): Record<string, unknown> {
  return n.payload ?? {};
}

/** The user concerned, by name: user_name, else the payload's @username / first name. */
export function notificationUser(n: Notification, t: TFunction): string | null {
  const payload = payloadOf(n);
  if (str(n.user_name)) return n.user_name;
  if (str(payload.username)) return `@${String(payload.username)}`;
  if (str(payload.first_name)) return String(payload.first_name);
  return typeof payload.user_id === 'number' ? t('names.user', { id: payload.user_id }) : null;
}

/** The chat's name (null without a chat). */
export function notificationChat(n: Notification, t: TFunction): string | null {
  return n.chat_id === null ? null : chatLabel(n.chat_id, n.chat_title, t);
}

/** The dead job behind a delivery failure or error, when there is one. */
export function deadJob(n: Notification): { id: number; kind: string | null } | null {
  const payload = payloadOf(n);
  return typeof payload.job_id === 'number'
    ? { id: payload.job_id, kind: str(payload.kind) }
    : null;
}

/** One line: what happened, with names. */
export function notificationText(n: Notification, t: TFunction): string {
  const payload = payloadOf(n);
  const text =
    str(payload.text) ?? str(payload.message) ?? str(payload.error) ?? str(payload.detail) ?? '';
  switch (n.kind) {
    case 'mention': {
      const sender = notificationUser(n, t);
      return sender ? t('notifications.text.mention', { who: sender, text }) : text;
    }
    case 'moderation': {
      const label =
        str(payload.label) ?? (Array.isArray(payload.labels) ? payload.labels.join(', ') : '?');
      return n.rule_name
        ? t('notifications.text.moderationRule', { rule: n.rule_name, label, text })
        : t('notifications.text.moderation', { label, text });
    }
    case 'delivery_failed':
      return t('notifications.text.delivery_failed', { text });
    case 'error':
      return t('notifications.text.error', { text });
  }
}

/** A toast's title: who mentioned the bot where, what failed where. */
export function notificationTitle(n: Notification, t: TFunction): string {
  const chat = notificationChat(n, t);
  const job = deadJob(n);
  switch (n.kind) {
    case 'mention': {
      const who = notificationUser(n, t);
      if (who && chat) return t('notifications.heading.mentionBy', { who, chat });
      return chat
        ? t('notifications.heading.mentionIn', { chat })
        : t('notifications.mentionToast');
    }
    case 'moderation':
      return chat
        ? t('notifications.heading.moderationIn', { chat })
        : t('notifications.kind.moderation');
    case 'delivery_failed':
    case 'error':
      if (job) return t('notifications.heading.deadLetter', { id: job.id, kind: job.kind ?? '?' });
      return n.kind === 'error'
        ? t('notifications.heading.error')
        : t('notifications.heading.deliveryFailed');
  }
}

/** Why a mention got no auto-reply, when the payload says and we know the reason. */
export function mentionReason(n: Notification, t: TFunction): string | null {
  const reason = (n.payload as Record<string, unknown> | null)?.reason;
  return REASONS.includes(reason as Reason) ? t(`notifications.reason.${reason as Reason}`) : null;
}

/** Where "Open" leads: the message in its chat, the dead letters, or nowhere. */
export function notificationHref(n: Notification): string | null {
  if (n.chat_id !== null && (n.kind === 'mention' || n.kind === 'moderation')) {
    return n.message_pk !== null
      ? `/chats/${n.chat_id}#message-${n.message_pk}`
      : `/chats/${n.chat_id}`;
  }
  if (deadJob(n)) return '/queue';
  return n.chat_id !== null ? `/chats/${n.chat_id}` : null;
}
