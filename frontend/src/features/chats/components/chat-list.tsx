// Left column: chat search, the chat list (a navigation landmark of links, the selected one
// marked aria-current) and keyset "load more".
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import type { Chat } from '@/lib/api/client';
import { cn } from '@/lib/utils/cn';
import { chatDisplayName, formatChatTime } from '@/lib/utils/format';
import { useChatList } from '../api/list-chats';

type ChatListProps = {
  selectedChatId: number | null;
  chatHref: (chatId: number) => string;
};

export function ChatList({ selectedChatId, chatHref }: ChatListProps) {
  const { t } = useTranslation();
  const [search, setSearch] = useState('');
  const q = useDebouncedValue(search.trim());
  const chats = useChatList(q);
  const items = chats.data?.items ?? [];

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="border-b border-neutral-200 p-3">
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
      </div>
      <nav aria-label={t('chats.heading')} className="min-h-0 flex-1 overflow-y-auto">
        {chats.isPending ? (
          <p className="p-4 text-sm text-neutral-500">{t('chats.loading')}</p>
        ) : items.length === 0 ? (
          <p className="p-4 text-sm text-neutral-500">{t('chats.empty')}</p>
        ) : (
          <ul className="divide-y divide-neutral-100">
            {items.map((chat) => (
              <li key={chat.id}>
                <ChatListItem
                  chat={chat}
                  selected={chat.id === selectedChatId}
                  href={chatHref(chat.id)}
                />
              </li>
            ))}
          </ul>
        )}
        {chats.hasMore ? (
          <div className="p-3">
            <Button
              variant="secondary"
              className="w-full"
              onClick={() => void chats.loadMore()}
              disabled={chats.loadingMore}
            >
              {chats.loadingMore ? t('chats.loading') : t('chats.loadMore')}
            </Button>
          </div>
        ) : null}
      </nav>
    </div>
  );
}

function ChatListItem({ chat, selected, href }: { chat: Chat; selected: boolean; href: string }) {
  const { t, i18n } = useTranslation();
  const name = chatDisplayName(chat) ?? t('chats.untitled', { id: chat.id });
  return (
    <Link
      to={href}
      aria-current={selected ? 'page' : undefined}
      className={cn(
        'block px-4 py-3 text-left outline-none focus-visible:bg-neutral-100',
        selected
          ? 'bg-neutral-100 shadow-[inset_3px_0_0_0_var(--color-neutral-900)]'
          : 'hover:bg-neutral-50',
      )}
    >
      <div className="flex items-baseline justify-between gap-2">
        <span className="truncate text-sm font-medium text-neutral-900">{name}</span>
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
      </div>
      <p className="mt-1 truncate text-xs text-neutral-600">
        {chat.last_message_text ?? t('chats.noMessages')}
      </p>
    </Link>
  );
}
