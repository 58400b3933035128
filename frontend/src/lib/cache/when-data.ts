// Runs a cache update once a query that is still on its first fetch has data. A live event that
// lands during that fetch would otherwise be overwritten by the (older) response.
import type { QueryClient, QueryKey } from '@tanstack/react-query';
import { hashKey } from '@tanstack/react-query';

export function whenQueryHasData(client: QueryClient, queryKey: QueryKey, run: () => void): void {
  const cache = client.getQueryCache();
  const hash = hashKey(queryKey);
  const unsubscribe = cache.subscribe((event) => {
    if (event.query.queryHash !== hash) return;
    if (event.type === 'removed') {
      unsubscribe();
      return;
    }
    const { data, fetchStatus, status } = event.query.state as {
      data: unknown;
      fetchStatus: string;
      status: string;
    };
    if (data !== undefined) {
      unsubscribe();
      run();
    } else if (fetchStatus === 'idle' && status === 'error') {
      unsubscribe();
    }
  });
}
