// A dead letter (or any job) inspected: what it was asked to do (its payload, shown as text),
// its last error, attempts and relays, when it was made, relayed, finished or died; admins
// retry or discard a dead one from here as from its row.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import type { Job } from '@/lib/api/delivery';
import { formatFullTime } from '@/lib/utils/format';

export function JobDetailsDialog({
  job,
  canConfigure,
  busy,
  onRetry,
  onDiscard,
  onClose,
}: {
  job: Job;
  canConfigure: boolean;
  busy: boolean;
  onRetry: () => void;
  onDiscard: () => void;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const time = (iso: string | null) =>
    iso ? <time dateTime={iso}>{formatFullTime(iso, i18n.language)}</time> : '—';
  const rows: [string, ReactNode][] = [
    [t('queue.kind'), t(`queue.kindValue.${job.kind}`)],
    [t('queue.state'), t(`queue.stateValue.${job.state}`)],
    [t('queue.attempts'), t('queue.attemptsValue', { attempts: job.attempts, relays: job.relays })],
    [t('queue.created'), time(job.created_at)],
    [t('queue.relayed'), time(job.relayed_at)],
    [t('queue.doneAt'), time(job.done_at)],
    [t('queue.deadAt'), time(job.dead_at)],
  ];
  return (
    <Dialog
      title={t('queue.detailsTitle', { id: job.id })}
      size="lg"
      onClose={onClose}
      footer={
        <>
          {canConfigure && job.state === 'dead' ? (
            <>
              <Button variant="secondary" disabled={busy} onClick={onRetry}>
                {t('queue.retry')}
              </Button>
              <Button variant="ghost" className="text-red-700" disabled={busy} onClick={onDiscard}>
                {t('queue.discard')}
              </Button>
            </>
          ) : null}
          <Button variant="ghost" onClick={onClose}>
            {t('common.close')}
          </Button>
        </>
      }
    >
      <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        {rows.map(([label, value]) => (
          <div key={label} className="contents">
            <dt className="text-neutral-500">{label}</dt>
            <dd className="text-neutral-900 tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      <h4 className="mt-4 text-xs font-semibold text-neutral-700">{t('queue.lastError')}</h4>
      <p className="mt-1 text-sm break-words whitespace-pre-wrap text-red-800">
        {job.last_error ?? '—'}
      </p>
      <h4 className="mt-4 text-xs font-semibold text-neutral-700">{t('queue.payload')}</h4>
      <pre
        aria-label={t('queue.payload')}
        className="mt-1 max-h-64 overflow-auto rounded-md bg-neutral-50 p-2 font-mono text-xs break-words whitespace-pre-wrap text-neutral-800"
      >
        {JSON.stringify(job.payload, null, 2)}
      </pre>
    </Dialog>
  );
}
