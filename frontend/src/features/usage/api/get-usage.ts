// GET /api/usage: tokens and cost of the model calls in [from, to), grouped by day, provider,
// chat, user or session. Not live: refetched when the filters change or the screen is revisited.
import { keepPreviousData, queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '@/lib/api/client';

export type UsageReport = Schemas['UsageReport'];
export type UsageItem = Schemas['UsageItem'];
export type UsageGroup = 'day' | 'provider' | 'chat' | 'user' | 'session';
export const USAGE_GROUPS: UsageGroup[] = ['day', 'provider', 'chat', 'user', 'session'];

export type UsageQuery = { group_by: UsageGroup; from: string; to: string };

export const usageQueryOptions = (query: UsageQuery) =>
  queryOptions({
    queryKey: ['usage', query] as const,
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/usage', { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });

export function useUsage(query: UsageQuery) {
  return useQuery(usageQueryOptions(query));
}
