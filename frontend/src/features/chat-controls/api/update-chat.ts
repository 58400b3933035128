// PATCH /api/chats/{id} (auto-reply, reply-on-mention, provider), POST .../takeover and
// .../resume. The answered chat goes straight into every cached chat list.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap, type Chat, type Schemas } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { putChatInLists } from '@/lib/cache/chat-lists';

export type ChatSwitches = Schemas['ChatPatch'];

export async function updateChat(chatId: number, body: ChatSwitches): Promise<Chat> {
  return unwrap(
    await api.PATCH('/api/chats/{id}', {
      params: { path: { id: chatId }, header: csrfHeader() },
      body,
    }),
  );
}

export async function takeoverChat(chatId: number, minutes?: number): Promise<Chat> {
  return unwrap(
    await api.POST('/api/chats/{id}/takeover', {
      params: { path: { id: chatId }, header: csrfHeader() },
      body: minutes ? { minutes } : {},
    }),
  );
}

export async function resumeChat(chatId: number): Promise<Chat> {
  return unwrap(
    await api.POST('/api/chats/{id}/resume', {
      params: { path: { id: chatId }, header: csrfHeader() },
    }),
  );
}

function useChatMutation<V>(fn: (vars: V) => Promise<Chat>) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (chat) => {
      putChatInLists(client, chat);
      void client.invalidateQueries({ queryKey: queryKeys.explain });
    },
  });
}

export function useUpdateChat(chatId: number) {
  return useChatMutation((body: ChatSwitches) => updateChat(chatId, body));
}

export function useTakeover(chatId: number) {
  return useChatMutation((minutes?: number) => takeoverChat(chatId, minutes));
}

export function useResume(chatId: number) {
  return useChatMutation(() => resumeChat(chatId));
}
