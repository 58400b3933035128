// POST /api/sessions/{id}/stop (admin): the session ends "stopped by an admin"; the model call
// in flight is aborted by the edge. An ended session is a 409, shown in the confirm dialog.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { RtSession } from '@/lib/api/roundtable';

export async function stopSession(id: number): Promise<RtSession> {
  return unwrap(
    await api.POST('/api/sessions/{id}/stop', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useStopSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: stopSession,
    meta: { handlesErrors: true },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sessionsAll }),
  });
}
