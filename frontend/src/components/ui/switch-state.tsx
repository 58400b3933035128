// The state of a switch its viewer may not change: "On"/"Off" as text (after the row's name for
// screen readers when the row has no visible label), so a viewer reads the state and sees no
// control they cannot use.
import { useTranslation } from 'react-i18next';
import { cn } from '@/lib/utils/cn';

export function SwitchState({ checked, label }: { checked: boolean; label?: string }) {
  const { t } = useTranslation();
  return (
    <span
      data-state={checked ? 'on' : 'off'}
      className={cn(
        'inline-block shrink-0 rounded-full px-2 py-0.5 text-xs font-medium',
        checked ? 'bg-emerald-100 text-emerald-800' : 'bg-neutral-100 text-neutral-600',
      )}
    >
      {label ? <span className="sr-only">{label}: </span> : null}
      {t(checked ? 'common.on' : 'common.off')}
    </span>
  );
}
