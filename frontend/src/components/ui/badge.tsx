// Small pill for a message's or chat's kind. A caller's tone (its own bg-/text- classes) replaces
// the neutral one rather than competing with it: which of two utilities wins depends on their
// order in the stylesheet, not in the class list.
import type { ReactNode } from 'react';
import { cn } from '@/lib/utils/cn';

export function Badge({ children, className }: { children: ReactNode; className?: string }) {
  const toned = className?.split(/\s+/).some((c) => c.startsWith('bg-')) ?? false;
  return (
    <span
      className={cn(
        'inline-flex items-center rounded px-1.5 py-0.5 text-[11px] leading-none font-medium',
        !toned && 'bg-neutral-100 text-neutral-600',
        className,
      )}
    >
      {children}
    </span>
  );
}
