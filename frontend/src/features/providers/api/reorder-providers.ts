// PUT /api/providers/order (admin): every provider's id once, first to last; the server renumbers
// them 0, 1, 2… in one transaction. The cached list takes the new order at once (so a dropped
// row stays where it was dropped) and is refetched when the call settles.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { ProviderPage } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function reorderProviders(ids: number[]): Promise<ProviderPage> {
  return unwrap(
    await api.PUT('/api/providers/order', { params: { header: csrfHeader() }, body: { ids } }),
  );
}

/** The page with each listed provider's position set to its index in ids. */
export function withOrder(page: ProviderPage, ids: readonly number[]): ProviderPage {
  const at = new Map(ids.map((id, index) => [id, index]));
  return {
    ...page,
    items: page.items.map((p) => (at.has(p.id) ? { ...p, position: at.get(p.id)! } : p)),
  };
}

export function useReorderProviders() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: reorderProviders,
    onMutate: async (ids) => {
      await client.cancelQueries({ queryKey: queryKeys.providers });
      const saved = client.getQueriesData<ProviderPage>({ queryKey: queryKeys.providers });
      client.setQueriesData<ProviderPage>({ queryKey: queryKeys.providers }, (page) =>
        page ? withOrder(page, ids) : page,
      );
      return { saved };
    },
    onError: (_error, _ids, context) => {
      for (const [key, data] of context?.saved ?? []) client.setQueryData(key, data);
    },
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.providers }),
  });
}
