// Modal side sheet, the dialog.tsx approach on a screen edge: role="dialog" named by its title,
// focus moved inside on open and kept there (Tab and Shift+Tab wrap around), Escape and the
// backdrop close it, focus returns to the opener on close. Rendered into document.body so a
// transformed or overflow-clipped parent (the header) cannot clip it; nothing is mounted while
// closed.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';
import { cn } from '@/lib/utils/cn';

type DrawerProps = {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  side?: 'left' | 'right';
  description?: ReactNode;
  children: ReactNode;
  /** Tailwind width classes of the sheet; it never exceeds the viewport. */
  className?: string;
};

const FOCUSABLE =
  'a[href], area[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

function focusables(root: HTMLElement): HTMLElement[] {
  return Array.from(root.querySelectorAll<HTMLElement>(FOCUSABLE)).filter(
    (el) => !el.closest('[inert]') && el.getAttribute('aria-hidden') !== 'true',
  );
}

export function Drawer({ open, onOpenChange, ...rest }: DrawerProps) {
  if (!open) return null;
  return createPortal(<DrawerSheet onClose={() => onOpenChange(false)} {...rest} />, document.body);
}

function DrawerSheet({
  onClose,
  title,
  side = 'left',
  description,
  children,
  className,
}: Omit<DrawerProps, 'open' | 'onOpenChange'> & { onClose: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const descId = useId();
  const panel = useRef<HTMLDivElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });

  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const root = panel.current;
    if (!root) return;
    const first = focusables(root).find((el) => !el.hasAttribute('data-drawer-close'));
    (first ?? root).focus();
    const onKey = (event: KeyboardEvent) => {
      // A dialog opened from inside the drawer handles its own keys.
      if (event.defaultPrevented) return;
      if (event.key === 'Escape') {
        const inner = document.activeElement?.closest('[role="dialog"],[role="alertdialog"]');
        if (inner && inner !== root) return;
        event.preventDefault();
        close.current();
        return;
      }
      if (event.key !== 'Tab') return;
      const items = focusables(root);
      const firstItem = items[0];
      const lastItem = items[items.length - 1];
      if (!firstItem || !lastItem) {
        event.preventDefault();
        root.focus();
        return;
      }
      const active = document.activeElement as HTMLElement | null;
      if (!active || !root.contains(active)) {
        event.preventDefault();
        firstItem.focus();
      } else if (event.shiftKey && (active === firstItem || active === root)) {
        event.preventDefault();
        lastItem.focus();
      } else if (!event.shiftKey && active === lastItem) {
        event.preventDefault();
        firstItem.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      if (opener && opener.isConnected) opener.focus?.();
    };
  }, []);

  return (
    <div className="fixed inset-0 z-40 flex">
      <div
        aria-hidden="true"
        data-testid="drawer-backdrop"
        className="absolute inset-0 bg-black/50"
        onClick={onClose}
      />
      <div
        ref={panel}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        tabIndex={-1}
        className={cn(
          'relative flex h-full max-w-[calc(100vw-2.5rem)] flex-col border-neutral-200 bg-white shadow-xl outline-none',
          side === 'right' ? 'ml-auto border-l' : 'mr-auto border-r',
          className ?? 'w-80',
        )}
      >
        <div className="flex shrink-0 items-start justify-between gap-3 border-b border-neutral-200 px-4 py-3">
          <div className="min-w-0">
            <h2 id={titleId} className="text-sm font-semibold text-neutral-900">
              {title}
            </h2>
            {description ? (
              <p id={descId} className="mt-0.5 text-xs text-neutral-500">
                {description}
              </p>
            ) : null}
          </div>
          <button
            type="button"
            data-drawer-close
            onClick={onClose}
            aria-label={t('common.close')}
            className="rounded p-1 text-neutral-500 hover:bg-neutral-100 hover:text-neutral-800"
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="relative min-h-0 flex-1 overflow-y-auto">{children}</div>
      </div>
    </div>
  );
}
