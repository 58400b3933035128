// Middle column: the selected chat's messages, oldest at the top and newest at the bottom, in a
// polite live log. The rows are virtualised (@tanstack/react-virtual, measured as they render),
// so 100,000 loaded messages cost the DOM of a screenful. Follows new messages (and a growing
// "typing" bubble) while the reader is at the bottom; scrolling near the top loads older history
// through the cursor and keeps the reading position ("load older" stays for the keyboard). While
// a model writes a reply, its text so far shows in a "typing" bubble at the bottom. With history
// filters set, it shows the filtered search instead, laid out the same way. A link ending in
// #message-<id> (a mention toast's "Open") scrolls that message into the middle and marks it.
import { useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { Button } from '@/components/ui/button';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { usePermission } from '@/hooks/use-permissions';
import type { Message } from '@/lib/api/client';
import { FALLBACK_RECT, observeRectWithFallback } from '@/lib/utils/virtual-rect';
import { useChatMessages } from '../api/list-messages';
import { useMessageSearch } from '../api/search-messages';
import { useLlmStreams } from '../hooks/use-llm-streams';
import { EMPTY_FILTERS, hasFilters, type HistoryFilters } from '../utils/history-filters';
import { MessageActions } from './message-actions';
import { MessageItem } from './message-item';
import { TypingBubbles } from './typing-bubbles';

const STICK_TO_BOTTOM_PX = 80;
/** A message card's height before it is measured. */
const ROW_ESTIMATE_PX = 96;

type MessageStreamProps = { chatId: number; chatName: string; filters?: HistoryFilters };

export function MessageStream({ chatId, chatName, filters = EMPTY_FILTERS }: MessageStreamProps) {
  const debounced = useDebouncedValue(filters, 300);
  return hasFilters(debounced) ? (
    <FilteredStream chatId={chatId} chatName={chatName} filters={debounced} />
  ) : (
    <LiveStream chatId={chatId} chatName={chatName} />
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
  const { fetchNextPage } = search;
  const loadOlder = useCallback(() => void fetchNextPage(), [fetchNextPage]);
  return (
    <VirtualStream
      label={t('messages.filteredLabel', { chat: chatName })}
      live={false}
      pending={search.isPending}
      empty={t('messages.noMatches')}
      items={items}
      hasOlder={search.hasNextPage}
      loadingOlder={search.isFetchingNextPage}
      loadOlder={loadOlder}
      start={t('messages.matches', { count: items.length })}
    />
  );
}

function LiveStream({ chatId, chatName }: { chatId: number; chatName: string }) {
  const { t } = useTranslation();
  const messages = useChatMessages(chatId);
  const streams = useLlmStreams(chatId);
  const { loadOlder } = messages;
  const older = useCallback(() => void loadOlder(), [loadOlder]);
  const focusId = /^#message-(\d{1,18})$/.exec(useLocation().hash)?.[1];
  return (
    <VirtualStream
      label={t('messages.streamLabel', { chat: chatName })}
      focusId={focusId === undefined ? null : Number(focusId)}
      live
      pending={messages.isPending}
      empty={t('messages.empty')}
      items={messages.data?.items ?? []}
      hasOlder={messages.hasOlder}
      loadingOlder={messages.loadingOlder}
      loadOlder={older}
      start={t('messages.startOfHistory')}
      footer={<TypingBubbles chatId={chatId} />}
      footerVersion={streams}
    />
  );
}

type VirtualStreamProps = {
  label: string;
  /** The chat's own stream: announced politely as it grows. */
  live: boolean;
  pending: boolean;
  empty: string;
  items: Message[];
  hasOlder: boolean;
  loadingOlder: boolean;
  loadOlder: () => void;
  /** Shown above the oldest message once the whole history is loaded. */
  start: string;
  /** Below the newest message (the typing bubbles); followed like a new message. */
  footer?: ReactNode;
  /** Changes whenever the footer grows. */
  footerVersion?: unknown;
  /** A message to scroll to and mark (from the URL's #message-<id>). */
  focusId?: number | null;
};

function VirtualStream({
  label,
  live,
  pending,
  empty,
  items,
  hasOlder,
  loadingOlder,
  loadOlder,
  start,
  footer,
  footerVersion,
  focusId = null,
}: VirtualStreamProps) {
  const { t } = useTranslation();
  const canModerate = usePermission('moderate');
  const scroller = useRef<HTMLDivElement>(null);
  // Where the reader was before the window changed: at the bottom (follow), or how far from the
  // bottom (kept when older history is prepended above).
  const view = useRef<{ firstId: number; lastId: number; atBottom: boolean; fromBottom: number }>(
    null,
  );

  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is used as documented
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    getItemKey: (index) => items[index]?.id ?? index,
    overscan: 8,
    initialRect: FALLBACK_RECT,
    observeElementRect: observeRectWithFallback,
  });
  const rows = virtualizer.getVirtualItems();
  const totalSize = virtualizer.getTotalSize();

  // Before paint after each change of the message window: the first load opens at the bottom;
  // older history prepended keeps what the reader sees; a new message is followed only by a
  // reader at the bottom.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = items[0]?.id ?? 0;
    const lastId = items[items.length - 1]?.id ?? 0;
    const before = view.current;
    if (!before || (before.lastId === 0 && lastId !== 0)) {
      toBottom(el, virtualizer, items.length);
    } else if (firstId < before.firstId && lastId === before.lastId && !before.atBottom) {
      el.scrollTop = el.scrollHeight - el.clientHeight - before.fromBottom;
    } else if (lastId > before.lastId && before.atBottom) {
      toBottom(el, virtualizer, items.length);
    }
    view.current = { firstId, lastId, ...position(el) };
  }, [items, virtualizer]);

  // Rows measured taller or shorter than estimated, and a growing "typing" bubble, keep a reader
  // at the bottom there.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !view.current?.atBottom) return;
    el.scrollTop = el.scrollHeight;
  }, [totalSize, footerVersion]);

  // Infinite scroll back: a reader within a screen of the top of what is loaded gets the page
  // before it, checked on every scroll and again when a page lands (also when the loaded
  // messages do not fill the screen yet).
  const maybeLoadOlder = () => {
    const el = scroller.current;
    if (el && hasOlder && !loadingOlder && items.length > 0 && el.scrollTop < el.clientHeight) {
      loadOlder();
    }
  };
  // The linked message, once it is loaded: scrolled to the middle (after the first-load jump to
  // the bottom above), once per link.
  const focused = useRef<number | null>(null);
  useEffect(() => {
    if (focusId === null || focused.current === focusId) return;
    const index = items.findIndex((m) => m.id === focusId);
    if (index < 0) return;
    focused.current = focusId;
    virtualizer.scrollToIndex(index, { align: 'center' });
    const el = scroller.current;
    if (el && view.current) view.current = { ...view.current, ...position(el) };
  }, [focusId, items, virtualizer]);

  const maybeLoadOlderRef = useRef(maybeLoadOlder);
  useLayoutEffect(() => {
    maybeLoadOlderRef.current = maybeLoadOlder;
  });
  useEffect(() => maybeLoadOlderRef.current(), [hasOlder, loadingOlder, items.length]);

  const onScroll = () => {
    const el = scroller.current;
    if (el && view.current) view.current = { ...view.current, ...position(el) };
    maybeLoadOlder();
  };

  return (
    <div
      ref={scroller}
      onScroll={onScroll}
      role="log"
      aria-live={live ? 'polite' : undefined}
      aria-relevant={live ? 'additions' : undefined}
      aria-label={label}
      tabIndex={0}
      data-testid="message-scroller"
      className="min-h-0 flex-1 overflow-y-auto bg-neutral-50 px-4 py-3 outline-none [overflow-anchor:none] focus-visible:ring-2 focus-visible:ring-neutral-300 focus-visible:ring-inset"
    >
      {pending ? (
        <p className="text-sm text-neutral-500">{t('messages.loading')}</p>
      ) : items.length === 0 ? (
        <>
          <p className="text-sm text-neutral-500">{empty}</p>
          {footer}
        </>
      ) : (
        <>
          <div className="mb-3 flex justify-center">
            {hasOlder ? (
              <Button variant="secondary" onClick={loadOlder} disabled={loadingOlder}>
                {loadingOlder ? t('messages.loading') : t('messages.loadOlder')}
              </Button>
            ) : (
              <p className="text-xs text-neutral-400">{start}</p>
            )}
          </div>
          <ol className="relative w-full" style={{ height: totalSize }}>
            {rows.map((row) => {
              const message = items[row.index]!;
              return (
                <li
                  key={row.key}
                  data-index={row.index}
                  ref={virtualizer.measureElement}
                  id={`message-${message.id}`}
                  data-focused={message.id === focusId || undefined}
                  className="absolute top-0 left-0 w-full rounded-lg pb-2 data-[focused]:ring-2 data-[focused]:ring-amber-400"
                  style={{ transform: `translateY(${row.start}px)` }}
                >
                  <MessageItem
                    message={message}
                    actions={canModerate ? <MessageActions message={message} /> : undefined}
                  />
                </li>
              );
            })}
          </ol>
          {footer}
        </>
      )}
    </div>
  );
}

function position(el: HTMLElement): { atBottom: boolean; fromBottom: number } {
  const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
  return { atBottom: fromBottom <= STICK_TO_BOTTOM_PX, fromBottom };
}

function toBottom(
  el: HTMLElement,
  virtualizer: Virtualizer<HTMLDivElement, Element>,
  count: number,
) {
  if (count > 0) virtualizer.scrollToIndex(count - 1, { align: 'end' });
  el.scrollTop = el.scrollHeight;
}
