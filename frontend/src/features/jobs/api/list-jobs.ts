// GET /api/jobs by state (dead letters by default) and kind, newest first, keyset "load more".
// Refetched on `entity.changed` job and after a retry or discard.
import { infiniteQueryOptions, useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import type { JobFilterState, JobKind } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export type JobFilter = { state: JobFilterState; kind: JobKind | '' };

export const jobsQueryOptions = (filter: JobFilter) =>
  infiniteQueryOptions({
    queryKey: queryKeys.jobsFor(filter),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/jobs', {
          params: {
            query: {
              state: filter.state,
              kind: filter.kind || undefined,
              cursor: pageParam,
              limit: 50,
            },
          },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
  });

export function useJobs(filter: JobFilter) {
  return useInfiniteQuery(jobsQueryOptions(filter));
}
