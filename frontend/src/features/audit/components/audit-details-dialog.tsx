// "Change details" of one audit entry: who (name, id), what, which object (name, id), when,
// and a field-by-field before/after table whose changed rows are highlighted and marked in
// words. Values are pretty-printed JSON shown as text (React escapes it; never HTML).
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import type { AuditEntry } from '@/lib/api/behaviour';
import { cn } from '@/lib/utils/cn';
import { formatFullTime } from '@/lib/utils/format';
import { actorLabel } from '@/lib/utils/names';
import { auditDiff, type DiffStatus } from '../utils/audit-diff';

const STATUS_TONE: Record<DiffStatus, string> = {
  added: 'bg-emerald-50',
  removed: 'bg-red-50',
  changed: 'bg-amber-50',
  unchanged: '',
};

export function AuditDetailsDialog({ entry, onClose }: { entry: AuditEntry; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const rows = auditDiff(entry.before, entry.after);
  const pre =
    'm-0 max-w-[16rem] overflow-x-auto font-mono text-[11px] whitespace-pre-wrap break-words';

  return (
    <Dialog
      title={t('audit.details')}
      size="lg"
      onClose={onClose}
      footer={
        <Button variant="secondary" onClick={onClose}>
          {t('audit.close')}
        </Button>
      }
    >
      <dl className="mb-3 grid grid-cols-[auto_1fr] gap-x-3 gap-y-1 text-xs">
        <dt className="text-neutral-500">{t('audit.at')}</dt>
        <dd>
          <time dateTime={entry.at}>{formatFullTime(entry.at, i18n.language)}</time>
        </dd>
        <dt className="text-neutral-500">{t('audit.actor')}</dt>
        <dd>
          {actorLabel(entry.actor, entry.actor_name, t)}{' '}
          <span className="font-mono text-neutral-500">({entry.actor})</span>
        </dd>
        <dt className="text-neutral-500">{t('audit.action')}</dt>
        <dd className="font-mono">{entry.action}</dd>
        <dt className="text-neutral-500">{t('audit.target')}</dt>
        <dd>
          {entry.target_name ?? entry.target ?? '—'}
          {entry.target && entry.target_name ? (
            <span className="font-mono text-neutral-500"> ({entry.target})</span>
          ) : null}
        </dd>
      </dl>
      {rows.length === 0 ? (
        <p className="text-xs text-neutral-500">{t('audit.noChanges')}</p>
      ) : (
        <div className="max-w-full overflow-x-auto">
          <table className="w-full border-separate border-spacing-0 text-left text-xs">
            <caption className="sr-only">{t('audit.details')}</caption>
            <thead>
              <tr>
                <th
                  scope="col"
                  className="border-b border-neutral-200 px-2 py-1 font-medium text-neutral-500"
                >
                  {t('audit.key')}
                </th>
                <th
                  scope="col"
                  className="border-b border-neutral-200 px-2 py-1 font-medium text-neutral-500"
                >
                  {t('audit.status')}
                </th>
                <th
                  scope="col"
                  className="border-b border-neutral-200 px-2 py-1 font-medium text-neutral-500"
                >
                  {t('audit.before')}
                </th>
                <th
                  scope="col"
                  className="border-b border-neutral-200 px-2 py-1 font-medium text-neutral-500"
                >
                  {t('audit.after')}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key} data-status={row.status} className={cn(STATUS_TONE[row.status])}>
                  <th
                    scope="row"
                    className={cn(
                      'border-b border-neutral-100 px-2 py-1 align-top font-mono',
                      row.status === 'unchanged' ? 'font-normal' : 'font-semibold',
                    )}
                  >
                    {row.key}
                  </th>
                  <td className="border-b border-neutral-100 px-2 py-1 align-top">
                    {t(`audit.${row.status}`)}
                  </td>
                  <td className="border-b border-neutral-100 px-2 py-1 align-top">
                    {row.before === null ? '—' : <pre className={pre}>{row.before}</pre>}
                  </td>
                  <td className="border-b border-neutral-100 px-2 py-1 align-top">
                    {row.after === null ? '—' : <pre className={pre}>{row.after}</pre>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Dialog>
  );
}
