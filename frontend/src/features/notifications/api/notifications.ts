// GET /api/notifications (the unacked ones for the bell, the recent ones for the panel) and
// POST .../{id}/ack and .../ack (all). Live `notification.created` events merge into both lists.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Notification, NotificationPage } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { ackInPage } from '@/lib/cache/notifications';

export const UNACKED_LIMIT = 50;

export const notificationsQueryOptions = (unacked: boolean) =>
  queryOptions({
    queryKey: [...queryKeys.notifications, { unacked }],
    queryFn: async ({ signal }): Promise<NotificationPage> =>
      unwrap(
        await api.GET('/api/notifications', {
          params: { query: { unacked: unacked || undefined, limit: unacked ? UNACKED_LIMIT : 50 } },
          signal,
        }),
      ),
  });

export function useNotifications(unacked: boolean, enabled = true) {
  return useQuery({ ...notificationsQueryOptions(unacked), enabled });
}

function markAcked(client: ReturnType<typeof useQueryClient>, match: (n: Notification) => boolean) {
  const now = new Date().toISOString();
  for (const unacked of [true, false]) {
    client.setQueryData(
      notificationsQueryOptions(unacked).queryKey,
      (page: NotificationPage | undefined) =>
        page
          ? ackInPage(
              page,
              (n) => (match(n) && !n.acked_at ? { ...n, acked_at: now } : null),
              unacked,
            )
          : page,
    );
  }
}

export function useAckNotification() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.POST('/api/notifications/{id}/ack', {
          params: { path: { id }, header: csrfHeader() },
        }),
      ),
    onSuccess: (notification) => markAcked(client, (n) => n.id === notification.id),
  });
}

export function useAckAll() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async () =>
      unwrap(await api.POST('/api/notifications/ack', { params: { header: csrfHeader() } })),
    onSuccess: () => {
      markAcked(client, () => true);
      // Older unacked ones beyond the loaded page are acked too.
      void client.invalidateQueries({ queryKey: queryKeys.notifications });
    },
  });
}
