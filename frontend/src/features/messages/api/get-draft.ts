// GET /api/drafts/{id}. The finished draft normally arrives through `entity.changed` draft (the
// live layer invalidates it); polling while it is `generating` covers a dropped socket.
import { queryOptions, skipToken, useQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import type { Draft } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export const DRAFT_POLL_MS = 1500;

export async function getDraft(draftId: number, signal?: AbortSignal): Promise<Draft> {
  return unwrap(await api.GET('/api/drafts/{id}', { params: { path: { id: draftId } }, signal }));
}

export const draftQueryOptions = (draftId: number | null) =>
  queryOptions({
    queryKey: queryKeys.draft(draftId ?? 0),
    queryFn: draftId === null ? skipToken : ({ signal }) => getDraft(draftId, signal),
    refetchInterval: (query) => (query.state.data?.status === 'generating' ? DRAFT_POLL_MS : false),
    meta: { handlesErrors: true },
  });

export function useDraft(draftId: number | null) {
  return useQuery(draftQueryOptions(draftId));
}
