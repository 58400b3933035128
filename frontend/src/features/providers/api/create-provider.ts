// POST /api/providers (admin). The API key travels once, to rt-edge, which encrypts it; the
// answer carries only `has_key` and `api_key_hint`.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { Provider, ProviderCreate } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function createProvider(body: ProviderCreate): Promise<Provider> {
  return unwrap(await api.POST('/api/providers', { params: { header: csrfHeader() }, body }));
}

export function useCreateProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createProvider,
    // The form shows the problem next to the field it names.
    meta: { handlesErrors: true },
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.providers }),
  });
}
