// Audit log: who changed what and when, by name (an admin's login, "System" for the edge's
// workers, "Rule “name”" when a playbook acted; the machine ids on hover), filterable by
// actor, action, target and time range; each row opens "Change details" with the before/after
// diff. Keyset "load more".
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { Input } from '@/components/ui/input';
import { EmptyState, PageShell, Section } from '@/components/ui/page';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import type { AuditEntry } from '@/lib/api/behaviour';
import { formatFullTime } from '@/lib/utils/format';
import { actorLabel } from '@/lib/utils/names';
import { EMPTY_AUDIT_FILTERS, useAudit, type AuditFilters } from '../api/list-audit';
import { auditDiff, changedKeys } from '../utils/audit-diff';
import { AuditDetailsDialog } from './audit-details-dialog';

const HINTS: Partial<
  Record<keyof AuditFilters, 'audit.actorHint' | 'audit.actionHint' | 'audit.targetHint'>
> = {
  actor: 'audit.actorHint',
  action: 'audit.actionHint',
  target: 'audit.targetHint',
};

function targetLabel(entry: AuditEntry): string {
  return entry.target_name ?? entry.target ?? '—';
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  const [open, setOpen] = useState<AuditEntry | null>(null);
  const audit = useAudit(useDebouncedValue(filters, 300));
  const items = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (key: keyof AuditFilters) => (value: string) =>
    setFilters((f) => ({ ...f, [key]: value }));

  const filter = (key: keyof AuditFilters, type = 'search') => (
    <label className="block min-w-0 text-[11px] font-medium text-neutral-500">
      {t(`audit.${key}`)}
      <Input
        type={type}
        className="h-8 w-full min-w-0"
        placeholder={HINTS[key] ? t(HINTS[key]) : undefined}
        title={HINTS[key] ? t(HINTS[key]) : undefined}
        value={filters[key]}
        onChange={(e) => set(key)(e.target.value)}
      />
    </label>
  );

  return (
    <PageShell title={t('nav.audit')}>
      <div
        role="search"
        aria-label={t('audit.filters')}
        className="grid grid-cols-1 gap-2 sm:grid-cols-2 lg:grid-cols-3"
      >
        {filter('actor')}
        {filter('action')}
        {filter('target')}
        {filter('from', 'datetime-local')}
        {filter('to', 'datetime-local')}
        <div className="flex items-end">
          <Button size="sm" variant="secondary" onClick={() => setFilters(EMPTY_AUDIT_FILTERS)}>
            {t('filters.clear')}
          </Button>
        </div>
      </div>
      <Section title={t('audit.title')}>
        {audit.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : (
          <DataTable
            caption={t('audit.title')}
            rows={items}
            rowKey={(entry) => entry.id}
            empty={t('audit.empty')}
            onRowClick={setOpen}
            rowLabel={(entry) =>
              t('audit.rowLabel', {
                action: entry.action,
                target: targetLabel(entry),
                actor: actorLabel(entry.actor, entry.actor_name, t),
              })
            }
            columns={[
              {
                key: 'at',
                header: t('audit.at'),
                className: 'text-xs whitespace-nowrap tabular-nums',
                cell: (entry) => (
                  <time dateTime={entry.at}>{formatFullTime(entry.at, i18n.language)}</time>
                ),
              },
              {
                key: 'actor',
                header: t('audit.actor'),
                className: 'text-xs',
                cell: (entry) => (
                  <span title={entry.actor}>{actorLabel(entry.actor, entry.actor_name, t)}</span>
                ),
              },
              {
                key: 'action',
                header: t('audit.action'),
                className: 'font-mono text-xs',
                cell: (entry) => entry.action,
              },
              {
                key: 'target',
                header: t('audit.target'),
                className: 'text-xs',
                cell: (entry) => (
                  <span title={entry.target ?? undefined}>{targetLabel(entry)}</span>
                ),
              },
              {
                key: 'change',
                header: t('audit.change'),
                className: 'text-xs text-neutral-600',
                cell: (entry) => {
                  const keys = changedKeys(auditDiff(entry.before, entry.after));
                  return keys.length === 0
                    ? '—'
                    : t('audit.changedKeys', {
                        count: keys.length,
                        keys: keys.slice(0, 4).join(', ') + (keys.length > 4 ? ', …' : ''),
                      });
                },
              },
            ]}
          />
        )}
        {audit.hasNextPage ? (
          <div className="mt-3 flex justify-center">
            <Button
              variant="secondary"
              disabled={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              {t('audit.loadMore')}
            </Button>
          </div>
        ) : null}
      </Section>
      {open ? <AuditDetailsDialog entry={open} onClose={() => setOpen(null)} /> : null}
    </PageShell>
  );
}
