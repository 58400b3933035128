// GET /api/presets (up to 200, optionally searched) and POST /api/presets: the one module for
// this endpoint, shared by the presets screen, the controls panel's preset choices and save
// dialog, and the playbook form's preset select, so all of them read and invalidate one cache
// entry per search (refetched on entity.changed preset and after any change).
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { Preset, PresetInput, PresetPage } from './behaviour';
import { api, csrfHeader, unwrap } from './client';
import { queryKeys } from './query-keys';

export const presetsQueryOptions = (q = '') =>
  queryOptions({
    queryKey: [...queryKeys.presets, { q, limit: 200 }],
    queryFn: async ({ signal }): Promise<PresetPage> =>
      unwrap(
        await api.GET('/api/presets', {
          params: { query: { q: q || undefined, limit: 200 } },
          signal,
        }),
      ),
  });

/** Presets (the first 200, by name), optionally only those matching q. */
export function usePresets(q = '') {
  return useQuery(presetsQueryOptions(q));
}

export async function createPreset(body: PresetInput): Promise<Preset> {
  return unwrap(await api.POST('/api/presets', { params: { header: csrfHeader() }, body }));
}
