// GET /api/usage: tokens and cost of the model calls in [from, to), grouped by day, provider,
// chat, user or session. Refetched when the filters change, the screen is revisited, and every
// USAGE_REFRESH_MS while it is open in a visible tab: a report over many calls is not worth
// recomputing on each live event, and half a minute is fresh enough for totals.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export type UsageReport = Schemas['UsageReport'];
export type UsageItem = Schemas['UsageItem'];
export type UsageGroup = 'day' | 'provider' | 'chat' | 'user' | 'session';
export const USAGE_GROUPS: UsageGroup[] = ['day', 'provider', 'chat', 'user', 'session'];

export type UsageQuery = { group_by: UsageGroup; from: string; to: string };

export const USAGE_REFRESH_MS = 30_000;

export const usageQueryOptions = (query: UsageQuery) =>
  queryOptions({
    queryKey: ['usage', query] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/usage', { params: { query }, signal })),
    placeholderData: keepPreviousData,
    refetchInterval: USAGE_REFRESH_MS, // not in a hidden tab (refetchIntervalInBackground)
  });

export function useUsage(query: UsageQuery) {
  return useQuery(usageQueryOptions(query));
}
