// A compact on/off switch for a table row: role="switch" with aria-checked, named by the caller
// after its row ("Enabled: <name>") since a row has no visible label beside it. For someone who
// may not change it (readOnly) it is no control at all: the state as text, named the same.
import { cn } from '@/lib/utils/cn';
import { SwitchState } from './switch-state';

type RowSwitchProps = {
  label: string;
  checked: boolean;
  disabled?: boolean;
  /** Shows the state as text instead of a switch (a role that cannot change it). */
  readOnly?: boolean;
  onChange: (checked: boolean) => void;
};

export function RowSwitch({ label, checked, disabled, readOnly, onChange }: RowSwitchProps) {
  if (readOnly) return <SwitchState checked={checked} label={label} />;
  return (
    <button
      type="button"
      role="switch"
      aria-checked={checked}
      aria-label={label}
      disabled={disabled}
      onClick={() => onChange(!checked)}
      className={cn(
        'relative inline-flex h-5 w-9 items-center rounded-full transition-colors disabled:cursor-not-allowed disabled:opacity-50',
        'focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-900',
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
  );
}
