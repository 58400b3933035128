// Middle column: the selected chat's messages, oldest at the top and newest at the bottom, in a
// polite live log. Follows new messages while the reader is at the bottom; "load older" keeps
// the reading position. While a model writes a reply, its text so far shows in a "typing" bubble
// at the bottom. With history filters set, it shows the filtered search instead.
import { useLayoutEffect, useMemo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { usePermission } from '@/hooks/use-permissions';
import type { Message } from '@/lib/api/client';
import { useChatMessages } from '../api/list-messages';
import { useMessageSearch } from '../api/search-messages';
import { useLlmStreams } from '../hooks/use-llm-streams';
import { EMPTY_FILTERS, hasFilters, type HistoryFilters } from '../utils/history-filters';
import { MessageActions } from './message-actions';
import { MessageItem } from './message-item';
import { TypingBubbles } from './typing-bubbles';

const STICK_TO_BOTTOM_PX = 80;

type MessageStreamProps = { chatId: number; chatName: string; filters?: HistoryFilters };

export function MessageStream({ chatId, chatName, filters = EMPTY_FILTERS }: MessageStreamProps) {
  const debounced = useDebouncedValue(filters, 300);
  return hasFilters(debounced) ? (
    <FilteredStream chatId={chatId} chatName={chatName} filters={debounced} />
  ) : (
    <LiveStream chatId={chatId} chatName={chatName} />
  );
}

function MessageList({ items }: { items: Message[] }) {
  const canModerate = usePermission('moderate');
  return (
    <ol className="space-y-2">
      {items.map((message) => (
        <li key={message.id}>
          <MessageItem
            message={message}
            actions={canModerate ? <MessageActions message={message} /> : undefined}
          />
        </li>
      ))}
    </ol>
  );
}

function FilteredStream({
  chatId,
  chatName,
  filters,
}: {
  chatId: number;
  chatName: string;
  filters: HistoryFilters;
}) {
  const { t } = useTranslation();
  const search = useMessageSearch(chatId, filters);
  const items = useMemo(
    () => (search.data?.pages.flatMap((page) => page.items) ?? []).sort((a, b) => a.id - b.id),
    [search.data],
  );
  return (
    <div
      role="log"
      aria-label={t('messages.filteredLabel', { chat: chatName })}
      tabIndex={0}
      className="min-h-0 flex-1 overflow-y-auto bg-neutral-50 px-4 py-3 outline-none focus-visible:ring-2 focus-visible:ring-neutral-300 focus-visible:ring-inset"
    >
      {search.isPending ? (
        <p className="text-sm text-neutral-500">{t('messages.loading')}</p>
      ) : items.length === 0 ? (
        <p className="text-sm text-neutral-500">{t('messages.noMatches')}</p>
      ) : (
        <>
          <div className="mb-3 flex justify-center">
            {search.hasNextPage ? (
              <Button
                variant="secondary"
                onClick={() => void search.fetchNextPage()}
                disabled={search.isFetchingNextPage}
              >
                {t('messages.loadOlder')}
              </Button>
            ) : (
              <p className="text-xs text-neutral-400">
                {t('messages.matches', { count: items.length })}
              </p>
            )}
          </div>
          <MessageList items={items} />
        </>
      )}
    </div>
  );
}

function LiveStream({ chatId, chatName }: { chatId: number; chatName: string }) {
  const { t } = useTranslation();
  const messages = useChatMessages(chatId);
  const items = messages.data?.items;
  const scroller = useRef<HTMLDivElement>(null);
  const snapshot = useRef<{ firstId: number; lastId: number; height: number; atBottom: boolean }>(
    null,
  );

  // Runs before paint after each change of the message window.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !items) return;
    const firstId = items[0]?.id ?? 0;
    const lastId = items[items.length - 1]?.id ?? 0;
    const before = snapshot.current;
    if (!before) {
      el.scrollTop = el.scrollHeight;
    } else if (firstId < before.firstId && lastId === before.lastId) {
      el.scrollTop += el.scrollHeight - before.height;
    } else if (lastId > before.lastId && before.atBottom) {
      el.scrollTop = el.scrollHeight;
    }
    snapshot.current = { firstId, lastId, height: el.scrollHeight, atBottom: isAtBottom(el) };
  }, [items]);

  // A growing "typing" bubble keeps the reader at the bottom if they were there.
  const streams = useLlmStreams(chatId);
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !snapshot.current?.atBottom) return;
    el.scrollTop = el.scrollHeight;
    snapshot.current = { ...snapshot.current, height: el.scrollHeight };
  }, [streams]);

  const onScroll = () => {
    const el = scroller.current;
    if (el && snapshot.current) {
      snapshot.current = { ...snapshot.current, height: el.scrollHeight, atBottom: isAtBottom(el) };
    }
  };

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      role="log"
      aria-live="polite"
      aria-relevant="additions"
      aria-label={t('messages.streamLabel', { chat: chatName })}
      tabIndex={0}
      className="min-h-0 flex-1 overflow-y-auto bg-neutral-50 px-4 py-3 outline-none focus-visible:ring-2 focus-visible:ring-neutral-300 focus-visible:ring-inset"
    >
      {messages.isPending ? (
        <p className="text-sm text-neutral-500">{t('messages.loading')}</p>
      ) : !items || items.length === 0 ? (
        <>
          <p className="text-sm text-neutral-500">{t('messages.empty')}</p>
          <TypingBubbles chatId={chatId} />
        </>
      ) : (
        <>
          <div className="mb-3 flex justify-center">
            {messages.hasOlder ? (
              <Button
                variant="secondary"
                onClick={() => void messages.loadOlder()}
                disabled={messages.loadingOlder}
              >
                {messages.loadingOlder ? t('messages.loading') : t('messages.loadOlder')}
              </Button>
            ) : (
              <p className="text-xs text-neutral-400">{t('messages.startOfHistory')}</p>
            )}
          </div>
          <MessageList items={items} />
          <TypingBubbles chatId={chatId} />
        </>
      )}
    </div>
  );
}

function isAtBottom(el: HTMLElement): boolean {
  return el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_TO_BOTTOM_PX;
}
