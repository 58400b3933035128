// GET /api/sessions/{id}: one session with its participants and its whole history. Refetched on
// `entity.changed` session and on a turn's `message.created` (the live layer invalidates it).
import { queryOptions, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { RtSessionDetail } from '@/lib/api/roundtable';

export const sessionQueryOptions = (id: number) =>
  queryOptions({
    queryKey: queryKeys.session(id),
    queryFn: async ({ signal }): Promise<RtSessionDetail> =>
      unwrap(await api.GET('/api/sessions/{id}', { params: { path: { id } }, signal })),
  });

export function useSession(id: number) {
  return useQuery(sessionQueryOptions(id));
}
