// Toasts for live notifications (mentions, errors, delivery failures and dead letters; the
// moderation hits stay in the bell): a title with names, the text, "Open" (the message in its
// chat, or the dead letters) and, for those who may, "Acknowledge" — the same ack as the bell's.
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { toast } from 'sonner';
import { usePermission } from '@/hooks/use-permissions';
import type { Notification } from '@/lib/api/behaviour';
import { useAckNotification } from '../api/notifications';
import { notificationHref, notificationText, notificationTitle } from '../utils/notification-text';

export const TOASTED_KINDS: ReadonlySet<Notification['kind']> = new Set([
  'mention',
  'error',
  'delivery_failed',
]);

export function useNotificationToasts(): (n: Notification) => void {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const canAck = usePermission('moderate');
  const ack = useAckNotification();
  const ackMutate = ack.mutate;

  return useCallback(
    (n: Notification) => {
      if (!TOASTED_KINDS.has(n.kind)) return;
      const href = notificationHref(n);
      const options = {
        id: `notification-${n.id}`,
        description: notificationText(n, t),
        duration: n.kind === 'mention' ? 10_000 : 15_000,
        action: href
          ? { label: t('notifications.open'), onClick: () => void navigate(href) }
          : undefined,
        cancel: canAck
          ? { label: t('notifications.acknowledge'), onClick: () => ackMutate(n.id) }
          : undefined,
      };
      const title = notificationTitle(n, t);
      if (n.kind === 'mention') toast.info(title, options);
      else toast.error(title, options);
    },
    [t, navigate, canAck, ackMutate],
  );
}
