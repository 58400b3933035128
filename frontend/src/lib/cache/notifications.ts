// Pure merge rules for cached notification lists: newest first, unique by id, with the
// badge's unacked_count kept in step; acknowledging marks an item (or drops it from an
// "unacked only" list).
import type { Notification, NotificationPage } from '@/lib/api/behaviour';

export function addNotification(
  page: NotificationPage,
  notification: Notification,
  unackedOnly: boolean,
): NotificationPage {
  if (page.items.some((n) => n.id === notification.id)) return page;
  const unackedCount = page.unacked_count + (notification.acked_at ? 0 : 1);
  if (unackedOnly && notification.acked_at) return page;
  const items = [notification, ...page.items].sort((a, b) => b.id - a.id);
  return { ...page, items, unacked_count: unackedCount };
}

export function ackInPage(
  page: NotificationPage,
  acked: (n: Notification) => Notification | null,
  unackedOnly: boolean,
): NotificationPage {
  const items: Notification[] = [];
  let newlyAcked = 0;
  for (const n of page.items) {
    const next = acked(n);
    if (next === null) {
      items.push(n);
      continue;
    }
    newlyAcked += 1;
    if (!unackedOnly) items.push(next);
  }
  return { ...page, items, unacked_count: Math.max(0, page.unacked_count - newlyAcked) };
}
