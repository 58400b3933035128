// "Save as preset…": names the edited parameters as a new preset, then optionally binds it to
// this chat, this user or this user in this chat — permanently or for N hours.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import type { BindingScope, Params } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useCreateBinding, useCreatePreset } from '../api/presets';
import { parseHours } from '../utils/param-form';

type Target = 'none' | Exclude<BindingScope, 'global'>;

type SavePresetDialogProps = {
  params: Params;
  chatId: number;
  userId?: number;
  onClose: () => void;
};

export function SavePresetDialog({ params, chatId, userId, onClose }: SavePresetDialogProps) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [target, setTarget] = useState<Target>('chat');
  const [hours, setHours] = useState('');
  const createPreset = useCreatePreset();
  const createBinding = useCreateBinding();
  const hoursValue = parseHours(hours);
  const pending = createPreset.isPending || createBinding.isPending;
  const error = createPreset.error ?? createBinding.error;
  const fieldError = isApiError(error) ? error.problem.field : undefined;

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (hoursValue === null) return;
    try {
      const preset = await createPreset.mutateAsync({
        ...params,
        name: name.trim(),
        description: description.trim() || null,
      });
      if (target !== 'none') {
        await createBinding.mutateAsync({
          scope: target,
          chat_id: target === 'user' ? undefined : chatId,
          user_id: target === 'chat' ? undefined : userId,
          preset_id: preset.id,
          hours: hoursValue,
        });
      }
      onClose();
    } catch {
      // Shown below from the mutation's error.
    }
  };

  return (
    <Dialog
      title={t('controls.saveDialogTitle')}
      description={t('controls.saveDialogHint')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={(e) => void submit(e)} noValidate>
        <Field label={t('presets.name')}>
          <Input
            required
            maxLength={100}
            value={name}
            aria-invalid={fieldError === 'name'}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field label={t('presets.description')}>
          <Input value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <div className="grid grid-cols-2 gap-2">
          <Field label={t('controls.bindTo')}>
            <Select value={target} onChange={(e) => setTarget(e.target.value as Target)}>
              <option value="none">{t('controls.bindNone')}</option>
              <option value="chat">{t('controls.bindChat')}</option>
              {userId ? <option value="user">{t('controls.bindUser')}</option> : null}
              {userId ? <option value="chat_user">{t('controls.bindChatUser')}</option> : null}
            </Select>
          </Field>
          <Field label={t('controls.forHours')} hint={t('controls.forHoursHint')}>
            <Input
              type="number"
              min={1}
              step={1}
              value={hours}
              disabled={target === 'none'}
              aria-invalid={hoursValue === null}
              onChange={(e) => setHours(e.target.value)}
            />
          </Field>
        </div>
        <ErrorText>
          {error
            ? isApiError(error)
              ? fieldError
                ? t('common.fieldError', { field: fieldError, detail: error.detail })
                : error.detail
              : error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={pending || !name.trim() || hoursValue === null}>
            {t('controls.savePreset')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
