// A session's state as a coloured badge, and why it ended in words ("stopped by an admin").
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import type { RtSession, SessionStatus } from '@/lib/api/roundtable';

const TONE: Record<SessionStatus, string> = {
  awaiting_topic: 'bg-amber-100 text-amber-900',
  running: 'bg-sky-100 text-sky-800',
  finished: 'bg-emerald-100 text-emerald-800',
  stopped: 'bg-neutral-200 text-neutral-700',
  failed: 'bg-red-100 text-red-800',
};

export function SessionStatusBadge({ status }: { status: SessionStatus }) {
  const { t } = useTranslation();
  return <Badge className={TONE[status]}>{t(`sessions.statusValue.${status}`)}</Badge>;
}

export function StopReasonText({ session }: { session: Pick<RtSession, 'stop_reason'> }) {
  const { t } = useTranslation();
  if (!session.stop_reason) return null;
  return <span>{t(`sessions.reasonValue.${session.stop_reason}`)}</span>;
}
