// Primary navigation: one link per screen, the current one marked aria-current="page" (NavLink
// does it). Admins shows only for owners, the one role that can use it.
// variant "bar" (the header from 1024 px): the links that fit, the rest in a "More" menu, so
// nothing vanishes whatever the width or language; widths come from an invisible measuring copy
// watched by a ResizeObserver. variant "list" (the Menu drawer below 1024 px): every link, one a
// line.
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { NavLink, useLocation } from 'react-router';
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
  { to: '/usage', key: 'usage' },
  { to: '/audit', key: 'audit' },
  { to: '/admins', key: 'admins', ownerOnly: true },
  { to: '/settings', key: 'settings' },
] as const;

type NavItem = (typeof ITEMS)[number];

const LINK =
  'block rounded-md px-1.5 py-1.5 text-sm font-medium whitespace-nowrap outline-none focus-visible:ring-2 focus-visible:ring-neutral-400';
const ACTIVE = 'bg-neutral-900 text-white';
const IDLE = 'text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900';
/** gap-0.5 between the bar's items, in px. */
const GAP = 2;

type AppNavProps = {
  isOwner: boolean;
  variant?: 'bar' | 'list';
  /** Called after a link is followed (the Menu drawer closes). */
  onNavigate?: () => void;
  className?: string;
};

export function AppNav({ isOwner, variant = 'bar', onNavigate, className }: AppNavProps) {
  const { t } = useTranslation();
  const items = ITEMS.filter((item) => !('ownerOnly' in item) || isOwner);
  if (variant === 'list') {
    return (
      <nav aria-label={t('nav.label')} className={className}>
        <ul className="flex flex-col gap-0.5 p-2">
          {items.map((item) => (
            <li key={item.to}>
              <NavLink
                to={item.to}
                onClick={onNavigate}
                className={({ isActive }) => cn(LINK, 'px-3 py-2', isActive ? ACTIVE : IDLE)}
              >
                {t(`nav.${item.key}`)}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
    );
  }
  return <NavBar items={items} className={className} />;
}

function NavBar({ items, className }: { items: NavItem[]; className?: string }) {
  const { t } = useTranslation();
  const container = useRef<HTMLElement>(null);
  const measure = useRef<HTMLUListElement>(null);
  const [fit, setFit] = useState(items.length);

  useLayoutEffect(() => {
    const box = container.current;
    const ruler = measure.current;
    if (!box || !ruler || typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(() => {
      const widths = Array.from(ruler.children).map(
        (child) => (child as HTMLElement).getBoundingClientRect().width,
      );
      const moreWidth = widths.pop() ?? 0;
      const available = box.clientWidth;
      const all = widths.reduce((sum, w) => sum + w + GAP, 0);
      if (all <= available) {
        setFit(widths.length);
        return;
      }
      let used = moreWidth;
      let count = 0;
      for (const w of widths) {
        if (used + w + GAP > available) break;
        used += w + GAP;
        count += 1;
      }
      setFit(count);
    });
    observer.observe(box);
    observer.observe(ruler);
    return () => observer.disconnect();
  }, [items.length]);

  const shown = items.slice(0, fit);
  const rest = items.slice(fit);

  return (
    <nav
      ref={container}
      aria-label={t('nav.label')}
      className={cn('relative min-w-0 flex-1', className)}
    >
      {/* The measuring copy: every link and the More button, invisible and out of the flow. */}
      <ul
        ref={measure}
        aria-hidden="true"
        className="pointer-events-none invisible absolute top-0 left-0 flex gap-0.5"
      >
        {items.map((item) => (
          <li key={item.to} className={LINK}>
            {t(`nav.${item.key}`)}
          </li>
        ))}
        <li className={LINK}>{t('layout.more')} ▾</li>
      </ul>
      <ul className="flex items-center gap-0.5">
        {shown.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} className={({ isActive }) => cn(LINK, isActive ? ACTIVE : IDLE)}>
              {t(`nav.${item.key}`)}
            </NavLink>
          </li>
        ))}
        {rest.length > 0 ? (
          <li>
            <MoreMenu items={rest} />
          </li>
        ) : null}
      </ul>
    </nav>
  );
}

function MoreMenu({ items }: { items: NavItem[] }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const holdsCurrent = items.some(
    (item) => pathname === item.to || pathname.startsWith(`${item.to}/`),
  );

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  return (
    <div ref={root} className="relative">
      <button
        ref={button}
        type="button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((value) => !value)}
        className={cn(LINK, holdsCurrent ? ACTIVE : IDLE)}
      >
        {t('layout.more')} <span aria-hidden="true">▾</span>
      </button>
      {open ? (
        <ul
          id={menuId}
          className="absolute right-0 z-30 mt-1 min-w-44 rounded-md border border-neutral-200 bg-white p-1 shadow-lg"
        >
          {items.map((item) => (
            <li key={item.to}>
              <NavLink
                to={item.to}
                onClick={() => setOpen(false)}
                className={({ isActive }) => cn(LINK, 'px-3', isActive ? ACTIVE : IDLE)}
              >
                {t(`nav.${item.key}`)}
              </NavLink>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
