// Thin routes for the configuration screens; /admins sends non-owners back to /chats.
import { Navigate, useParams } from 'react-router';
import { AdminsPage } from '@/features/admins/components/admins-page';
import { AuditPage } from '@/features/audit/components/audit-page';
import { QueuePage } from '@/features/jobs/components/queue-page';
import { PersonalitiesPage } from '@/features/personalities/components/personalities-page';
import { PresetsPage } from '@/features/presets/components/presets-page';
import { ProvidersPage } from '@/features/providers/components/providers-page';
import { ModerationPage } from '@/features/rules/components/moderation-page';
import { PlaybooksPage } from '@/features/rules/components/playbooks-page';
import { SessionDetailPage } from '@/features/sessions/components/session-detail-page';
import { SessionsPage } from '@/features/sessions/components/sessions-page';
import { SettingsPage } from '@/features/settings/components/settings-page';
import { useRole } from '@/hooks/use-permissions';

export const PresetsRoute = () => <PresetsPage />;
export const ProvidersRoute = () => <ProvidersPage />;
export const QueueRoute = () => <QueuePage />;
export const PlaybooksRoute = () => <PlaybooksPage />;
export const ModerationRoute = () => <ModerationPage />;
export const AuditRoute = () => <AuditPage />;
export const SettingsRoute = () => <SettingsPage />;
export const SessionsRoute = () => <SessionsPage />;
export const PersonalitiesRoute = () => <PersonalitiesPage />;

/** /sessions/:sessionId — a fresh page per session; a malformed id goes back to the list. */
export function SessionRoute() {
  const param = useParams().sessionId ?? '';
  if (!/^\d{1,16}$/.test(param)) return <Navigate to="/sessions" replace />;
  const id = Number(param);
  return <SessionDetailPage key={id} sessionId={id} />;
}

export function AdminsRoute() {
  return useRole() === 'owner' ? <AdminsPage /> : <Navigate to="/chats" replace />;
}
