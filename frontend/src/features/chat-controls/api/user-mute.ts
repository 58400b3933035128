// One Telegram user by id (GET /api/users?q=<id> matches the exact id) and PATCH
// /api/users/{id} {muted}: a muted user never gets an auto-reply, in any chat.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { User } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const userQueryOptions = (userId: number) =>
  queryOptions({
    queryKey: [...queryKeys.users, { id: userId }],
    queryFn: async ({ signal }): Promise<User | null> => {
      const page = unwrap(
        await api.GET('/api/users', { params: { query: { q: String(userId), limit: 5 } }, signal }),
      );
      return page.items.find((u) => u.id === userId) ?? null;
    },
  });

export function useUser(userId: number) {
  return useQuery(userQueryOptions(userId));
}

export function useMuteUser(userId: number) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (muted: boolean) =>
      unwrap(
        await api.PATCH('/api/users/{id}', {
          params: { path: { id: userId }, header: csrfHeader() },
          body: { muted },
        }),
      ),
    onSuccess: (user) => {
      client.setQueryData(userQueryOptions(userId).queryKey, user);
      void client.invalidateQueries({ queryKey: queryKeys.users });
    },
  });
}
