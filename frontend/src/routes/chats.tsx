// /chats/:chatId?: chat list on the left; the selected chat's header, history filters, stream
// and composer in the middle; its controls panel on the right. Below 768 px the list is a
// "Chats" drawer (or the whole screen while no chat is chosen); below 1280 px the controls panel
// is a "Controls" drawer. Every pane scrolls inside itself. (The simulator is the header's.)
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { Button } from '@/components/ui/button';
import { Drawer } from '@/components/ui/drawer';
import { ChatControlsPanel } from '@/features/chat-controls/components/chat-controls-panel';
import { chatListQueryOptions } from '@/features/chats/api/list-chats';
import { ChatHeader } from '@/features/chats/components/chat-header';
import { ChatList } from '@/features/chats/components/chat-list';
import { useCachedChat } from '@/lib/cache/use-cached-chat';
import { Composer } from '@/features/messages/components/composer';
import { HistoryFiltersBar } from '@/features/messages/components/history-filters';
import { MessageStream } from '@/features/messages/components/message-stream';
import { useHistoryFiltersUrl } from '@/features/messages/hooks/use-history-filters-url';
import { BREAKPOINTS, useMediaQuery } from '@/hooks/use-media-query';
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
  // History filters live in the URL (?q=&user=&from=&to=), so a filtered view can be shared.
  const [filters, setFilters] = useHistoryFiltersUrl();
  // "Only for this message": armed in the controls panel, used by the composer's next reply as bot.
  const [oneOff, setOneOff] = useState<Params | null>(null);
  // Side panes from their breakpoint up; below it, each opens in a drawer from a button.
  const listBeside = useMediaQuery(BREAKPOINTS.md);
  const controlsBeside = useMediaQuery(BREAKPOINTS.xl);
  const [chatsOpen, setChatsOpen] = useState(false);
  const [controlsOpen, setControlsOpen] = useState(false);
  // The open chat comes from the chat list's cache; while the list is folded into its drawer the
  // default list still loads, so the chat's name and switches are known.
  useQuery({ ...chatListQueryOptions(''), enabled: !listBeside && chatId !== null });

  const chatList = <ChatList selectedChatId={chatId} chatHref={(id) => `/chats/${id}`} />;
  const controls =
    chatId !== null ? (
      <ChatControlsPanel
        chatId={chatId}
        chat={chat}
        userId={filters.userId ?? undefined}
        oneOff={oneOff}
        onOneOffChange={setOneOff}
      />
    ) : null;

  // Below 768 px with no chat chosen, the list is the whole screen.
  if (!listBeside && chatId === null) {
    return (
      <div className="flex min-h-0 flex-1 flex-col bg-white">
        <h2 className="sr-only">{t('chats.heading')}</h2>
        {chatList}
      </div>
    );
  }

  return (
    <div className="flex min-h-0 flex-1">
      {listBeside ? (
        <aside className="flex w-64 shrink-0 flex-col border-r border-neutral-200 bg-white lg:w-72">
          <h2 className="sr-only">{t('chats.heading')}</h2>
          {chatList}
        </aside>
      ) : null}
      <main className="flex min-h-0 min-w-0 flex-1 flex-col">
        {chatId === null ? (
          <div className="flex flex-1 items-center justify-center text-sm text-neutral-500">
            {t('messages.selectChat')}
          </div>
        ) : (
          <>
            <div className="flex shrink-0 items-center border-b border-neutral-200 bg-white">
              {listBeside ? null : (
                <Button
                  variant="ghost"
                  size="sm"
                  className="ml-1 shrink-0"
                  aria-expanded={chatsOpen}
                  onClick={() => setChatsOpen(true)}
                >
                  <span aria-hidden="true">‹</span> {t('layout.chats')}
                </Button>
              )}
              {/* The header's own bottom border is this row's. */}
              <div className="min-w-0 flex-1 [&>*]:border-b-0">
                <ChatHeader chatId={chatId} chat={chat} />
              </div>
              {controlsBeside ? null : (
                <Button
                  variant="secondary"
                  size="sm"
                  className="mr-2 shrink-0"
                  aria-expanded={controlsOpen}
                  onClick={() => setControlsOpen(true)}
                >
                  {t('layout.controls')}
                </Button>
              )}
            </div>
            <HistoryFiltersBar value={filters} onChange={setFilters} chatId={chatId} />
            <MessageStream
              chatId={chatId}
              chatName={(chat && chatDisplayName(chat)) ?? t('chats.untitled', { id: chatId })}
              filters={filters}
            />
            <Composer chatId={chatId} override={oneOff} onBotReplySent={() => setOneOff(null)} />
          </>
        )}
      </main>
      {controlsBeside && controls ? (
        <aside
          aria-label={t('controls.panel')}
          className="relative w-[22rem] shrink-0 overflow-y-auto border-l border-neutral-200 bg-white 2xl:w-96"
        >
          {controls}
        </aside>
      ) : null}
      {listBeside ? null : (
        <Drawer open={chatsOpen} onOpenChange={setChatsOpen} side="left" title={t('chats.heading')}>
          <div className="flex h-full flex-col">{chatList}</div>
        </Drawer>
      )}
      {controlsBeside || !controls ? null : (
        <Drawer
          open={controlsOpen}
          onOpenChange={setControlsOpen}
          side="right"
          title={t('controls.panel')}
          className="w-96"
        >
          {controls}
        </Drawer>
      )}
    </div>
  );
}
