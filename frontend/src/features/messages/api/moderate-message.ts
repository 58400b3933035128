// POST /api/messages/{id}/flag|unflag|delete: manual moderation. Each answers the updated
// message, which replaces the cached one.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap, type Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import type { MessageWindow } from '@/lib/cache/messages';

export type ModerationCommand =
  | { action: 'flag'; id: number; label?: string }
  | { action: 'unflag'; id: number }
  | { action: 'delete'; id: number };

export async function moderateMessage(command: ModerationCommand): Promise<Message> {
  const path = { id: command.id };
  switch (command.action) {
    case 'flag':
      return unwrap(
        await api.POST('/api/messages/{id}/flag', {
          params: { path, header: csrfHeader() },
          body: command.label ? { label: command.label } : {},
        }),
      );
    case 'unflag':
      return unwrap(
        await api.POST('/api/messages/{id}/unflag', { params: { path, header: csrfHeader() } }),
      );
    case 'delete':
      return unwrap(
        await api.POST('/api/messages/{id}/delete', { params: { path, header: csrfHeader() } }),
      );
  }
}

export function useModerateMessage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: moderateMessage,
    onSuccess: (message) => {
      // Replace in place: moderation is not an edit, so bypass the "more edited wins" rule.
      if (message.chat_id !== null) {
        client.setQueryData(
          queryKeys.messages(message.chat_id),
          (current: MessageWindow | undefined) =>
            current
              ? {
                  ...current,
                  items: current.items.map((m) => (m.id === message.id ? message : m)),
                }
              : current,
        );
      }
      void client.invalidateQueries({ queryKey: queryKeys.messageSearchAll });
    },
  });
}
