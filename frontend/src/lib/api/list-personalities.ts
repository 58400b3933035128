// GET /api/personalities: shared by the personalities screen and the provider form's select, so
// both read one cache entry. Refetched on `entity.changed` personality.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import { queryKeys } from './query-keys';
import type { Personality, PersonalityPage } from './roundtable';

export async function listPersonalities(signal?: AbortSignal): Promise<PersonalityPage> {
  return unwrap(await api.GET('/api/personalities', { params: { query: { limit: 200 } }, signal }));
}

export const personalitiesQueryOptions = () =>
  queryOptions({
    queryKey: [...queryKeys.personalities, { limit: 200 }],
    queryFn: ({ signal }) => listPersonalities(signal),
    select: (page): Personality[] => page.items,
  });

export function usePersonalities() {
  return useQuery(personalitiesQueryOptions());
}
