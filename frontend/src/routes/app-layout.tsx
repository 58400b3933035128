// Authenticated shell: requires a session, opens the live connection and draws the header.
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { Button } from '@/components/ui/button';
import { LanguageSwitcher } from '@/components/language-switcher';
import { useMe } from '@/features/auth/api/get-me';
import { UserMenu } from '@/features/auth/components/user-menu';
import { ConnectionStatus } from '@/features/live/components/connection-status';
import { useLiveUpdates } from '@/features/live/hooks/use-live-updates';
import { isApiError, isUnauthorized } from '@/lib/api/errors';

export function AppLayoutRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  const status = useLiveUpdates(me.isSuccess);

  if (me.isPending) {
    return <p className="p-6 text-sm text-neutral-500">{t('chats.loading')}</p>;
  }
  if (me.isError) {
    if (isUnauthorized(me.error)) {
      // Remember the deep link (e.g. /chats/-100123) to return to after signing in.
      return <Navigate to="/login" replace state={{ from: location.pathname }} />;
    }
    return (
      <div className="flex flex-col items-start gap-3 p-6">
        <p role="alert" className="text-sm text-red-700">
          {isApiError(me.error) ? me.error.detail : me.error.message}
        </p>
        <Button variant="secondary" onClick={() => void me.refetch()}>
          {t('errors.requestFailed')}
        </Button>
      </div>
    );
  }

  return (
    <div className="flex h-full flex-col">
      <header className="flex h-14 shrink-0 items-center gap-4 border-b border-neutral-200 bg-white px-4">
        <div className="flex items-baseline gap-2">
          <h1 className="text-base font-semibold text-neutral-900">{t('app.name')}</h1>
          <span className="text-sm text-neutral-500">{t('app.tagline')}</span>
        </div>
        <ConnectionStatus status={status} />
        <div className="ml-auto flex items-center gap-3">
          <LanguageSwitcher />
          <UserMenu
            admin={me.data.admin}
            onLoggedOut={() => void navigate('/login', { replace: true })}
          />
        </div>
      </header>
      <Outlet />
    </div>
  );
}
