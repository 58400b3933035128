// The live-connection indicator in the header: a coloured dot and a translated word.
import { useTranslation } from 'react-i18next';
import { cn } from '@/lib/utils/cn';
import type { LiveStatus } from '../utils/connection';

const DOT: Record<LiveStatus, string> = {
  live: 'bg-emerald-500',
  connecting: 'bg-amber-400 animate-pulse',
  reconnecting: 'bg-amber-500 animate-pulse',
};

export function ConnectionStatus({ status }: { status: LiveStatus }) {
  const { t } = useTranslation();
  return (
    <div
      role="status"
      aria-live="polite"
      className="inline-flex items-center gap-2 rounded-full border border-neutral-200 bg-white px-2.5 py-1 text-xs font-medium text-neutral-700"
    >
      <span aria-hidden="true" className={cn('size-2 rounded-full', DOT[status])} />
      {t(`live.${status}`)}
    </div>
  );
}
