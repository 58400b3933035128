// GET /api/settings and PUT /api/settings/{key} {value}; each key is validated by the server
// (400 naming `value` or `value.<field>`).
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const settingsQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.settings,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/settings', { signal })),
  });

export function useSettings() {
  return useQuery(settingsQueryOptions());
}

export function useUpdateSetting() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ key, value }: { key: string; value: unknown }) =>
      unwrap(
        await api.PUT('/api/settings/{key}', {
          params: { path: { key }, header: csrfHeader() },
          body: { value },
        }),
      ),
    meta: { handlesErrors: true },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.settings });
      void client.invalidateQueries({ queryKey: queryKeys.explain });
    },
  });
}
