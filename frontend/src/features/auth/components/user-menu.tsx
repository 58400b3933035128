// Header block with the current admin's login and role, the API docs link and the logout button.
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import type { Admin } from '@/lib/api/client';
import { cn } from '@/lib/utils/cn';
import { useLogout } from '../api/logout';

type UserMenuProps = {
  admin: Admin;
  onLoggedOut: () => void;
  /** "wide": the login text only from 1536 px (the header needs the room for its links). */
  login?: 'always' | 'wide';
};

export function UserMenu({ admin, onLoggedOut, login = 'always' }: UserMenuProps) {
  const { t } = useTranslation();
  const logout = useLogout({ onSettled: onLoggedOut });
  const signedIn = t('auth.signedInAs', { login: admin.login, role: t(`roles.${admin.role}`) });
  return (
    <div className="flex items-center gap-2">
      <span
        className={cn(
          'max-w-60 truncate text-xs text-neutral-600',
          login === 'wide' && 'hidden 2xl:inline',
        )}
        title={signedIn}
      >
        {signedIn}
      </span>
      {/* rt-edge's own page (GET /api/docs), outside the SPA: a full page load. The visible
          label is short where the full name would push screens out of the header (ru). */}
      <a
        href="/api/docs"
        aria-label={t('nav.apiDocs')}
        title={t('nav.apiDocs')}
        className="rounded-md px-1.5 py-1.5 text-xs font-medium whitespace-nowrap text-neutral-600 outline-none hover:bg-neutral-100 hover:text-neutral-900 focus-visible:ring-2 focus-visible:ring-neutral-400"
      >
        {t('nav.apiDocsShort')}
      </a>
      <Button
        variant="secondary"
        title={signedIn}
        onClick={() => logout.mutate()}
        disabled={logout.isPending}
      >
        {t('auth.logout')}
      </Button>
    </div>
  );
}
