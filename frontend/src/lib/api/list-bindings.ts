// GET /api/bindings (up to 200, optionally only active or expired ones): one query shared by the
// presets screen's bindings table and the controls panel's "presets in force here" list, so both
// read one cache entry (refetched on entity.changed binding and after a new binding).
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { BindingPage } from './behaviour';
import { api, unwrap } from './client';
import { queryKeys } from './query-keys';

export const bindingsQueryOptions = (active: boolean | undefined) =>
  queryOptions({
    queryKey: [...queryKeys.bindings, { active }],
    queryFn: async ({ signal }): Promise<BindingPage> =>
      unwrap(await api.GET('/api/bindings', { params: { query: { active, limit: 200 } }, signal })),
  });

export function useBindings(active: boolean | undefined) {
  return useQuery(bindingsQueryOptions(active));
}
