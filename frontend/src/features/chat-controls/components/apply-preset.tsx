// "Apply to this chat for N hours": binds an existing preset to the chat (empty hours =
// permanently). Expired bindings stop applying on the server's clock, no job needed.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { isApiError } from '@/lib/api/errors';
import { useCreateBinding, usePresetOptions } from '../api/presets';
import { parseHours } from '../utils/param-form';

export function ApplyPreset({ chatId }: { chatId: number }) {
  const { t } = useTranslation();
  const presets = usePresetOptions();
  const bind = useCreateBinding();
  const [presetId, setPresetId] = useState('');
  const [hours, setHours] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const hoursValue = parseHours(hours);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!presetId || hoursValue === null) return;
    bind.mutate(
      { scope: 'chat', chat_id: chatId, preset_id: Number(presetId), hours: hoursValue },
      {
        onSuccess: () => {
          const name = presets.data?.items.find((p) => p.id === Number(presetId))?.name ?? '';
          setDone(
            hoursValue
              ? t('controls.appliedFor', { name, hours: hoursValue })
              : t('controls.appliedPermanently', { name }),
          );
        },
      },
    );
  };

  return (
    <form className="space-y-2" onSubmit={submit}>
      <div className="grid grid-cols-[1fr_5.5rem] gap-2">
        <Field label={t('controls.preset')}>
          <Select value={presetId} onChange={(e) => setPresetId(e.target.value)}>
            <option value="">{t('controls.choosePreset')}</option>
            {presets.data?.items.map((preset) => (
              <option key={preset.id} value={preset.id}>
                {preset.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('controls.hours')}>
          <Input
            type="number"
            min={1}
            step={1}
            placeholder="∞"
            value={hours}
            aria-invalid={hoursValue === null}
            onChange={(e) => setHours(e.target.value)}
          />
        </Field>
      </div>
      <Button
        type="submit"
        size="sm"
        className="w-full"
        disabled={!presetId || hoursValue === null || bind.isPending}
      >
        {t('controls.applyToChat')}
      </Button>
      <ErrorText>
        {bind.error ? (isApiError(bind.error) ? bind.error.detail : bind.error.message) : null}
      </ErrorText>
      {done && !bind.error ? (
        <p role="status" className="text-xs text-emerald-700">
          {done}
        </p>
      ) : null}
    </form>
  );
}
