// Create or edit a playbook: when a message matches the pattern (optionally only in some
// chats), apply a preset (optionally for N hours), optionally send a fixed reply, optionally
// stop further playbooks.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import type { Playbook } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { usePresetChoices, useSavePlaybook } from '../api/rules';
import {
  EMPTY_PLAYBOOK,
  parsePlaybookForm,
  playbookToForm,
  type PlaybookForm,
  type RuleErrors,
} from '../utils/rule-form';
import { Checkbox, ErrorHint, PatternFields } from './rule-fields';

export function PlaybookFormDialog({
  playbook,
  onClose,
}: {
  playbook: Playbook | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<PlaybookForm>(
    playbook ? playbookToForm(playbook) : EMPTY_PLAYBOOK,
  );
  const [errors, setErrors] = useState<RuleErrors>({});
  const save = useSavePlaybook({ handlesErrors: true });
  const presets = usePresetChoices();
  const set = (patch: Partial<PlaybookForm>) => setForm((f) => ({ ...f, ...patch }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parsePlaybookForm(form, playbook?.version);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    save.mutate({ id: playbook?.id ?? null, body: parsed.body }, { onSuccess: onClose });
  };

  return (
    <Dialog
      size="lg"
      title={playbook ? t('rules.editPlaybook', { name: playbook.name }) : t('rules.newPlaybook')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={submit} noValidate>
        <div className="grid grid-cols-[1fr_7rem] gap-3">
          <Field label={t('rules.name')} hint={<ErrorHint code={errors.name} />}>
            <Input
              value={form.name}
              aria-invalid={Boolean(errors.name)}
              onChange={(e) => set({ name: e.target.value })}
            />
          </Field>
          <Field label={t('rules.priority')} hint={<ErrorHint code={errors.priority} />}>
            <Input
              type="number"
              step={1}
              value={form.priority}
              aria-invalid={Boolean(errors.priority)}
              onChange={(e) => set({ priority: e.target.value })}
            />
          </Field>
        </div>
        <PatternFields
          pattern={form.pattern}
          kind={form.pattern_kind}
          chatIds={form.chat_ids}
          errors={errors}
          onChange={set}
        />
        <div className="grid grid-cols-[1fr_9rem] gap-3">
          <Field label={t('rules.preset')}>
            <Select value={form.preset_id} onChange={(e) => set({ preset_id: e.target.value })}>
              <option value="">{t('rules.noPreset')}</option>
              {presets.data?.items.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label={t('rules.presetHours')}
            hint={
              errors.preset_hours ? (
                <ErrorHint code={errors.preset_hours} />
              ) : (
                t('rules.presetHoursHint')
              )
            }
          >
            <Input
              type="number"
              min={0}
              step="any"
              value={form.preset_hours}
              aria-invalid={Boolean(errors.preset_hours)}
              onChange={(e) => set({ preset_hours: e.target.value })}
            />
          </Field>
        </div>
        <Field label={t('rules.replyText')}>
          <Textarea
            rows={2}
            maxLength={4096}
            value={form.reply_text}
            onChange={(e) => set({ reply_text: e.target.value })}
          />
        </Field>
        <div className="flex gap-6">
          <Checkbox
            label={t('rules.enabled')}
            checked={form.enabled}
            onChange={(enabled) => set({ enabled })}
          />
          <Checkbox
            label={t('rules.stop')}
            checked={form.stop}
            onChange={(stop) => set({ stop })}
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
