// Create or edit a preset. Client-side checks mirror the contract's ranges; the server's
// problem+json `field` marks the offending input too (and a stale version asks to reload).
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { TONES, VERBOSITIES, type Preset } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useSavePreset } from '../api/presets';
import {
  EMPTY_PRESET_FORM,
  formFieldOf,
  parsePresetForm,
  presetToForm,
  type PresetErrors,
  type PresetField,
  type PresetForm,
} from '../utils/preset-form';

export function PresetFormDialog({
  preset,
  onClose,
}: {
  preset: Preset | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<PresetForm>(preset ? presetToForm(preset) : EMPTY_PRESET_FORM);
  const [errors, setErrors] = useState<PresetErrors>({});
  const save = useSavePreset();
  const serverField = isApiError(save.error) ? formFieldOf(save.error.problem.field) : null;

  const set = (key: PresetField) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parsePresetForm(form, preset?.version);
    if (!parsed.ok) {
      setErrors(parsed.errors);
      return;
    }
    setErrors({});
    save.mutate({ id: preset?.id ?? null, body: parsed.body }, { onSuccess: onClose });
  };

  const hint = (key: PresetField, fallback?: ReactNode): ReactNode => {
    const code = errors[key];
    if (code) {
      return <span className="text-red-700">{t(`presets.errors.${code as 'required'}`)}</span>;
    }
    if (serverField === key && isApiError(save.error)) {
      return <span className="text-red-700">{save.error.detail}</span>;
    }
    return fallback;
  };
  const invalid = (key: PresetField) => Boolean(errors[key]) || serverField === key;

  return (
    <Dialog
      size="lg"
      title={preset ? t('presets.editTitle', { name: preset.name }) : t('presets.createTitle')}
      description={t('presets.unsetHint')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={submit} noValidate>
        <div className="grid grid-cols-2 gap-3">
          <Field label={t('presets.name')} hint={hint('name')}>
            <Input
              value={form.name}
              maxLength={100}
              aria-invalid={invalid('name')}
              onChange={(e) => set('name')(e.target.value)}
            />
          </Field>
          <Field label={t('presets.description')} hint={hint('description')}>
            <Input value={form.description} onChange={(e) => set('description')(e.target.value)} />
          </Field>
          <Field label={t('params.temperature')} hint={hint('temperature', '0–2')}>
            <Input
              type="number"
              min={0}
              max={2}
              step={0.05}
              value={form.temperature}
              aria-invalid={invalid('temperature')}
              onChange={(e) => set('temperature')(e.target.value)}
            />
          </Field>
          <Field label={t('params.max_tokens')} hint={hint('max_tokens', '1–32000')}>
            <Input
              type="number"
              min={1}
              max={32000}
              value={form.max_tokens}
              aria-invalid={invalid('max_tokens')}
              onChange={(e) => set('max_tokens')(e.target.value)}
            />
          </Field>
          <Field label={t('params.tone')} hint={hint('tone')}>
            <Select
              value={form.tone}
              aria-invalid={invalid('tone')}
              onChange={(e) => set('tone')(e.target.value)}
            >
              <option value="">{t('presets.inherit')}</option>
              {TONES.map((tone) => (
                <option key={tone} value={tone}>
                  {t(`params.toneValue.${tone}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('params.verbosity')} hint={hint('verbosity')}>
            <Select
              value={form.verbosity}
              aria-invalid={invalid('verbosity')}
              onChange={(e) => set('verbosity')(e.target.value)}
            >
              <option value="">{t('presets.inherit')}</option>
              {VERBOSITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`params.verbosityValue.${v}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field
            label={t('params.emotional_intensity')}
            hint={hint('emotional_intensity', '0–100')}
          >
            <Input
              type="number"
              min={0}
              max={100}
              value={form.emotional_intensity}
              aria-invalid={invalid('emotional_intensity')}
              onChange={(e) => set('emotional_intensity')(e.target.value)}
            />
          </Field>
        </div>
        <Field label={t('params.persona')} hint={hint('persona')}>
          <Textarea
            rows={4}
            maxLength={4000}
            value={form.persona}
            aria-invalid={invalid('persona')}
            onChange={(e) => set('persona')(e.target.value)}
          />
        </Field>
        <ErrorText>
          {save.error && !serverField
            ? isApiError(save.error) && save.error.status === 409
              ? t('presets.conflict', { detail: save.error.detail })
              : isApiError(save.error)
                ? save.error.detail
                : save.error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={save.isPending}>
            {preset ? t('common.save') : t('presets.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
