// Thin routes with logic of their own: /sessions/:sessionId checks its id, /admins sends
// non-owners back to /chats. The other screens are lazy routes straight to their page
// (app/router.tsx), one chunk each.
import { Navigate, useParams } from 'react-router';
import { AdminsPage } from '@/features/admins/components/admins-page';
import { SessionDetailPage } from '@/features/sessions/components/session-detail-page';
import { useRole } from '@/hooks/use-permissions';

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
