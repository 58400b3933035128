// Small pill for a message's or chat's kind.
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils/cn';

export function Badge({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <span
      className={cn(
        'inline-flex items-center rounded px-1.5 py-0.5 text-[11px] leading-none font-medium',
        'bg-neutral-100 text-neutral-600',
        className,
      )}
    >
      {children}
    </span>
  );
}
