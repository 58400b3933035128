// Title bar above the message stream: the selected chat's name, type, username and id, and,
// while a round-table session awaits its topic or runs in the chat, a link to that session.
// An open chat is marked read for this admin (and again as new user messages arrive).
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import type { Chat } from '@/lib/api/client';
import { chatDisplayName } from '@/lib/utils/format';
import { useMarkReadWhileOpen } from '../hooks/use-mark-read-while-open';

export function ChatHeader({ chatId, chat }: { chatId: number; chat: Chat | undefined }) {
  const { t } = useTranslation();
  const name = (chat && chatDisplayName(chat)) ?? t('chats.untitled', { id: chatId });
  const sessionId = chat?.session_id ?? null;
  useMarkReadWhileOpen(chatId, chat?.unread_count);
  return (
    <div className="flex items-center gap-3 border-b border-neutral-200 bg-white px-4 py-3">
      <h2
        title={t('messages.chatId', { id: chatId })}
        className="min-w-0 truncate text-base font-semibold text-neutral-900"
      >
        {name}
      </h2>
      {chat ? <Badge>{t(`chats.type.${chat.type}`)}</Badge> : null}
      {chat?.username && chat.title ? (
        <span className="hidden truncate text-sm text-neutral-500 sm:inline">@{chat.username}</span>
      ) : null}
      {sessionId !== null ? (
        <p
          data-testid="chat-session"
          className="flex shrink-0 items-center gap-1.5 rounded-full bg-violet-50 px-2.5 py-0.5 text-xs text-violet-900 ring-1 ring-violet-200"
        >
          <span aria-hidden="true" className="size-1.5 rounded-full bg-violet-500" />
          <span>{t('chats.sessionRunning')}</span>
          <span aria-hidden="true">→</span>
          <Link
            to={`/sessions/${sessionId}`}
            className="font-medium text-violet-800 underline-offset-2 hover:underline"
          >
            {t('chats.sessionLink', { id: sessionId })}
          </Link>
        </p>
      ) : null}
      {/* on a phone the title needs the room; the id is then its tooltip */}
      <span className="ml-auto hidden shrink-0 font-mono text-xs text-neutral-500 sm:inline">
        {t('messages.chatId', { id: chatId })}
      </span>
    </div>
  );
}
