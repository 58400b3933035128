// Title bar above the message stream: the selected chat's name, type, username and id.
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import type { Chat } from '@/lib/api/client';
import { chatDisplayName } from '@/lib/utils/format';

export function ChatHeader({ chatId, chat }: { chatId: number; chat: Chat | undefined }) {
  const { t } = useTranslation();
  const name = (chat && chatDisplayName(chat)) ?? t('chats.untitled', { id: chatId });
  return (
    <div className="flex items-center gap-3 border-b border-neutral-200 bg-white px-4 py-3">
      <h2 className="truncate text-base font-semibold text-neutral-900">{name}</h2>
      {chat ? <Badge>{t(`chats.type.${chat.type}`)}</Badge> : null}
      {chat?.username && chat.title ? (
        <span className="truncate text-sm text-neutral-500">@{chat.username}</span>
      ) : null}
      <span className="ml-auto shrink-0 font-mono text-xs text-neutral-500">
        {t('messages.chatId', { id: chatId })}
      </span>
    </div>
  );
}
