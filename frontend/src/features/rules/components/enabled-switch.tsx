// A rule row's on/off switch, named after the row ("Enabled: <name>").
import { useTranslation } from 'react-i18next';
import { RowSwitch } from '@/components/ui/row-switch';

export function EnabledSwitch({
  name,
  checked,
  disabled,
  readOnly,
  onChange,
}: {
  name: string;
  checked: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  onChange: (checked: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <RowSwitch
      label={t('rules.enabledNamed', { name })}
      checked={checked}
      disabled={disabled}
      readOnly={readOnly}
      onChange={onChange}
    />
  );
}
