// GET /api/providers: the one wrapper of the provider list, shared because three features
// choose from it (the providers screen, the chat panel's provider select and the
// `autoreply.provider` setting) and must agree on one cache entry. Refetched on
// `entity.changed` provider.
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from './client';
import type { Provider, ProviderPage } from './delivery';
import { queryKeys } from './query-keys';

export async function listProviders(signal?: AbortSignal): Promise<ProviderPage> {
  return unwrap(await api.GET('/api/providers', { params: { query: { limit: 200 } }, signal }));
}

/** Position first, then id: the order the server picks a default provider in. */
export function byPosition(a: Provider, b: Provider): number {
  return a.position - b.position || a.id - b.id;
}

export const providersQueryOptions = () =>
  queryOptions({
    queryKey: [...queryKeys.providers, { limit: 200 }],
    queryFn: ({ signal }) => listProviders(signal),
    select: (page): Provider[] => [...page.items].sort(byPosition),
  });

export function useProviders() {
  return useQuery(providersQueryOptions());
}
