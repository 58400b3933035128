// Left column: chat search, the filter toggles (a group of aria-pressed buttons), and the chat
// list ordered by last activity — a navigation landmark of links, the selected one marked
// aria-current, each with its unread, mention and flagged badges. The list is virtualised
// (@tanstack/react-virtual): only the rows in view are in the DOM, so 10,000 chats scroll as
// smoothly as 50, and scrolling near the end fetches the next page through the cursor.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import type { Chat } from '@/lib/api/client';
import { FALLBACK_RECT, observeRectWithFallback } from '@/lib/utils/virtual-rect';
import { cn } from '@/lib/utils/cn';
import { chatDisplayName, formatChatTime } from '@/lib/utils/format';
import { useChatList } from '../api/list-chats';
import {
  CHAT_FILTER_TOGGLES,
  isPressed,
  toggleFilter,
  type ChatFilters,
} from '../utils/chat-filters';

/** A row's height before it is measured (name, badges and preview lines). */
const ROW_ESTIMATE_PX = 82;
/** Fetch the next page when this many loaded rows are left below the viewport. */
const PREFETCH_ROWS = 30;

type ChatListProps = {
  selectedChatId: number | null;
  chatHref: (chatId: number) => string;
};

export function ChatList({ selectedChatId, chatHref }: ChatListProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const [filters, setFilters] = useState<ChatFilters>({});
  const q = useDebouncedValue(search.trim());
  const chats = useChatList(q, filters);
  const items = chats.data?.items ?? [];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="space-y-2 border-b border-neutral-200 p-3">
        <label htmlFor="chat-search" className="sr-only">
          {t('chats.search')}
        </label>
        <Input
          id="chat-search"
          type="search"
          placeholder={t('chats.searchPlaceholder')}
          value={search}
          onChange={(e) => setSearch(e.target.value)}
        />
        <ChatFilterToggles value={filters} onChange={setFilters} />
      </div>
      {chats.isPending ? (
        <p className="p-4 text-sm text-neutral-500">{t('chats.loading')}</p>
      ) : items.length === 0 ? (
        <nav aria-label={t('chats.heading')} className="min-h-0 flex-1">
          <p className="p-4 text-sm text-neutral-500">{t('chats.empty')}</p>
        </nav>
      ) : (
        <VirtualChatList
          items={items}
          selectedChatId={selectedChatId}
          chatHref={chatHref}
          hasMore={chats.hasMore}
          loadingMore={chats.loadingMore}
          loadMore={chats.loadMore}
        />
      )}
    </div>
  );
}

function ChatFilterToggles({
  value,
  onChange,
}: {
  value: ChatFilters;
  onChange: (filters: ChatFilters) => void;
}) {
  const { t } = useTranslation();
  return (
    <div role="group" aria-label={t('chats.filters.label')} className="flex flex-wrap gap-1">
      {CHAT_FILTER_TOGGLES.map((toggle) => {
        const pressed = isPressed(value, toggle);
        return (
          <button
            key={toggle}
            type="button"
            aria-pressed={pressed}
            onClick={() => onChange(toggleFilter(value, toggle))}
            className={cn(
              'rounded-full border px-2 py-0.5 text-[11px] leading-4 font-medium transition-colors',
              'focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-neutral-500',
              pressed
                ? 'border-neutral-900 bg-neutral-900 text-white'
                : 'border-neutral-300 bg-white text-neutral-700 hover:bg-neutral-50',
            )}
          >
            {t(`chats.filters.${toggle}`)}
          </button>
        );
      })}
    </div>
  );
}

type VirtualChatListProps = {
  items: Chat[];
  selectedChatId: number | null;
  chatHref: (chatId: number) => string;
  hasMore: boolean;
  loadingMore: boolean;
  loadMore: () => Promise<void>;
};

