// /chats/:chatId?: chat list on the left, the selected chat's stream in the middle and the
// simulator on the right.
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ChatHeader } from '@/features/chats/components/chat-header';
import { ChatList } from '@/features/chats/components/chat-list';
import { useCachedChat } from '@/features/chats/hooks/use-cached-chat';
import { MessageStream } from '@/features/messages/components/message-stream';
import { SimulatorPanel } from '@/features/simulator/components/simulator-panel';
import { chatDisplayName } from '@/lib/utils/format';

function parseChatId(param: string | undefined): number | null {
  return param !== undefined && /^-?\d{1,16}$/.test(param) ? Number(param) : null;
}

export function ChatsRoute() {
  const { t } = useTranslation();
  const chatId = parseChatId(useParams().chatId);
  const chat = useCachedChat(chatId);

  return (
    <div className="flex min-h-0 flex-1">
      <aside className="flex w-80 shrink-0 flex-col border-r border-neutral-200 bg-white">
        <h2 className="sr-only">{t('chats.heading')}</h2>
        <ChatList selectedChatId={chatId} chatHref={(id) => `/chats/${id}`} />
      </aside>
      <main className="flex min-w-0 flex-1 flex-col">
        {chatId === null ? (
          <div className="flex flex-1 items-center justify-center text-sm text-neutral-500">
            {t('messages.selectChat')}
          </div>
        ) : (
          <>
            <ChatHeader chatId={chatId} chat={chat} />
            <MessageStream
              key={chatId}
              chatId={chatId}
              chatName={(chat && chatDisplayName(chat)) ?? t('chats.untitled', { id: chatId })}
            />
          </>
        )}
      </main>
      <aside className="hidden w-80 shrink-0 overflow-y-auto border-l border-neutral-200 bg-white lg:block">
        <SimulatorPanel key={chatId ?? 'none'} defaultChatId={chatId} />
      </aside>
    </div>
  );
}
