// GET /api/users?q=: the user picker of the history filters.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const usersQueryOptions = (q: string) =>
  queryOptions({
    queryKey: queryKeys.usersSearch(q),
    queryFn: async ({ signal }) =>
      unwrap(
        await api.GET('/api/users', {
          params: { query: { q: q || undefined, limit: 20 } },
          signal,
        }),
      ),
  });

export function useUsers(q: string) {
  return useQuery(usersQueryOptions(q));
}
