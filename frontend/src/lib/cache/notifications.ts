// Pure merge rules for cached notification lists: newest first, unique by id; acknowledging
// marks an item (or drops it from an "unacked only" list).
import type { Notification, NotificationPage } from '@/lib/api/behaviour';

export function addNotification(
  page: NotificationPage,
  notification: Notification,
  unackedOnly: boolean,
): NotificationPage {
  if (unackedOnly && notification.acked_at) return page;
  if (page.items.some((n) => n.id === notification.id)) return page;
  const items = [notification, ...page.items].sort((a, b) => b.id - a.id);
  return { ...page, items };
}

export function ackInPage(
  page: NotificationPage,
  acked: (n: Notification) => Notification | null,
  unackedOnly: boolean,
): NotificationPage {
  const items: Notification[] = [];
  for (const n of page.items) {
    const next = acked(n);
    if (next === null) items.push(n);
    else if (!unackedOnly) items.push(next);
  }
  return { ...page, items };
}
