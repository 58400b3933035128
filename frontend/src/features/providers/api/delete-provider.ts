// DELETE /api/providers/{id} (admin). Chats that used it fall back to the default provider.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export async function deleteProvider(id: number): Promise<void> {
  unwrap(
    await api.DELETE('/api/providers/{id}', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useDeleteProvider() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: deleteProvider,
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.providers });
      // Chats pointing at it now use the default.
      void client.invalidateQueries({ queryKey: queryKeys.chatsAll });
    },
  });
}
