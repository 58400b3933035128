// Page scaffolding shared by the settings-style screens: a titled, scrollable main area and
// bordered sections.
import { useId, type ReactNode } from 'react';
import { cn } from '@/lib/utils/cn';

export function PageShell({
  title,
  actions,
  children,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="min-h-0 flex-1 overflow-y-auto bg-neutral-50">
      <div className="mx-auto max-w-7xl space-y-4 px-6 py-5">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-lg font-semibold text-neutral-900">{title}</h2>
          <div className="ml-auto flex flex-wrap items-center gap-2">{actions}</div>
        </div>
        {children}
      </div>
    </main>
  );
}

export function Section({
  title,
  actions,
  children,
  className,
}: {
  title: string;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  const id = useId();
  return (
    <section
      aria-labelledby={id}
      className={cn('rounded-lg border border-neutral-200 bg-white', className)}
    >
      <div className="flex items-center gap-2 border-b border-neutral-200 px-4 py-2.5">
        <h3 id={id} className="text-sm font-semibold text-neutral-900">
          {title}
        </h3>
        <div className="ml-auto flex items-center gap-2">{actions}</div>
      </div>
      <div className="p-4">{children}</div>
    </section>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="py-6 text-center text-sm text-neutral-500">{children}</p>;
}

export function ErrorText({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-xs text-red-700">
      {children}
    </p>
  );
}

export const TABLE = 'w-full text-left text-sm';
export const TH = 'border-b border-neutral-200 px-3 py-2 text-xs font-medium text-neutral-500';
export const TD = 'border-b border-neutral-100 px-3 py-2 align-top';
