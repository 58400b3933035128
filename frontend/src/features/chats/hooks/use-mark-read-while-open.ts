// The open chat is read: marks it read for this admin when it opens, and again whenever a new
// user message raises its unread count while it stays open.
import { useEffect, useRef } from 'react';
import { useMarkChatRead } from '../api/mark-chat-read';

export function useMarkReadWhileOpen(chatId: number, unreadCount: number | undefined) {
  const { mutate } = useMarkChatRead();
  const marked = useRef<number | null>(null);
  useEffect(() => {
    // Once per opened chat, then only while something is unread.
    if (marked.current === chatId && !unreadCount) return;
    marked.current = chatId;
    mutate(chatId);
  }, [chatId, unreadCount, mutate]);
}
