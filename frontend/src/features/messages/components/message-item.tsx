// One message in the stream: sender (a round-table turn's speaker and round), author type and
// direction, time, chat id, text, the keyboard a bot message was sent with (reply-markup.tsx),
// delivery
// status of outgoing messages (queued → sending → sent, or failed with the reason), the model
// call behind a bot message (provider, model, tokens, cost; "demo model" when the demo provider
// wrote it), moderation labels and state (hidden/deleted look distinct), and an "edited" marker
// whose previous versions open on hover (title) or by keyboard (details).
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import type { Message } from '@/lib/api/client';
import { cn } from '@/lib/utils/cn';
import { formatFullTime, formatMessageTime, senderName } from '@/lib/utils/format';
import { DemoBadge } from '@/components/ui/demo-badge';
import { LlmMeta } from '@/components/llm-meta';
import { ReplyMarkupView } from './reply-markup';

const STATUS_TONE: Record<NonNullable<Message['status']>, string> = {
  queued: 'bg-amber-100 text-amber-900',
  sending: 'bg-sky-100 text-sky-800',
  sent: 'bg-emerald-100 text-emerald-800',
  failed: 'bg-red-100 text-red-800',
};

const MODERATION_TONE: Record<NonNullable<Message['moderation']>, string> = {
  flagged: 'bg-orange-100 text-orange-900',
  hidden: 'bg-neutral-200 text-neutral-700',
  deleted: 'bg-red-100 text-red-800',
};

// Who wrote it decides the card: users plain, admins blue, the bot violet, the system grey.
const AUTHOR_CARD: Record<Message['author_type'], string> = {
  user: 'border-neutral-200 bg-white',
  admin: 'border-sky-200 bg-sky-50',
  bot: 'border-violet-200 bg-violet-50',
  system: 'border-neutral-200 bg-neutral-100',
};

const AUTHOR_BADGE: Record<Message['author_type'], string | undefined> = {
  user: undefined,
  admin: 'bg-sky-100 text-sky-800',
  bot: 'bg-violet-100 text-violet-800',
  system: undefined,
};

// A round-table model's turn (a bot message with a speaker) gets its own card, apart from the
// bot's replies; outgoing messages sit to the right, incoming ones to the left.
const ROUNDTABLE_CARD = 'border-teal-200 bg-teal-50';

