// Queue screen: outbox jobs by state, dead letters first. A dead job (a send or a model call that
// kept failing) shows its last error; a row opens its details (payload, error, attempts, times);
// admins retry it or discard it (after confirming). The list follows `entity.changed` job live.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable, type DataTableColumn } from '@/components/ui/data-table';
import { EmptyState, PageShell, Section } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import {
  JOB_FILTER_STATES,
  JOB_KINDS,
  type Job,
  type JobFilterState,
  type JobKind,
} from '@/lib/api/delivery';
import { formatFullTime } from '@/lib/utils/format';
import { useDiscardJob } from '../api/discard-job';
import { useJobs, type JobFilter } from '../api/list-jobs';
import { useRetryJob } from '../api/retry-job';
import { JobDetailsDialog } from './job-details-dialog';

const STATE_TONE: Record<Job['state'], string> = {
  pending: 'bg-amber-100 text-amber-900',
  done: 'bg-emerald-100 text-emerald-800',
  dead: 'bg-red-100 text-red-800',
  discarded: 'bg-neutral-200 text-neutral-700',
};

export function QueuePage() {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const [filter, setFilter] = useState<JobFilter>({ state: 'dead', kind: '' });
  const jobs = useJobs(filter);
  const retry = useRetryJob();
  const discard = useDiscardJob();
  const [discarding, setDiscarding] = useState<Job | null>(null);
  const [inspecting, setInspecting] = useState<Job | null>(null);
  const items = jobs.data?.pages.flatMap((page) => page.items) ?? [];
  const busy = (id: number) =>
    (retry.isPending && retry.variables === id) || (discard.isPending && discard.variables === id);
  const time = (iso: string | null) =>
    iso ? <time dateTime={iso}>{formatFullTime(iso, i18n.language)}</time> : '—';

  const columns: DataTableColumn<Job>[] = [
    {
      key: 'id',
      header: t('queue.job'),
      cell: (job) => `#${job.id}`,
      className: 'font-mono text-xs',
    },
    {
      key: 'kind',
      header: t('queue.kind'),
      cell: (job) => t(`queue.kindValue.${job.kind}`),
      className: 'text-xs',
    },
    {
      key: 'state',
      header: t('queue.state'),
      cell: (job) => (
        <Badge className={STATE_TONE[job.state]}>{t(`queue.stateValue.${job.state}`)}</Badge>
      ),
    },
    {
      key: 'chat',
      header: t('queue.chat'),
      className: 'text-xs',
      cell: (job) =>
        job.chat_id !== null ? (
          <Link
            to={`/chats/${job.chat_id}`}
            className="text-sky-700 underline-offset-2 hover:underline"
          >
            {t('queue.chatLink', { id: job.chat_id })}
          </Link>
        ) : (
          '—'
        ),
    },
    {
      key: 'attempts',
      header: t('queue.attempts'),
      className: 'text-xs tabular-nums',
      cell: (job) => t('queue.attemptsValue', { attempts: job.attempts, relays: job.relays }),
    },
    {
      key: 'error',
      header: t('queue.lastError'),
      className: 'max-w-80 text-xs break-words text-red-800',
      cell: (job) => job.last_error ?? <span className="text-neutral-400">—</span>,
    },
    {
      key: 'when',
      header: t('queue.when'),
      className: 'text-xs whitespace-nowrap tabular-nums',
      cell: (job) => time(job.dead_at ?? job.done_at ?? job.relayed_at ?? job.created_at),
    },
    {
      key: 'actions',
      header: <span className="sr-only">{t('common.actions')}</span>,
      className: 'text-right whitespace-nowrap',
      cell: (job) =>
        canConfigure && job.state === 'dead' ? (
          <>
            <Button
              size="sm"
              variant="secondary"
              aria-label={t('queue.retryNamed', { id: job.id })}
              disabled={busy(job.id)}
              onClick={() => retry.mutate(job.id)}
            >
              {t('queue.retry')}
            </Button>{' '}
            <Button
              size="sm"
              variant="ghost"
              className="text-red-700"
              aria-label={t('queue.discardNamed', { id: job.id })}
              disabled={busy(job.id)}
              onClick={() => setDiscarding(job)}
            >
              {t('queue.discard')}
            </Button>
          </>
        ) : null,
    },
  ];

  return (
    <PageShell title={t('nav.queue')}>
      <div
        role="search"
        aria-label={t('queue.filters')}
        className="flex flex-wrap items-end gap-3 text-xs"
      >
        <label className="block font-medium text-neutral-500">
          {t('queue.state')}
          <Select
            className="h-8 w-44"
            value={filter.state}
            onChange={(e) => setFilter((f) => ({ ...f, state: e.target.value as JobFilterState }))}
          >
            {JOB_FILTER_STATES.map((state) => (
              <option key={state} value={state}>
                {t(`queue.filterState.${state}`)}
              </option>
            ))}
          </Select>
        </label>
        <label className="block font-medium text-neutral-500">
          {t('queue.kind')}
          <Select
            className="h-8 w-44"
            value={filter.kind}
            onChange={(e) => setFilter((f) => ({ ...f, kind: e.target.value as JobKind | '' }))}
          >
            <option value="">{t('queue.anyKind')}</option>
            {JOB_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`queue.kindValue.${kind}`)}
              </option>
            ))}
          </Select>
        </label>
      </div>
      <Section title={t(`queue.title.${filter.state}`)}>
        <p className="mb-3 text-xs text-neutral-500">{t(`queue.hint.${filter.state}`)}</p>
        {jobs.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : (
          <DataTable
            caption={t(`queue.title.${filter.state}`)}
            columns={columns}
            rows={items}
            rowKey={(job) => job.id}
            empty={t(`queue.empty.${filter.state}`)}
            onRowClick={setInspecting}
            rowLabel={(job) =>
              t('queue.inspectNamed', { id: job.id, kind: t(`queue.kindValue.${job.kind}`) })
            }
          />
        )}
        {jobs.hasNextPage ? (
          <div className="mt-3 flex justify-center">
            <Button
              variant="secondary"
              disabled={jobs.isFetchingNextPage}
              onClick={() => void jobs.fetchNextPage()}
            >
              {t('queue.loadMore')}
            </Button>
          </div>
        ) : null}
      </Section>
      {inspecting ? (
        <JobDetailsDialog
          job={items.find((j) => j.id === inspecting.id) ?? inspecting}
          canConfigure={canConfigure}
          busy={busy(inspecting.id)}
          onRetry={() => retry.mutate(inspecting.id, { onSuccess: () => setInspecting(null) })}
          onDiscard={() => {
            setDiscarding(inspecting);
            setInspecting(null);
          }}
          onClose={() => setInspecting(null)}
        />
      ) : null}
      {discarding ? (
        <ConfirmDialog
          title={t('queue.discardTitle', { id: discarding.id })}
          description={t('queue.discardHint')}
          confirmLabel={t('queue.discard')}
          pending={discard.isPending}
          onConfirm={() => discard.mutate(discarding.id, { onSuccess: () => setDiscarding(null) })}
          onClose={() => setDiscarding(null)}
        >
          <p className="text-sm text-neutral-700">
            {t(`queue.kindValue.${discarding.kind}`)}
            {discarding.last_error ? ` — ${discarding.last_error}` : ''}
          </p>
        </ConfirmDialog>
      ) : null}
    </PageShell>
  );
}
