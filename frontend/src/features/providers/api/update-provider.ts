// PUT /api/providers/{id} (admin) with only the fields to change: `api_key` absent keeps the
// stored key, a string replaces it, null clears it. Used by the form, the enabled switch and the
// up/down order buttons.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { Provider, ProviderUpdate } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function updateProvider(id: number, body: ProviderUpdate): Promise<Provider> {
  return unwrap(
    await api.PUT('/api/providers/{id}', { params: { path: { id }, header: csrfHeader() }, body }),
  );
}

export function useUpdateProvider({ handlesErrors = false } = {}) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, body }: { id: number; body: ProviderUpdate }) => updateProvider(id, body),
    meta: { handlesErrors },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.providers }),
  });
}
