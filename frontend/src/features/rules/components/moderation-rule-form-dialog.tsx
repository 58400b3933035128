// Create or edit a moderation rule: pattern → label, with the action flag, hide or delete;
// `evasion` also matches look-alikes, split letters, repeats and digit swaps.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import {
  MODERATION_ACTIONS,
  type ModerationAction,
  type ModerationRule,
} from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useSaveModerationRule } from '../api/rules';
import {
  EMPTY_MODERATION,
  moderationToForm,
  parseModerationForm,
  type ModerationForm,
  type RuleErrors,
} from '../utils/rule-form';
import { Checkbox, ErrorHint, PatternFields } from './rule-fields';

export function ModerationRuleFormDialog({
  rule,
  onClose,
}: {
  rule: ModerationRule | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<ModerationForm>(
    rule ? moderationToForm(rule) : EMPTY_MODERATION,
  );
  const [errors, setErrors] = useState<RuleErrors>({});
  const save = useSaveModerationRule({ handlesErrors: true });
  const set = (patch: Partial<ModerationForm>) => setForm((f) => ({ ...f, ...patch }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseModerationForm(form, rule?.version);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    save.mutate({ id: rule?.id ?? null, body: parsed.body }, { onSuccess: onClose });
  };

  return (
    <Dialog
      size="lg"
      title={rule ? t('rules.editRule', { name: rule.name }) : t('rules.newRule')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={submit} noValidate>
        <Field label={t('rules.name')} hint={<ErrorHint code={errors.name} />}>
          <Input
            value={form.name}
            aria-invalid={Boolean(errors.name)}
            onChange={(e) => set({ name: e.target.value })}
          />
        </Field>
        <PatternFields
          pattern={form.pattern}
          kind={form.pattern_kind}
          chatIds={form.chat_ids}
          errors={errors}
          onChange={set}
        />
        <div className="grid grid-cols-2 gap-3">
          <Field label={t('rules.label')} hint={<ErrorHint code={errors.label} />}>
            <Input
              value={form.label}
              placeholder="spam"
              aria-invalid={Boolean(errors.label)}
              onChange={(e) => set({ label: e.target.value })}
            />
          </Field>
          <Field label={t('rules.action')}>
            <Select
              value={form.action}
              onChange={(e) => set({ action: e.target.value as ModerationAction })}
            >
              {MODERATION_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {t(`rules.actionValue.${a}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <div className="flex gap-6">
          <Checkbox
            label={t('rules.enabled')}
            checked={form.enabled}
            onChange={(enabled) => set({ enabled })}
          />
          <Checkbox
            label={t('rules.evasion')}
            checked={form.evasion}
            onChange={(evasion) => set({ evasion })}
          />
        </div>
        <ErrorText>
          {save.error
            ? isApiError(save.error)
              ? save.error.problem.field
                ? t('common.fieldError', {
                    field: save.error.problem.field,
                    detail: save.error.detail,
                  })
                : save.error.detail
              : save.error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {t('common.save')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
