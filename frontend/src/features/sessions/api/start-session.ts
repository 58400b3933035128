// POST /api/sessions/{id}/start (admin): a session awaiting its topic (opened with /new in
// Telegram, or created without one) starts with the topic given here.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { RtSession } from '@/lib/api/roundtable';

export async function startSession(id: number, topic: string): Promise<RtSession> {
  return unwrap(
    await api.POST('/api/sessions/{id}/start', {
      params: { path: { id }, header: csrfHeader() },
      body: { topic },
    }),
  );
}

export function useStartSession() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, topic }: { id: number; topic: string }) => startSession(id, topic),
    meta: { handlesErrors: true },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.sessionsAll }),
  });
}
