// Header block with the current admin's login and role, and the logout button.
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import type { Admin } from '@/lib/api/client';
import { useLogout } from '../api/logout';

export function UserMenu({ admin, onLoggedOut }: { admin: Admin; onLoggedOut: () => void }) {
  const { t } = useTranslation();
  const logout = useLogout({ onSettled: onLoggedOut });
  return (
    <div className="flex items-center gap-3">
      <span className="text-sm text-neutral-600">
        {t('auth.signedInAs', { login: admin.login, role: t(`roles.${admin.role}`) })}
      </span>
      <Button variant="secondary" onClick={() => logout.mutate()} disabled={logout.isPending}>
        {t('auth.logout')}
      </Button>
    </div>
  );
}