export function MessageItem({ message, actions }: { message: Message; actions?: ReactNode }) {
  const { t, i18n } = useTranslation();
  // A round-table turn is named by its speaker ("OpenAI · Оптимист"); other bot and admin
  // messages carry no Telegram sender, so they are named by who wrote them.
  const name =
    message.speaker ??
    senderName(message.sender) ??
    t(`messages.authorName.${message.author_type}`);
  const username = message.sender?.username;
  const outgoing = message.direction === 'out';
  const history = message.edit_history;

  return (
    <article
      aria-label={`${name}, ${formatMessageTime(message.created_at, i18n.language)}`}
      data-moderation={message.moderation ?? undefined}
      data-status={message.status ?? undefined}
      data-author={message.author_type}
      data-roundtable={message.speaker ? true : undefined}
      className={cn(
        'group rounded-lg border px-3 py-2',
        outgoing ? 'ml-6' : 'mr-6',
        message.speaker ? ROUNDTABLE_CARD : AUTHOR_CARD[message.author_type],
        message.moderation === 'flagged' && 'border-orange-300',
        message.moderation === 'hidden' &&
          'border-dashed border-neutral-300 bg-neutral-100 opacity-75',
        message.moderation === 'deleted' && 'border-dashed border-red-200 bg-red-50/40 opacity-70',
      )}
    >
      <header className="flex flex-wrap items-center gap-x-2 gap-y-1 text-xs">
        <span className="font-semibold text-neutral-900">{name}</span>
        {username && name !== `@${username}` ? (
          <span className="text-neutral-500">@{username}</span>
        ) : null}
        <Badge className={outgoing ? 'bg-neutral-200 text-neutral-700' : undefined}>
          {t(`messages.direction.${message.direction}`)}
        </Badge>
        <Badge className={AUTHOR_BADGE[message.author_type]}>
          {t(`messages.author.${message.author_type}`)}
        </Badge>
        {message.speaker ? (
          <span title={t('messages.speakerLabel')}>
            <Badge className="bg-teal-100 text-teal-800">
              {message.round !== null
                ? `${message.speaker} · ${t('messages.round', { round: message.round })}`
                : message.speaker}
            </Badge>
          </span>
        ) : null}
        {message.llm?.demo ? <DemoBadge /> : null}
        {message.chat_id !== null ? (
          <span className="text-neutral-400">{t('messages.chatId', { id: message.chat_id })}</span>
        ) : null}
        {message.status ? (
          <span
            title={
              message.status === 'failed' && message.error
                ? t('messages.failedBecause', { error: message.error })
                : message.sent_at
                  ? t('messages.sentAt', { time: formatFullTime(message.sent_at, i18n.language) })
                  : undefined
            }
          >
            <Badge className={STATUS_TONE[message.status]}>
              {t(`messages.status.${message.status}`)}
            </Badge>
          </span>
        ) : null}
        {message.moderation ? (
          <Badge className={MODERATION_TONE[message.moderation]}>
            {t(`messages.moderation.${message.moderation}`)}
          </Badge>
        ) : null}
        {message.labels.map((label) => (
          <Badge key={label} className="bg-orange-50 text-orange-800 ring-1 ring-orange-200">
            {t('messages.label', { label })}
          </Badge>
        ))}
        {actions ? (
          <span className="ml-auto opacity-0 transition-opacity group-focus-within:opacity-100 group-hover:opacity-100">
            {actions}
          </span>
        ) : null}
        <time
          dateTime={message.created_at}
          title={formatFullTime(message.created_at, i18n.language)}
          className={cn('text-neutral-500 tabular-nums', !actions && 'ml-auto')}
        >
          {formatMessageTime(message.created_at, i18n.language)}
        </time>
      </header>
      <p
        className={cn(
          'mt-1 text-sm break-words whitespace-pre-wrap',
          message.text ? 'text-neutral-900' : 'text-neutral-400 italic',
          message.moderation === 'deleted' && 'text-neutral-500 line-through',
          message.moderation === 'hidden' && 'text-neutral-500',
        )}
      >
        {message.text ?? t('messages.noText')}
      </p>
      {message.reply_markup ? <ReplyMarkupView markup={message.reply_markup} /> : null}
      {message.status === 'failed' ? (
        <p className="mt-1 text-xs text-red-700">
          {message.error
            ? t('messages.failedBecause', { error: message.error })
            : t('messages.failedNoReason')}
        </p>
      ) : null}
      {message.llm ? <LlmMeta llm={message.llm} /> : null}
      {message.edited_at || history.length > 0 ? (
        <details className="mt-1 text-xs text-neutral-500">
          <summary
            className="cursor-pointer select-none hover:text-neutral-700"
            title={history.map((h) => h.text ?? t('messages.noText')).join('\n')}
          >
            <span>{t('messages.edited')}</span>
            {message.edited_at ? (
              <>
                {' · '}
                <time dateTime={message.edited_at}>
                  {formatMessageTime(message.edited_at, i18n.language)}
                </time>
              </>
            ) : null}
          </summary>
          <div className="mt-1 border-l-2 border-neutral-200 pl-2">
            <p className="font-medium text-neutral-600">{t('messages.previousVersions')}</p>
            <ol className="mt-0.5 space-y-0.5">
              {history.map((edit, index) => (
                <li key={index}>
                  <span className="whitespace-pre-wrap text-neutral-700">
                    {edit.text ?? t('messages.noText')}
                  </span>{' '}
                  <span className="text-neutral-400">
                    (
                    {t('messages.editedAt', {
                      time: formatMessageTime(edit.edited_at, i18n.language),
                    })}
                    )
                  </span>
                </li>
              ))}
            </ol>
          </div>
        </details>
      ) : null}
    </article>
  );
}
