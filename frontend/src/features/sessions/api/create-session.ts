// POST /api/sessions then POST /api/sessions/{id}/start (admin): the console's "New session"
// creates the session and starts it with its topic at once — it has no "awaiting" step.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { RtSession, RtSessionCreate } from '@/lib/api/roundtable';

export async function createAndStartSession(body: RtSessionCreate): Promise<RtSession> {
  const { topic, ...rest } = body;
  const created = unwrap(
    await api.POST('/api/sessions', { params: { header: csrfHeader() }, body: rest }),
  );
  return unwrap(
    await api.POST('/api/sessions/{id}/start', {
      params: { path: { id: created.id }, header: csrfHeader() },
      body: topic === undefined ? {} : { topic },
    }),
  );
}

export function useCreateSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createAndStartSession,
    // The form shows the problem next to the field it names.
    meta: { handlesErrors: true },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sessionsAll }),
  });
}
