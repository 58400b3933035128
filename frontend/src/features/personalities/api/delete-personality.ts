// DELETE /api/personalities/{id} (admin). Providers that spoke with it speak without one (their
// list refetches); sessions already started keep their copy.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export async function deletePersonality(id: number): Promise<void> {
  unwrap(
    await api.DELETE('/api/personalities/{id}', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useDeletePersonality() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deletePersonality,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.personalities });
      void client.invalidateQueries({ queryKey: queryKeys.providers });
    },
  });
}
