// Usage screen (/usage): tokens and cost of every model call (bot replies, round-table turns,
// drafts) per day, provider, chat, user or session over a range of UTC days; two charts
// (recharts, lazy-loaded with their own chunk) and the same figures in a table.
import { lazy, Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DataTable, type DataTableColumn } from '@/components/ui/data-table';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { isApiError } from '@/lib/api/errors';
import { USAGE_GROUPS, useUsage, type UsageGroup, type UsageItem } from '../api/get-usage';
import { defaultRange, rangeQuery } from '../utils/range';

const UsageCharts = lazy(() => import('./usage-charts'));

export function UsagePage() {
  const { t, i18n } = useTranslation();
  const [group, setGroup] = useState<UsageGroup>('day');
  const [range, setRange] = useState(() => defaultRange(new Date()));
  // a half-typed date keeps the last 30 days rather than asking the server with nothing
  const fallback = defaultRange(new Date());
  const query = rangeQuery(range.from, range.to) ?? rangeQuery(fallback.from, fallback.to)!;
  const usage = useUsage({ group_by: group, ...query });
  const items = usage.data?.items ?? [];
  const num = new Intl.NumberFormat(i18n.language);
  const usd = new Intl.NumberFormat(i18n.language, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: 6,
  });
  const label = (item: UsageItem) =>
    item.key === null
      ? t('usage.none')
      : group === 'day'
        ? item.key
        : (item.label ?? `#${item.key}`);
  const groupLabel = t(`usage.group.${group}`).toLocaleLowerCase(i18n.language);
  const totals = items.reduce(
    (sum, i) => ({
      tokens: sum.tokens + i.tokens_in + i.tokens_out,
      cost: sum.cost + i.cost,
      calls: sum.calls + i.calls,
    }),
    { tokens: 0, cost: 0, calls: 0 },
  );

  const columns: DataTableColumn<UsageItem>[] = [
    {
      key: 'key',
      header: t(`usage.column.${group}`),
      cell: (i) => <span title={i.key ?? undefined}>{label(i)}</span>,
      className: 'max-w-80 break-words',
    },
    {
      key: 'in',
      header: t('usage.tokensIn'),
      cell: (i) => num.format(i.tokens_in),
      className: 'text-right tabular-nums',
      headerClassName: 'text-right',
    },
    {
      key: 'out',
      header: t('usage.tokensOut'),
      cell: (i) => num.format(i.tokens_out),
      className: 'text-right tabular-nums',
      headerClassName: 'text-right',
    },
    {
      key: 'cost',
      header: t('usage.cost'),
      cell: (i) => usd.format(i.cost),
      className: 'text-right tabular-nums',
      headerClassName: 'text-right',
    },
    {
      key: 'calls',
      header: t('usage.calls'),
      cell: (i) => num.format(i.calls),
      className: 'text-right tabular-nums',
      headerClassName: 'text-right',
    },
  ];

  return (
    <PageShell title={t('usage.title')}>
      <p className="text-xs text-neutral-500">{t('usage.hint')}</p>
      <div
        role="search"
        aria-label={t('usage.filters')}
        className="flex flex-wrap items-end gap-3 text-xs"
      >
        <label className="block font-medium text-neutral-500">
          {t('usage.groupBy')}
          <Select
            className="h-8 w-44"
            value={group}
            onChange={(e) => setGroup(e.target.value as UsageGroup)}
          >
            {USAGE_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`usage.group.${g}`)}
              </option>
            ))}
          </Select>
        </label>
        <label className="block font-medium text-neutral-500">
          {t('usage.from')}
          <Input
            type="date"
            className="h-8 w-40"
            value={range.from}
            max={range.to}
            onChange={(e) => setRange((r) => ({ ...r, from: e.target.value }))}
          />
        </label>
        <label className="block font-medium text-neutral-500">
          {t('usage.to')}
          <Input
            type="date"
            className="h-8 w-40"
            value={range.to}
            min={range.from}
            onChange={(e) => setRange((r) => ({ ...r, to: e.target.value }))}
          />
        </label>
      </div>
      <Section title={t('usage.table', { group: groupLabel })}>
        {usage.error ? (
          <ErrorText>
            {isApiError(usage.error) ? usage.error.detail : usage.error.message}
          </ErrorText>
        ) : usage.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : (
          <div className="space-y-4">
            <p className="text-xs text-neutral-600 tabular-nums">
              {t('usage.total', {
                tokens: num.format(totals.tokens),
                cost: usd.format(totals.cost),
                calls: num.format(totals.calls),
              })}
            </p>
            {totals.calls > 0 ? (
              <Suspense
                fallback={
                  <p role="status" className="h-64 text-xs text-neutral-500">
                    {t('usage.chartLoading')}
                  </p>
                }
              >
                <UsageCharts
                  groupLabel={groupLabel}
                  rows={items.map((i) => ({
                    name: label(i),
                    tokens_in: i.tokens_in,
                    tokens_out: i.tokens_out,
                    cost: i.cost,
                  }))}
                />
              </Suspense>
            ) : null}
            <DataTable
              caption={t('usage.table', { group: groupLabel })}
              columns={columns}
              rows={totals.calls > 0 ? items : []}
              rowKey={(i) => i.key ?? '∅'}
              empty={t('usage.empty')}
            />
          </div>
        )}
      </Section>
    </PageShell>
  );
}
