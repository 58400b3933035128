// PATCH /api/personalities/{id} (admin) with only the fields to change and the version the edit
// started from: a stale one (or a title taken) is a 409, said in the dialog.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { Personality, PersonalityUpdate } from '@/lib/api/roundtable';

export async function updatePersonality(id: number, body: PersonalityUpdate): Promise<Personality> {
  return unwrap(
    await api.PATCH('/api/personalities/{id}', {
      params: { path: { id }, header: csrfHeader() },
      body,
    }),
  );
}

/** The list refetches; providers too (their personality shows there). */
function useRefresh() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.personalities });
    void client.invalidateQueries({ queryKey: queryKeys.providers });
  };
}

export function useUpdatePersonality() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: PersonalityUpdate }) =>
      updatePersonality(id, body),
    meta: { handlesErrors: true },
    onSettled: refresh,
  });
}
