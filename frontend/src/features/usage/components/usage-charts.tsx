// The Usage screen's two charts (recharts, loaded lazily with this module so the entry bundle
// never carries it): tokens in and out stacked, and cost, per group. Each chart is a figure
// named by its title; the numbers are also in the table below it for screen readers.
import { useTranslation } from 'react-i18next';
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export type ChartRow = { name: string; tokens_in: number; tokens_out: number; cost: number };

export default function UsageCharts({
  rows,
  groupLabel,
}: {
  rows: ChartRow[];
  groupLabel: string;
}) {
  const { t, i18n } = useTranslation();
  const num = new Intl.NumberFormat(i18n.language);
  const usd = new Intl.NumberFormat(i18n.language, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: 4,
  });
  const tokensTitle = t('usage.tokensChart', { group: groupLabel });
  const costTitle = t('usage.costChart', { group: groupLabel });
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <figure aria-label={tokensTitle} className="min-w-0">
        <figcaption className="mb-2 text-xs font-medium text-neutral-600">{tokensTitle}</figcaption>
        <div className="h-64 w-full">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--color-neutral-200, #e5e5e5)" />
              <XAxis dataKey="name" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
              <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => num.format(v)} />
              <Tooltip formatter={(v) => num.format(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} />
              <Bar dataKey="tokens_in" name={t('usage.tokensIn')} stackId="t" fill="#0284c7" />
              <Bar dataKey="tokens_out" name={t('usage.tokensOut')} stackId="t" fill="#7dd3fc" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
      <figure aria-label={costTitle} className="min-w-0">
        <figcaption className="mb-2 text-xs font-medium text-neutral-600">{costTitle}</figcaption>
        <div className="h-64 w-full">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={rows} margin={{ top: 4, right: 8, bottom: 4, left: 8 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--color-neutral-200, #e5e5e5)" />
              <XAxis dataKey="name" tick={{ fontSize: 11 }} interval="preserveStartEnd" />
              <YAxis tick={{ fontSize: 11 }} tickFormatter={(v: number) => usd.format(v)} />
              <Tooltip formatter={(v) => usd.format(Number(v))} />
              <Bar dataKey="cost" name={t('usage.cost')} fill="#059669" />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </figure>
    </div>
  );
}
