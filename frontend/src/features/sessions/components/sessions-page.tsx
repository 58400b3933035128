// Sessions screen: the round-table sessions, newest first, filtered by state, chat and topic
// text; each row shows its state, why it ended, the round reached, its chat (or "console only")
// and its totals. Admins start a new one here. The list follows `entity.changed` session live.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { DataTable, type DataTableRowProps } from '@/components/ui/data-table';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { usePermission } from '@/hooks/use-permissions';
import { isApiError } from '@/lib/api/errors';
import { SESSION_STATUSES, type RtSession } from '@/lib/api/roundtable';
import { formatFullTime } from '@/lib/utils/format';
import { EMPTY_SESSION_FILTER, useSessions, type SessionFilter } from '../api/list-sessions';
import { formatCost } from '@/lib/utils/llm-meta';
import { formatCount } from '../utils/format';
import { NewSessionDialog } from './new-session-dialog';
import { SessionStatusBadge, StopReasonText } from './session-status';

export function SessionsPage() {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const [filter, setFilter] = useState<SessionFilter>(EMPTY_SESSION_FILTER);
  const debounced = useDebouncedValue(filter);
  const sessions = useSessions(debounced);
  const [creating, setCreating] = useState(false);
  const items = sessions.data?.pages.flatMap((page) => page.items) ?? [];
  const set = (key: keyof SessionFilter) => (value: string) =>
    setFilter((f) => ({ ...f, [key]: value }));

  return (
    <PageShell
      title={t('nav.sessions')}
      actions={
        canConfigure ? <Button onClick={() => setCreating(true)}>{t('sessions.new')}</Button> : null
      }
    >
      <div
        role="search"
        aria-label={t('sessions.filters')}
        className="flex flex-wrap items-end gap-3 text-xs"
      >
        <label className="block font-medium text-neutral-500">
          {t('sessions.status')}
          <Select
            className="h-8 w-44"
            value={filter.status}
            onChange={(e) => set('status')(e.target.value)}
          >
            <option value="">{t('sessions.anyStatus')}</option>
            {SESSION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {t(`sessions.statusValue.${status}`)}
              </option>
            ))}
          </Select>
        </label>
        <label className="block font-medium text-neutral-500">
          {t('sessions.chatFilter')}
          <Input
            className="h-8 w-40"
            inputMode="numeric"
            value={filter.chatId}
            onChange={(e) => set('chatId')(e.target.value)}
          />
        </label>
        <label className="block font-medium text-neutral-500">
          {t('sessions.search')}
          <Input
            type="search"
            className="h-8 w-64"
            value={filter.q}
            onChange={(e) => set('q')(e.target.value)}
          />
        </label>
      </div>
      <Section title={t('sessions.listTitle')}>
        <p className="mb-3 text-xs text-neutral-500">{t('sessions.hint')}</p>
        {sessions.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : sessions.error ? (
          <ErrorText>
            {isApiError(sessions.error) ? sessions.error.detail : sessions.error.message}
          </ErrorText>
        ) : items.length === 0 ? (
          <EmptyState>{t('sessions.empty')}</EmptyState>
        ) : (
          <DataTable
            caption={t('sessions.listTitle')}
            columns={[
              {
                key: 'c0',
                header: t('sessions.session'),
                cell: (s: RtSession) => (
                  <>
                    <Link className="text-sky-700 hover:underline" to={`/sessions/${s.id}`}>
                      #{s.id}
                    </Link>
                  </>
                ),
                className: 'font-mono text-xs',
              },
              {
                key: 'c1',
                header: t('sessions.topic'),
                cell: (s: RtSession) => (
                  <>
                    <Link className="break-words hover:underline" to={`/sessions/${s.id}`}>
                      {s.topic ?? t('sessions.noTopic')}
                    </Link>
                  </>
                ),
                className: 'max-w-sm',
              },
              {
                key: 'c2',
                header: t('sessions.status'),
                cell: (s: RtSession) => (
                  <>
                    <div className="flex flex-col items-start gap-1">
                      <SessionStatusBadge status={s.status} />
                      <span className="text-xs text-neutral-500">
                        <StopReasonText session={s} />
                      </span>
                    </div>
                  </>
                ),
              },
              {
                key: 'c3',
                header: t('sessions.round'),
                cell: (s: RtSession) => (
                  <>{t('sessions.roundOf', { current: s.current_round, max: s.max_rounds })}</>
                ),
                className: 'text-xs tabular-nums',
              },
              {
                key: 'c4',
                header: t('sessions.chat'),
                cell: (s: RtSession) => (
                  <>
                    {s.chat_id === null ? (
                      <span className="text-neutral-500">{t('sessions.consoleOnly')}</span>
                    ) : (
                      <Link className="font-mono hover:underline" to={`/chats/${s.chat_id}`}>
                        {s.chat_id}
                      </Link>
                    )}
                  </>
                ),
                className: 'text-xs',
              },
              {
                key: 'c5',
                header: t('sessions.tokens'),
                cell: (s: RtSession) => (
                  <>
                    {t('sessions.tokensInOut', {
                      in: formatCount(s.tokens_in, i18n.language),
                      out: formatCount(s.tokens_out, i18n.language),
                    })}
                  </>
                ),
                className: 'text-xs whitespace-nowrap tabular-nums',
              },
              {
                key: 'c6',
                header: t('sessions.cost'),
                cell: (s: RtSession) => formatCost(s.cost, i18n.language),
                className: 'text-xs tabular-nums',
              },
              {
                key: 'c7',
                header: t('sessions.created'),
                cell: (s: RtSession) => (
                  <>
                    <time dateTime={s.created_at}>
                      {formatFullTime(s.created_at, i18n.language)}
                    </time>
                  </>
                ),
                className: 'text-xs whitespace-nowrap',
              },
            ]}
            rows={items}
            rowKey={(s) => s.id}
            empty={null}
            Row={SessionRow}
          />
        )}
        {sessions.hasNextPage ? (
          <div className="mt-3 flex justify-center">
            <Button
              variant="secondary"
              size="sm"
              disabled={sessions.isFetchingNextPage}
              onClick={() => void sessions.fetchNextPage()}
            >
              {t('sessions.loadMore')}
            </Button>
          </div>
        ) : null}
      </Section>
      {creating ? <NewSessionDialog onClose={() => setCreating(false)} /> : null}
    </PageShell>
  );
}

/** A session's row, marked with its status (data-status) as before the table kit. */
function SessionRow({ row, ...props }: DataTableRowProps<RtSession>) {
  return <tr {...props} data-status={row.status} />;
}