function VirtualChatList({
  items,
  selectedChatId,
  chatHref,
  hasMore,
  loadingMore,
  loadMore,
}: VirtualChatListProps) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is used as documented
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 6,
    initialRect: FALLBACK_RECT,
    observeElementRect: observeRectWithFallback,
  });
  const rows = virtualizer.getVirtualItems();
  const lastShown = rows[rows.length - 1]?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastShown >= items.length - PREFETCH_ROWS) void loadMore();
  }, [hasMore, loadingMore, lastShown, items.length, loadMore]);

  return (
    <nav
      ref={scroller}
      aria-label={t('chats.heading')}
      data-testid="chat-list-scroller"
      className="min-h-0 flex-1 overflow-y-auto [overflow-anchor:none]"
    >
      <ul className="relative w-full" style={{ height: virtualizer.getTotalSize() }}>
        {rows.map((row) => {
          const chat = items[row.index]!;
          return (
            <li
              key={row.key}
              data-index={row.index}
              ref={virtualizer.measureElement}
              aria-setsize={hasMore ? -1 : items.length}
              aria-posinset={row.index + 1}
              className="absolute top-0 left-0 w-full border-b border-neutral-100"
              style={{ transform: `translateY(${row.start}px)` }}
            >
              <ChatListItem
                chat={chat}
                selected={chat.id === selectedChatId}
                href={chatHref(chat.id)}
              />
            </li>
          );
        })}
      </ul>
      {hasMore ? (
        <div className="p-3">
          <Button
            variant="secondary"
            className="w-full"
            onClick={() => void loadMore()}
            disabled={loadingMore}
          >
            {loadingMore ? t('chats.loading') : t('chats.loadMore')}
          </Button>
        </div>
      ) : null}
    </nav>
  );
}

function CountBadge({
  count,
  label,
  className,
}: {
  count: number;
  label: string;
  className: string;
}) {
  if (count <= 0) return null;
  return (
    <span
      title={label}
      className={cn(
        'inline-flex h-4 min-w-4 items-center justify-center rounded-full px-1 text-[10px] leading-none font-semibold tabular-nums',
        className,
      )}
    >
      <span aria-hidden="true">{count > 999 ? '999+' : count}</span>
      <span className="sr-only">{label}</span>
    </span>
  );
}

function ChatListItem({ chat, selected, href }: { chat: Chat; selected: boolean; href: string }) {
  const { t, i18n } = useTranslation();
  const name = chatDisplayName(chat) ?? t('chats.untitled', { id: chat.id });
  const unread = chat.unread_count ?? 0;
  return (
    <Link
      to={href}
      aria-current={selected ? 'page' : undefined}
      data-unread={unread > 0 || undefined}
      className={cn(
        'block px-4 py-3 text-left outline-none focus-visible:bg-neutral-100',
        selected
          ? 'bg-neutral-100 shadow-[inset_3px_0_0_0_var(--color-neutral-900)]'
          : 'hover:bg-neutral-50',
      )}
    >
      <div className="flex items-baseline justify-between gap-2">
        <span
          className={cn(
            'truncate text-sm text-neutral-900',
            unread > 0 ? 'font-semibold' : 'font-medium',
          )}
        >
          {name}
        </span>
        {chat.last_message_at ? (
          <time
            dateTime={chat.last_message_at}
            className="shrink-0 text-xs text-neutral-500 tabular-nums"
          >
            {formatChatTime(chat.last_message_at, i18n.language)}
          </time>
        ) : null}
      </div>
      <div className="mt-0.5 flex items-center gap-1.5">
        {/* On the grey selected row a grey badge would vanish into the background. */}
        <Badge className={selected ? 'bg-white' : undefined}>{t(`chats.type.${chat.type}`)}</Badge>
        {chat.username && chat.title ? (
          <span className="truncate text-xs text-neutral-500">@{chat.username}</span>
        ) : null}
        <span className="ml-auto flex shrink-0 items-center gap-1">
          <CountBadge
            count={chat.mention_count ?? 0}
            label={t('chats.mentionBadge', { count: chat.mention_count ?? 0 })}
            className="bg-amber-100 text-amber-900 before:content-['@']"
          />
          <CountBadge
            count={chat.flagged_count ?? 0}
            label={t('chats.flaggedBadge', { count: chat.flagged_count ?? 0 })}
            className="bg-orange-100 text-orange-900 before:content-['⚑']"
          />
          <CountBadge
            count={unread}
            label={t('chats.unreadBadge', { count: unread })}
            className="bg-sky-600 text-white"
          />
        </span>
      </div>
      <p className="mt-1 truncate text-xs text-neutral-600">
        {chat.last_message_text ?? t('chats.noMessages')}
      </p>
    </Link>
  );
}
