// Authenticated shell: requires a session, opens the live connection and draws the header with
// the navigation, the simulator button, the notifications bell, theme, language and the admin's
// menu. From 1024 px the navigation sits in the header (overflow in "More"); below, a "Menu"
// button opens it in a drawer with the theme, language and admin menu. The shell itself never
// scrolls: the screen below the header fills the rest of the viewport and scrolls inside.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Outlet, useLocation, useMatch, useNavigate } from 'react-router';
import { AppNav } from '@/components/app-nav';
import { LanguageSwitcher } from '@/components/language-switcher';
import { ThemeSwitcher } from '@/components/theme-switcher';
import { Button } from '@/components/ui/button';
import { Drawer } from '@/components/ui/drawer';
import { useMe } from '@/features/auth/api/get-me';
import { UserMenu } from '@/features/auth/components/user-menu';
import { ConnectionStatus } from '@/features/live/components/connection-status';
import { useLiveUpdates } from '@/features/live/hooks/use-live-updates';
import { NotificationBell } from '@/features/notifications/components/notification-bell';
import { useNotificationToasts } from '@/features/notifications/hooks/use-notification-toasts';
import { SimulatorPanel } from '@/features/simulator/components/simulator-panel';
import { usePermission } from '@/hooks/use-permissions';
import { BREAKPOINTS, useMediaQuery } from '@/hooks/use-media-query';
import { isApiError, isUnauthorized } from '@/lib/api/errors';

export function AppLayoutRoute() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const location = useLocation();
  const me = useMe();
  const wide = useMediaQuery(BREAKPOINTS.lg);
  const canSimulate = usePermission('configure');
  const [menuOpen, setMenuOpen] = useState(false);
  const [simulatorOpen, setSimulatorOpen] = useState(false);
  const chatParam = useMatch('/chats/:chatId')?.params.chatId;
  const currentChatId = chatParam && /^-?\d{1,16}$/.test(chatParam) ? Number(chatParam) : null;
  const toastNotification = useNotificationToasts();
  const status = useLiveUpdates(me.isSuccess, { onNotification: toastNotification });

  const loggedOut = () => void navigate('/login', { replace: true });

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

  const isOwner = me.data.admin.role === 'owner';

  return (
    <div className="flex h-full flex-col">
      <header className="relative z-20 flex h-12 shrink-0 items-center gap-2 border-b border-neutral-200 bg-white px-2 sm:gap-3 sm:px-4">
        {wide ? null : (
          <Button
            variant="ghost"
            size="sm"
            aria-expanded={menuOpen}
            onClick={() => setMenuOpen(true)}
          >
            <span aria-hidden="true">☰</span> {t('layout.menu')}
          </Button>
        )}
        <div className="flex shrink-0 items-baseline gap-2">
          <h1 className="sr-only text-base font-semibold text-neutral-900 sm:not-sr-only">
            {t('app.name')}
          </h1>
          <span className="hidden text-xs text-neutral-500 2xl:inline">{t('app.tagline')}</span>
        </div>
        {wide ? <AppNav isOwner={isOwner} /> : <div className="flex-1" />}
        <div className="flex shrink-0 items-center gap-2">
          <ConnectionStatus status={status} />
          {canSimulate ? (
            <Button
              variant="secondary"
              size="sm"
              aria-expanded={simulatorOpen}
              onClick={() => setSimulatorOpen(true)}
            >
              {t('layout.simulator')}
            </Button>
          ) : null}
          <NotificationBell />
          {wide ? (
            <>
              <ThemeSwitcher />
              <LanguageSwitcher />
              <UserMenu admin={me.data.admin} onLoggedOut={loggedOut} login="wide" />
            </>
          ) : null}
        </div>
      </header>
      {wide ? null : (
        <Drawer open={menuOpen} onOpenChange={setMenuOpen} side="left" title={t('layout.menu')}>
          <AppNav isOwner={isOwner} variant="list" onNavigate={() => setMenuOpen(false)} />
          <div className="flex flex-col gap-3 border-t border-neutral-200 p-4">
            <div className="flex flex-wrap gap-2">
              <ThemeSwitcher />
              <LanguageSwitcher />
            </div>
            <UserMenu admin={me.data.admin} onLoggedOut={loggedOut} />
          </div>
        </Drawer>
      )}
      {canSimulate ? (
        <Drawer
          open={simulatorOpen}
          onOpenChange={setSimulatorOpen}
          side="right"
          title={t('simulator.title')}
          className="w-[26rem]"
        >
          <SimulatorPanel defaultChatId={currentChatId} showTitle={false} />
        </Drawer>
      ) : null}
      {/* Each screen scrolls inside this area (its own panes or its main), never the shell. */}
      <div className="relative flex min-h-0 flex-1 flex-col overflow-y-auto">
        <Outlet />
      </div>
    </div>
  );
}
