// Header bell: the unacked count in its accessible name, and a panel listing recent
// notifications (mentions, moderation hits, errors, failed deliveries) with ack and ack-all.
import { useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { usePermission } from '@/hooks/use-permissions';
import type { Notification } from '@/lib/api/behaviour';
import { cn } from '@/lib/utils/cn';
import { formatMessageTime } from '@/lib/utils/format';
import { useAckAll, useAckNotification, useNotifications } from '../api/notifications';
import {
  deadJob,
  mentionReason,
  notificationChat,
  notificationHref,
  notificationText,
} from '../utils/notification-text';

const KIND_TONE: Record<Notification['kind'], string> = {
  mention: 'bg-sky-100 text-sky-800',
  moderation: 'bg-orange-100 text-orange-900',
  error: 'bg-red-100 text-red-800',
  delivery_failed: 'bg-red-100 text-red-800',
};

export function NotificationBell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const unacked = useNotifications(true);
  const count = unacked.data?.unacked_count ?? 0;
  const panelId = useId();
  const root = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const onDown = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        type="button"
        aria-label={t('notifications.bell', { count })}
        aria-expanded={open}
        aria-controls={open ? panelId : undefined}
        onClick={() => setOpen((v) => !v)}
        className="relative inline-flex size-8 items-center justify-center rounded-md text-neutral-700 hover:bg-neutral-100 focus-visible:outline-2 focus-visible:outline-neutral-900"
      >
        <svg aria-hidden="true" viewBox="0 0 20 20" className="size-5" fill="currentColor">
          <path d="M10 2a5 5 0 0 0-5 5v2.6l-1.4 2.8A1 1 0 0 0 4.5 14h11a1 1 0 0 0 .9-1.6L15 9.6V7a5 5 0 0 0-5-5Zm-2 13a2 2 0 0 0 4 0H8Z" />
        </svg>
        {count > 0 ? (
          <span
            aria-hidden="true"
            className="absolute -top-0.5 -right-0.5 min-w-4 rounded-full bg-red-600 px-1 text-[10px] leading-4 font-semibold text-white"
          >
            {count > 99 ? '99+' : count}
          </span>
        ) : null}
      </button>
      {open ? <NotificationPanel id={panelId} onNavigate={() => setOpen(false)} /> : null}
    </div>
  );
}

function NotificationPanel({ id, onNavigate }: { id: string; onNavigate: () => void }) {
  const { t, i18n } = useTranslation();
  const canAck = usePermission('moderate');
  const recent = useNotifications(false);
  const ack = useAckNotification();
  const ackAll = useAckAll();
  const items = recent.data?.items ?? [];
  const headingId = useId();

  return (
    <section
      id={id}
      aria-labelledby={headingId}
      className="absolute right-0 z-30 mt-2 w-[min(24rem,calc(100vw-1rem))] rounded-lg border border-neutral-200 bg-white shadow-lg"
    >
      <div className="flex items-center gap-2 border-b border-neutral-200 px-3 py-2">
        <h2 id={headingId} className="text-sm font-semibold text-neutral-900">
          {t('notifications.title')}
        </h2>
        {canAck ? (
          <Button
            size="sm"
            variant="secondary"
            className="ml-auto"
            disabled={ackAll.isPending || !items.some((n) => !n.acked_at)}
            onClick={() => ackAll.mutate()}
          >
            {t('notifications.ackAll')}
          </Button>
        ) : null}
      </div>
      <ul className="max-h-96 divide-y divide-neutral-100 overflow-y-auto">
        {recent.isPending ? (
          <li className="p-3 text-xs text-neutral-500">{t('common.loading')}</li>
        ) : items.length === 0 ? (
          <li className="p-3 text-xs text-neutral-500">{t('notifications.empty')}</li>
        ) : (
          items.map((n) => (
            <li key={n.id} className={cn('flex gap-2 px-3 py-2', n.acked_at && 'opacity-60')}>
              <div className="min-w-0 flex-1">
                <div className="flex items-center gap-2">
                  <Badge className={KIND_TONE[n.kind]}>{t(`notifications.kind.${n.kind}`)}</Badge>
                  <time dateTime={n.created_at} className="text-[11px] text-neutral-500">
                    {formatMessageTime(n.created_at, i18n.language)}
                  </time>
                </div>
                <p className="mt-1 text-xs break-words text-neutral-800" title={idsTitle(n)}>
                  {notificationText(n, t)}
                </p>
                {mentionReason(n, t) ? (
                  <p className="text-[11px] text-neutral-500">{mentionReason(n, t)}</p>
                ) : null}
                <NotificationLink n={n} onNavigate={onNavigate} />
              </div>
              {canAck && !n.acked_at ? (
                <Button
                  size="sm"
                  variant="ghost"
                  aria-label={t('notifications.ackOne', { id: n.id })}
                  disabled={ack.isPending}
                  onClick={() => ack.mutate(n.id)}
                >
                  {t('notifications.ack')}
                </Button>
              ) : null}
            </li>
          ))
        )}
      </ul>
    </section>
  );
}

/** The machine ids, on hover: chat, user, message, job. */
function idsTitle(n: Notification): string | undefined {
  const payload = (n.payload ?? {}) as Record<string, unknown>;
  const parts = [
    n.chat_id !== null ? `chat_id ${n.chat_id}` : null,
    typeof payload.user_id === 'number' ? `user_id ${payload.user_id}` : null,
    n.message_pk !== null ? `message_pk ${n.message_pk}` : null,
    deadJob(n) ? `job_id ${deadJob(n)?.id}` : null,
  ].filter(Boolean);
  return parts.length ? parts.join(' · ') : undefined;
}

/** "Open <chat name>" (the chat id on hover), or "Open dead letters" for a dead job. */
function NotificationLink({ n, onNavigate }: { n: Notification; onNavigate: () => void }) {
  const { t } = useTranslation();
  const href = notificationHref(n);
  if (!href) return null;
  const chat = notificationChat(n, t);
  const dead = deadJob(n) !== null;
  return (
    <Link
      to={href}
      onClick={onNavigate}
      title={n.chat_id !== null ? `chat_id ${n.chat_id}` : undefined}
      className="text-[11px] text-sky-700 hover:underline"
    >
      {dead
        ? t('notifications.openDeadLetters')
        : t('notifications.openChatNamed', { name: chat ?? '' })}
    </Link>
  );
}
