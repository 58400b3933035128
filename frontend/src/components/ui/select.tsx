// Native select styled like Input; keyboard and screen-reader behaviour come for free.
import type { SelectHTMLAttributes } from 'react';
import { cn } from '@/lib/utils/cn';

export function Select({ className, ...props }: SelectHTMLAttributes<HTMLSelectElement>) {
  return (
    <select
      className={cn(
        'block h-9 w-full rounded-md border border-neutral-300 bg-white px-2 text-sm text-neutral-900 shadow-xs',
        'focus:border-neutral-500 focus:ring-2 focus:ring-neutral-200 focus:outline-none disabled:bg-neutral-50',
        className,
      )}
      {...props}
    />
  );
}
