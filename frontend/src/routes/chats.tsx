// /chats/:chatId?: chat list on the left; the selected chat's header, history filters, stream
// and composer in the middle; its controls panel (and the simulator) on the right.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ChatControlsPanel } from '@/features/chat-controls/components/chat-controls-panel';
import { ChatHeader } from '@/features/chats/components/chat-header';
import { ChatList } from '@/features/chats/components/chat-list';
import { useCachedChat } from '@/features/chats/hooks/use-cached-chat';
import { Composer } from '@/features/messages/components/composer';
import { HistoryFiltersBar } from '@/features/messages/components/history-filters';
import { MessageStream } from '@/features/messages/components/message-stream';
import { EMPTY_FILTERS, type HistoryFilters } from '@/features/messages/utils/history-filters';
import { SimulatorPanel } from '@/features/simulator/components/simulator-panel';
import { usePermission } from '@/hooks/use-permissions';
import type { Params } from '@/lib/api/behaviour';
import { chatDisplayName } from '@/lib/utils/format';

function parseChatId(param: string | undefined): number | null {
  return param !== undefined && /^-?\d{1,16}$/.test(param) ? Number(param) : null;
}

export function ChatsRoute() {
  const chatId = parseChatId(useParams().chatId);
  // A fresh filter set per chat.
  return <ChatsScreen key={chatId ?? 'none'} chatId={chatId} />;
}

function ChatsScreen({ chatId }: { chatId: number | null }) {
  const { t } = useTranslation();
  const chat = useCachedChat(chatId);
  const [filters, setFilters] = useState<HistoryFilters>(EMPTY_FILTERS);
  // "Only for this message": armed in the controls panel, used by the composer's next reply as bot.
  const [oneOff, setOneOff] = useState<Params | null>(null);
  const canSimulate = usePermission('configure');

  return (
    <div className="flex min-h-0 flex-1">
      <aside className="flex w-72 shrink-0 flex-col border-r border-neutral-200 bg-white">
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
            <HistoryFiltersBar value={filters} onChange={setFilters} />
            <MessageStream
              chatId={chatId}
              chatName={(chat && chatDisplayName(chat)) ?? t('chats.untitled', { id: chatId })}
              filters={filters}
            />
            <Composer chatId={chatId} override={oneOff} onBotReplySent={() => setOneOff(null)} />
          </>
        )}
      </main>
      <aside
        aria-label={t('controls.panel')}
        className="hidden w-80 shrink-0 overflow-y-auto border-l border-neutral-200 bg-white lg:block"
      >
        {chatId !== null ? (
          <ChatControlsPanel
            chatId={chatId}
            chat={chat}
            userId={filters.userId ?? undefined}
            oneOff={oneOff}
            onOneOffChange={setOneOff}
          />
        ) : null}
        {canSimulate ? (
          <details className="border-t border-neutral-200" open>
            <summary className="cursor-pointer px-4 py-2 text-xs font-semibold tracking-wide text-neutral-500 uppercase select-none">
              {t('simulator.title')}
            </summary>
            <SimulatorPanel defaultChatId={chatId} />
          </details>
        ) : null}
      </aside>
    </div>
  );
}
