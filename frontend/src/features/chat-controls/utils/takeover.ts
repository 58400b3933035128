// Whether a chat is under a human takeover (auto-reply paused) at a given moment.
import type { Chat } from '@/lib/api/client';

export function isUnderTakeover(chat: Pick<Chat, 'takeover_until'>, now = Date.now()): boolean {
  return chat.takeover_until !== null && Date.parse(chat.takeover_until) > now;
}
