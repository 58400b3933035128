// POST /api/personalities (admin). A title taken (regardless of case) is a 409 naming `title`.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { Personality, PersonalityCreate } from '@/lib/api/roundtable';

export async function createPersonality(body: PersonalityCreate): Promise<Personality> {
  return unwrap(await api.POST('/api/personalities', { params: { header: csrfHeader() }, body }));
}

/** The list refetches; providers too (their personality shows there). */
function useRefresh() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.personalities });
    void client.invalidateQueries({ queryKey: queryKeys.providers });
  };
}

export function useCreatePersonality() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: createPersonality,
    meta: { handlesErrors: true },
    onSuccess: refresh,
  });
}
