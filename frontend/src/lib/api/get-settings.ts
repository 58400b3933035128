// GET /api/settings: one query shared by the settings screen and the simulator (which reads
// bot.username for "Mention the bot"), so both read one cache entry.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './query-keys';

export const settingsQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.settings,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/settings', { signal })),
  });

export function useSettings() {
  return useQuery(settingsQueryOptions());
}
