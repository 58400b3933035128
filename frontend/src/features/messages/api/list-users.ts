// GET /api/users?q=&chat_id=: the user picker of the history filters, scoped to one chat (the
// users who wrote in it) when a chat is given.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const usersQueryOptions = (q: string, chatId?: number) =>
  queryOptions({
    queryKey: queryKeys.usersSearch(q, chatId),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/users', {
          params: { query: { q: q || undefined, chat_id: chatId, limit: 20 } },
          signal,
        }),
      ),
  });

export function useUsers(q: string, chatId?: number) {
  return useQuery(usersQueryOptions(q, chatId));
}
