// Inputs shared by the playbook and moderation forms: pattern with its kind, and the chat scope.
import { useTranslation } from 'react-i18next';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { PATTERN_KINDS, type PatternKind } from '@/lib/api/behaviour';

type PatternFieldsProps = {
  pattern: string;
  kind: PatternKind;
  chatIds: string;
  errors: Partial<Record<string, string>>;
  onChange: (patch: { pattern?: string; pattern_kind?: PatternKind; chat_ids?: string }) => void;
};

export function ErrorHint({ code }: { code: string | undefined }) {
  const { t } = useTranslation();
  if (!code) return null;
  return <span className="text-red-700">{t(`rules.errors.${code as 'required'}`)}</span>;
}

export function PatternFields({ pattern, kind, chatIds, errors, onChange }: PatternFieldsProps) {
  const { t } = useTranslation();
  return (
    <>
      <div className="grid grid-cols-[1fr_9rem] gap-3">
        <Field label={t('rules.pattern')} hint={<ErrorHint code={errors.pattern} />}>
          <Input
            maxLength={500}
            value={pattern}
            aria-invalid={Boolean(errors.pattern)}
            onChange={(e) => onChange({ pattern: e.target.value })}
          />
        </Field>
        <Field label={t('rules.patternKind')}>
          <Select
            value={kind}
            onChange={(e) => onChange({ pattern_kind: e.target.value as PatternKind })}
          >
            {PATTERN_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`rules.kind.${k}`)}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field
        label={t('rules.chatIds')}
        hint={errors.chat_ids ? <ErrorHint code={errors.chat_ids} /> : t('rules.chatIdsHint')}
      >
        <Input
          value={chatIds}
          placeholder={t('rules.everyChat')}
          aria-invalid={Boolean(errors.chat_ids)}
          onChange={(e) => onChange({ chat_ids: e.target.value })}
        />
      </Field>
    </>
  );
}

export function Checkbox({
  label,
  checked,
  onChange,
}: {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
}) {
  return (
    <label className="flex items-center gap-2 text-sm text-neutral-800">
      <input
        type="checkbox"
        checked={checked}
        onChange={(e) => onChange(e.target.checked)}
        className="size-4 accent-neutral-900"
      />
      {label}
    </label>
  );
}
