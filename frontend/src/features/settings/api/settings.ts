// GET /api/settings and PUT /api/settings/{key} {value}; each key is validated by the server
// (400 naming `value` or `value.<field>`).
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

// The read lives in lib/api (the simulator shares it); re-exported for this feature.
export { settingsQueryOptions, useSettings } from '@/lib/api/get-settings';

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
