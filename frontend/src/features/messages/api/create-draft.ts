// POST /api/chats/{id}/draft: ask the model for a reply without sending it. The answer is the
// draft in state `generating`; its text streams in as llm.delta frames carrying its id.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { Draft, DraftRequest } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function createDraft(chatId: number, body: DraftRequest): Promise<Draft> {
  return unwrap(
    await api.POST('/api/chats/{id}/draft', {
      params: { path: { id: chatId }, header: csrfHeader() },
      body,
    }),
  );
}

export function useCreateDraft() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ chatId, body }: { chatId: number; body: DraftRequest }) =>
      createDraft(chatId, body),
    // The reply preview shows the failure in place.
    meta: { handlesErrors: true },
    onSuccess: (draft) => client.setQueryData(queryKeys.draft(draft.id), draft),
  });
}
