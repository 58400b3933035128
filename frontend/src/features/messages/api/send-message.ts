// POST /api/messages: a manual reply as the admin or as the bot. The server stores it as an
// outgoing `queued` message, queues the Telegram send and pauses auto-reply (takeover); the
// answer goes straight into the chat's window so it shows before the live event arrives.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SendInput } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap, type Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { addMessages, type MessageWindow } from '@/lib/cache/messages';

export async function sendMessage(body: SendInput): Promise<Message> {
  return unwrap(await api.POST('/api/messages', { params: { header: csrfHeader() }, body }));
}

export function mergeMessage(client: ReturnType<typeof useQueryClient>, message: Message) {
  if (message.chat_id === null) return; // a console-only round-table turn: no chat window
  client.setQueryData(queryKeys.messages(message.chat_id), (current: MessageWindow | undefined) =>
    current ? addMessages(current, [message]) : current,
  );
}

export function useSendMessage() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: sendMessage,
    // The preview dialog shows the failure next to the text.
    meta: { handlesErrors: true },
    onSuccess: (message) => {
      mergeMessage(client, message);
      // Sending starts a takeover: the chat's switches and effective params change.
      void client.invalidateQueries({ queryKey: queryKeys.chatsAll });
    },
  });
}
