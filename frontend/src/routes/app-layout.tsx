// Authenticated shell: requires a session, opens the live connection and draws the header with
// the navigation, the notifications bell and the admin's menu.
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useNavigate } from 'react-router';
import { toast } from 'sonner';
import { AppNav } from '@/components/app-nav';
import { Button } from '@/components/ui/button';
import { LanguageSwitcher } from '@/components/language-switcher';
import { useMe } from '@/features/auth/api/get-me';
import { UserMenu } from '@/features/auth/components/user-menu';
import { ConnectionStatus } from '@/features/live/components/connection-status';
import { useLiveUpdates } from '@/features/live/hooks/use-live-updates';
import { NotificationBell } from '@/features/notifications/components/notification-bell';
import { notificationText } from '@/features/notifications/utils/notification-text';
import { isApiError, isUnauthorized } from '@/lib/api/errors';

export function AppLayoutRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  const status = useLiveUpdates(me.isSuccess, {
    onNotification: (n) => {
      if (n.kind !== 'mention') return;
      toast.info(t('notifications.mentionToast'), {
        description: notificationText(n, t),
        action:
          n.chat_id !== null
            ? {
                label: t('notifications.open'),
                onClick: () => void navigate(`/chats/${n.chat_id}`),
              }
            : undefined,
      });
    },
  });

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
      <header className="flex h-12 shrink-0 items-center gap-3 border-b border-neutral-200 bg-white px-4">
        <div className="flex shrink-0 items-baseline gap-2">
          <h1 className="text-base font-semibold text-neutral-900">{t('app.name')}</h1>
          <span className="hidden text-xs text-neutral-500 2xl:inline">{t('app.tagline')}</span>
        </div>
        <AppNav isOwner={me.data.admin.role === 'owner'} />
        <div className="ml-auto flex shrink-0 items-center gap-2">
          <ConnectionStatus status={status} />
          <NotificationBell />
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
