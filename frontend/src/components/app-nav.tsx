// Primary navigation: one link per screen, the current one marked aria-current="page" (NavLink
// does it), padded tightly so all eleven fit a 1440 px header. Admins shows only for owners, the
// one role that can use it.
import { useTranslation } from 'react-i18next';
import { NavLink } from 'react-router';
import { cn } from '@/lib/utils/cn';

const ITEMS = [
  { to: '/chats', key: 'chats' },
  { to: '/sessions', key: 'sessions' },
  { to: '/presets', key: 'presets' },
  { to: '/providers', key: 'providers' },
  { to: '/personalities', key: 'personalities' },
  { to: '/playbooks', key: 'playbooks' },
  { to: '/moderation', key: 'moderation' },
  { to: '/queue', key: 'queue' },
  { to: '/audit', key: 'audit' },
  { to: '/admins', key: 'admins', ownerOnly: true },
  { to: '/settings', key: 'settings' },
] as const;

export function AppNav({ isOwner }: { isOwner: boolean }) {
  const { t } = useTranslation();
  return (
    <nav aria-label={t('nav.label')} className="min-w-0 overflow-x-auto">
      <ul className="flex items-center gap-0.5">
        {ITEMS.filter((item) => !('ownerOnly' in item) || isOwner).map((item) => (
          <li key={item.to}>
            <NavLink
              to={item.to}
              className={({ isActive }) =>
                cn(
                  'block rounded-md px-1.5 py-1.5 text-sm font-medium whitespace-nowrap outline-none focus-visible:ring-2 focus-visible:ring-neutral-400',
                  isActive
                    ? 'bg-neutral-900 text-white'
                    : 'text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900',
                )
              }
            >
              {t(`nav.${item.key}`)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
