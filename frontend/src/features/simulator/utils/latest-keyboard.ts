// The reply keyboard a Telegram user would see in a chat: the one sent with the bot's latest
// message that carried a reply keyboard (Telegram keeps showing it until another replaces it).
import type { Message } from '@/lib/api/client';

export type KeyboardButton = { text: string };

/** Rows of button labels from the newest outgoing message with a non-empty `keyboard`; null when none. */
export function latestKeyboard(items: readonly Message[]): KeyboardButton[][] | null {
  for (let i = items.length - 1; i >= 0; i--) {
    const message = items[i];
    if (message?.direction !== 'out') continue;
    const rows = message.reply_markup?.keyboard?.filter((row) => row.length > 0) ?? [];
    if (rows.length > 0) return rows;
  }
  return null;
}
