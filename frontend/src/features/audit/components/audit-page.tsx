// Audit log: who changed what and when (REST actions as admin:<id>, psql ones as db:<role>),
// with the changed keys before → after; filters and keyset "load more".
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { EmptyState, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import type { AuditEntry } from '@/lib/api/behaviour';
import { formatFullTime } from '@/lib/utils/format';
import { EMPTY_AUDIT_FILTERS, useAudit, type AuditFilters } from '../api/list-audit';

function compact(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function AuditDiff({ entry }: { entry: AuditEntry }) {
  const before = (entry.before ?? {}) as Record<string, unknown>;
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (keys.length === 0) return <span className="text-neutral-400">—</span>;
  return (
    <dl className="flex flex-wrap gap-x-3 gap-y-0.5 font-mono text-[11px]">
      {keys.map((key) => (
        <div key={key} className="flex gap-1">
          <dt className="text-neutral-500">{key}:</dt>
          <dd className="break-all">
            {key in before ? (
              <span className="text-red-700 line-through">{compact(before[key])}</span>
            ) : null}
            {key in before && key in after ? ' → ' : null}
            {key in after ? <span className="text-emerald-800">{compact(after[key])}</span> : null}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function AuditPage() {
  const { t, i18n } = useTranslation();
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  const audit = useAudit(useDebouncedValue(filters, 300));
  const items = audit.data?.pages.flatMap((p) => p.items) ?? [];
  const set = (key: keyof AuditFilters) => (value: string) =>
    setFilters((f) => ({ ...f, [key]: value }));

  const filter = (key: keyof AuditFilters, type = 'search', placeholder?: string) => (
    <label className="block text-[11px] font-medium text-neutral-500">
      {t(`audit.${key}`)}
      <Input
        type={type}
        className="h-8"
        placeholder={placeholder}
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
        className="grid grid-cols-2 gap-2 md:grid-cols-6"
      >
        {filter('actor', 'search', 'admin:1')}
        {filter('action', 'search', 'preset.update')}
        {filter('target', 'search', 'preset:7')}
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
        ) : items.length === 0 ? (
          <EmptyState>{t('audit.empty')}</EmptyState>
        ) : (
          <table className={TABLE} aria-label={t('audit.title')}>
            <thead>
              <tr>
                <th className={TH}>{t('audit.at')}</th>
                <th className={TH}>{t('audit.actor')}</th>
                <th className={TH}>{t('audit.action')}</th>
                <th className={TH}>{t('audit.target')}</th>
                <th className={TH}>{t('audit.change')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((entry) => (
                <tr key={entry.id}>
                  <td className={`${TD} text-xs whitespace-nowrap tabular-nums`}>
                    <time dateTime={entry.at}>{formatFullTime(entry.at, i18n.language)}</time>
                  </td>
                  <td className={`${TD} font-mono text-xs`}>{entry.actor}</td>
                  <td className={`${TD} font-mono text-xs`}>{entry.action}</td>
                  <td className={`${TD} font-mono text-xs`}>{entry.target ?? '—'}</td>
                  <td className={TD}>
                    <AuditDiff entry={entry} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
    </PageShell>
  );
}
