// Cache updates that must survive a fetch already in flight. A response read before a live event
// happened would overwrite that event when it lands, so the update is applied now (if there is
// data) and again once the fetch settles. Updates are idempotent merges, so twice is harmless.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { hashKey } from '@tanstack/react-query';

type StateView = { data: unknown; fetchStatus: string };

export function afterInFlightFetch(client: QueryClient, queryKey: QueryKey, run: () => void): void {
  const cache = client.getQueryCache();
  const hash = hashKey(queryKey);
  const unsubscribe = cache.subscribe((event) => {
    if (event.query.queryHash !== hash) return;
    if (event.type === 'removed') {
      unsubscribe();
      return;
    }
    const { data, fetchStatus } = event.query.state as StateView;
    if (fetchStatus !== 'idle') return;
    unsubscribe();
    if (data !== undefined) run();
  });
}

/** Applies `update` to the cached data now and, if a fetch is in flight, after it settles. */
export function updateSurvivingFetch(
  client: QueryClient,
  queryKey: QueryKey,
  update: () => void,
): void {
  const state = client.getQueryState(queryKey);
  if (!state) return;
  if (state.data !== undefined) update();
  if (state.fetchStatus === 'fetching') afterInFlightFetch(client, queryKey, update);
}
