// Modal dialog: role="dialog" labelled by its title, focus moved inside on open, Escape and the
// backdrop close it, focus returns to the opener on close. Rendered into document.body, so a
// dialog opened from inside a transformed box (a row of a virtualised list) still covers the
// screen instead of being clipped by that row.
import { useEffect, useId, useRef, type ReactNode } from 'react';
import { createPortal } from 'react-dom';
import { useTranslation } from 'react-i18next';

type DialogProps = {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  role?: 'dialog' | 'alertdialog';
  size?: 'md' | 'lg';
};

export function Dialog({
  title,
  description,
  onClose,
  children,
  footer,
  role = 'dialog',
  size = 'md',
}: DialogProps) {
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
    const first = panel.current?.querySelector<HTMLElement>(
      'textarea, input, select, button:not([data-dialog-close])',
    );
    (first ?? panel.current)?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') close.current();
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus?.();
    };
  }, []);

  return createPortal(
    <div className="fixed inset-0 z-40 flex items-center justify-center p-4">
      <div aria-hidden="true" className="absolute inset-0 bg-black/50" onClick={onClose} />
      <div
        ref={panel}
        role={role}
        aria-modal="true"
        aria-labelledby={titleId}
        aria-describedby={description ? descId : undefined}
        tabIndex={-1}
        className={
          'relative flex max-h-[90vh] w-full flex-col rounded-lg border border-neutral-200 bg-white shadow-xl outline-none ' +
          (size === 'lg' ? 'max-w-2xl' : 'max-w-md')
        }
      >
        <div className="flex items-start justify-between gap-3 border-b border-neutral-200 px-4 py-3">
          <div>
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
            data-dialog-close
            onClick={onClose}
            aria-label={t('common.close')}
            className="rounded p-1 text-neutral-500 hover:bg-neutral-100 hover:text-neutral-800"
          >
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <div className="min-h-0 overflow-y-auto px-4 py-3">{children}</div>
        {footer ? (
          <div className="flex justify-end gap-2 border-t border-neutral-200 px-4 py-3">
            {footer}
          </div>
        ) : null}
      </div>
    </div>,
    document.body,
  );
}
