// POST /api/personalities, PATCH and DELETE /api/personalities/{id} (admin). A title taken or a
// stale `version` is a 409; the list follows the answer and `entity.changed` personality.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { Personality, PersonalityCreate, PersonalityUpdate } from '@/lib/api/roundtable';

export async function createPersonality(body: PersonalityCreate): Promise<Personality> {
  return unwrap(await api.POST('/api/personalities', { params: { header: csrfHeader() }, body }));
}

export async function updatePersonality(id: number, body: PersonalityUpdate): Promise<Personality> {
  return unwrap(
    await api.PATCH('/api/personalities/{id}', {
      params: { path: { id }, header: csrfHeader() },
      body,
    }),
  );
}

export async function deletePersonality(id: number): Promise<void> {
  unwrap(
    await api.DELETE('/api/personalities/{id}', { params: { path: { id }, header: csrfHeader() } }),
  );
}

function useRefresh() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.personalities });
    // Providers speaking with a deleted personality now speak with none.
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

export function useUpdatePersonality() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: PersonalityUpdate }) =>
      updatePersonality(id, body),
    meta: { handlesErrors: true },
    onSettled: refresh,
  });
}

export function useDeletePersonality() {
  const refresh = useRefresh();
  return useMutation({ mutationFn: deletePersonality, onSuccess: refresh });
}
