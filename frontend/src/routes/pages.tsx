// Thin routes for the configuration screens; /admins sends non-owners back to /chats.
import { Navigate } from 'react-router';
import { AdminsPage } from '@/features/admins/components/admins-page';
import { AuditPage } from '@/features/audit/components/audit-page';
import { QueuePage } from '@/features/jobs/components/queue-page';
import { PresetsPage } from '@/features/presets/components/presets-page';
import { ProvidersPage } from '@/features/providers/components/providers-page';
import { ModerationPage } from '@/features/rules/components/moderation-page';
import { PlaybooksPage } from '@/features/rules/components/playbooks-page';
import { SettingsPage } from '@/features/settings/components/settings-page';
import { useRole } from '@/hooks/use-permissions';

export const PresetsRoute = () => <PresetsPage />;
export const ProvidersRoute = () => <ProvidersPage />;
export const QueueRoute = () => <QueuePage />;
export const PlaybooksRoute = () => <PlaybooksPage />;
export const ModerationRoute = () => <ModerationPage />;
export const AuditRoute = () => <AuditPage />;
export const SettingsRoute = () => <SettingsPage />;

export function AdminsRoute() {
  return useRole() === 'owner' ? <AdminsPage /> : <Navigate to="/chats" replace />;
}
