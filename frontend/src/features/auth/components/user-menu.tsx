// Header block with the current admin's login and role, and the logout button.
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import type { Admin } from '@/lib/api/client';
import { useLogout } from '../api/logout';

export function UserMenu({ admin, onLoggedOut }: { admin: Admin; onLoggedOut: () => void }) {
  const { t } = useTranslation();
  const logout = useLogout({ onSettled: onLoggedOut });
  const signedIn = t('auth.signedInAs', { login: admin.login, role: t(`roles.${admin.role}`) });
  return (
    <div className="flex items-center gap-2">
      <span className="max-w-60 truncate text-xs text-neutral-600" title={signedIn}>
        {signedIn}
      </span>
      <Button variant="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
        {t('auth.logout')}
      </Button>
    </div>
  );
}
