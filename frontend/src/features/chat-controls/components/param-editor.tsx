// Parameter editor for the selected chat: temperature (slider + number), max_tokens, tone,
// verbosity, emotional intensity (slider + number) and persona. "Preview for one message" asks
// the server what the next reply would use with these values, without storing anything;
// "Only for the next bot reply" hands them to the composer as the one-off override of the next
// "Reply as bot" draft; "Save as preset…" stores them (and can bind the new preset here).
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import { TONES, VERBOSITIES, type Params, type Tone, type Verbosity } from '@/lib/api/behaviour';
import { usePreviewOverride } from '../api/explain-params';
import { parseParamForm, type ParamErrors, type ParamForm } from '../utils/param-form';
import { EffectiveParams } from './effective-params';
import { SavePresetDialog } from './save-preset-dialog';

type ParamEditorProps = {
  chatId: number;
  userId?: number;
  initial: ParamForm;
  /** The one-off parameters armed for the next reply as bot, if any. */
  oneOff?: Params | null;
  /** Arms (or with null, disarms) one-off parameters; without it the option is not offered. */
  onOneOffChange?: (params: Params | null) => void;
};

export function ParamEditor({ chatId, userId, initial, oneOff, onOneOffChange }: ParamEditorProps) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const canModerate = usePermission('moderate');
  // Untouched, the editor follows the effective parameters (they change live); the first edit
  // detaches it until "Reset".
  const [edited, setEdited] = useState<ParamForm | null>(null);
  const form = edited ?? initial;
  const [errors, setErrors] = useState<ParamErrors>({});
  const [saving, setSaving] = useState<Params | null>(null);
  const preview = usePreviewOverride();
  const tempId = useId();
  const intensityId = useId();

  const set = <K extends keyof ParamForm>(key: K, value: ParamForm[K]) =>
    setEdited((current) => ({ ...(current ?? initial), [key]: value }));

  const validated = (): Params | null => {
    const result = parseParamForm(form);
    if (!result.ok) {
      setErrors(result.errors);
      return null;
    }
    setErrors({});
    return result.params;
  };

  const errorText = (key: keyof ParamErrors, range: string) =>
    errors[key] ? (
      <span role="alert" className="text-red-700">
        {t('params.outOfRange', { range })}
      </span>
    ) : undefined;

  return (
    <div className="space-y-3">
      <Field label={t('params.temperature')} hint={errorText('temperature', '0–2')}>
        <Input
          id={tempId}
          type="number"
          min={0}
          max={2}
          step={0.05}
          value={form.temperature}
          aria-invalid={Boolean(errors.temperature)}
          onChange={(e) => set('temperature', e.target.value)}
        />
      </Field>
      <input
        type="range"
        min={0}
        max={2}
        step={0.05}
        aria-label={t('params.temperatureSlider')}
        value={Number(form.temperature) || 0}
        onChange={(e) => set('temperature', e.target.value)}
        className="-mt-1 w-full accent-neutral-900"
      />
      <div className="grid grid-cols-2 gap-2">
        <Field label={t('params.max_tokens')} hint={errorText('max_tokens', '1–32000')}>
          <Input
            type="number"
            min={1}
            max={32000}
            step={1}
            value={form.max_tokens}
            aria-invalid={Boolean(errors.max_tokens)}
            onChange={(e) => set('max_tokens', e.target.value)}
          />
        </Field>
        <Field
          label={t('params.emotional_intensity')}
          hint={errorText('emotional_intensity', '0–100')}
        >
          <Input
            id={intensityId}
            type="number"
            min={0}
            max={100}
            step={1}
            value={form.emotional_intensity}
            aria-invalid={Boolean(errors.emotional_intensity)}
            onChange={(e) => set('emotional_intensity', e.target.value)}
          />
        </Field>
      </div>
      <input
        type="range"
        min={0}
        max={100}
        step={1}
        aria-label={t('params.intensitySlider')}
        value={Number(form.emotional_intensity) || 0}
        onChange={(e) => set('emotional_intensity', e.target.value)}
        className="-mt-1 w-full accent-neutral-900"
      />
      <div className="grid grid-cols-2 gap-2">
        <Field label={t('params.tone')}>
          <Select value={form.tone} onChange={(e) => set('tone', e.target.value as Tone)}>
            {TONES.map((tone) => (
              <option key={tone} value={tone}>
                {t(`params.toneValue.${tone}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('params.verbosity')}>
          <Select
            value={form.verbosity}
            onChange={(e) => set('verbosity', e.target.value as Verbosity)}
          >
            {VERBOSITIES.map((v) => (
              <option key={v} value={v}>
                {t(`params.verbosityValue.${v}`)}
              </option>
            ))}
          </Select>
        </Field>
      </div>
      <Field label={t('params.persona')} hint={errorText('persona', '≤ 4000')}>
        <Textarea
          rows={3}
          maxLength={4000}
          value={form.persona}
          onChange={(e) => set('persona', e.target.value)}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          variant="secondary"
          disabled={preview.isPending}
          onClick={() => {
            const params = validated();
            if (params) preview.mutate({ chat_id: chatId, user_id: userId, override: params });
          }}
        >
          {t('controls.previewOnce')}
        </Button>
        {onOneOffChange && canModerate ? (
          <Button
            size="sm"
            variant="secondary"
            onClick={() => {
              const params = validated();
              if (!params) return;
              onOneOffChange(params);
              preview.mutate({ chat_id: chatId, user_id: userId, override: params });
            }}
          >
            {t('controls.useOnce')}
          </Button>
        ) : null}
        {edited ? (
          <Button
            size="sm"
            variant="ghost"
            onClick={() => {
              setEdited(null);
              setErrors({});
              onOneOffChange?.(null);
            }}
          >
            {t('controls.reset')}
          </Button>
        ) : null}
        {canConfigure ? (
          <Button
            size="sm"
            onClick={() => {
              const params = validated();
              if (params) setSaving(params);
            }}
          >
            {t('controls.saveAsPreset')}
          </Button>
        ) : null}
      </div>
      {oneOff && onOneOffChange ? (
        <div
          role="status"
          className="flex items-start justify-between gap-2 rounded-md border border-violet-200 bg-violet-50 px-2 py-1.5 text-xs text-violet-900"
        >
          <span>{t('controls.oneOffArmed')}</span>
          <Button size="sm" variant="ghost" onClick={() => onOneOffChange(null)}>
            {t('controls.oneOffClear')}
          </Button>
        </div>
      ) : null}
      {preview.data || preview.error ? (
        <div className="rounded-md border border-dashed border-neutral-300 p-2">
          <p className="mb-1 text-xs font-medium text-neutral-700">{t('controls.previewTitle')}</p>
          <EffectiveParams explain={preview.data} error={preview.error} loading={false} />
        </div>
      ) : null}
      {saving ? (
        <SavePresetDialog
          params={saving}
          chatId={chatId}
          userId={userId}
          onClose={() => setSaving(null)}
        />
      ) : null}
    </div>
  );
}
