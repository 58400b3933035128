// On/off toggle: a button with role="switch" and aria-checked, named by its visible label. For
// someone who may not change it (readOnly) it is no control at all: the state as text.
import { useId } from 'react';
import { cn } from '@/lib/utils/cn';
import { SwitchState } from './switch-state';

type SwitchProps = {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled?: boolean;
  /** Shows the state as text instead of a switch (a role that cannot change it). */
  readOnly?: boolean;
  description?: string;
};

export function Switch({ label, checked, onChange, disabled, readOnly, description }: SwitchProps) {
  const labelId = useId();
  const descId = useId();
  return (
    <div className="flex items-start justify-between gap-3">
      <div className="min-w-0">
        <span id={labelId} className="block text-sm text-neutral-800">
          {label}
        </span>
        {description ? (
          <span id={descId} className="block text-xs text-neutral-500">
            {description}
          </span>
        ) : null}
      </div>
      {readOnly ? (
        <SwitchState checked={checked} />
      ) : (
        <button
          type="button"
          role="switch"
          aria-checked={checked}
          aria-labelledby={labelId}
          aria-describedby={description ? descId : undefined}
          disabled={disabled}
          onClick={() => onChange(!checked)}
          className={cn(
            'relative mt-0.5 inline-flex h-5 w-9 shrink-0 items-center rounded-full transition-colors',
            'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-900',
            'disabled:cursor-not-allowed disabled:opacity-50',
            checked ? 'bg-emerald-600' : 'bg-neutral-300',
          )}
        >
          <span
            aria-hidden="true"
            className={cn(
              'inline-block size-4 rounded-full bg-white shadow transition-transform',
              checked ? 'translate-x-4.5' : 'translate-x-0.5',
            )}
          />
        </button>
      )}
    </div>
  );
}
