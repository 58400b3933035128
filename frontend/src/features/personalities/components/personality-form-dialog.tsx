// Create or edit a personality: title (1–100, unique regardless of case), instructions (≤ 4000)
// and style (≤ 1000). An edit sends only what changed, with the version it started from: a stale
// one or a title taken comes back as a 409, said in the dialog.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { isApiError } from '@/lib/api/errors';
import type { Personality, PersonalityUpdate } from '@/lib/api/roundtable';
import { useCreatePersonality } from '../api/create-personality';
import { useUpdatePersonality } from '../api/update-personality';

type Form = { title: string; instructions: string; style: string };
type FormField = keyof Form;
const LIMIT: Record<FormField, number> = { title: 100, instructions: 4000, style: 1000 };

export function PersonalityFormDialog({
  personality,
  onClose,
}: {
  personality: Personality | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form, setForm] = useState<Form>({
    title: personality?.title ?? '',
    instructions: personality?.instructions ?? '',
    style: personality?.style ?? '',
  });
  const [errors, setErrors] = useState<Partial<Record<FormField, 'required' | 'tooLong'>>>({});
  const create = useCreatePersonality();
  const update = useUpdatePersonality();
  const save = personality ? update : create;
  const problemField = isApiError(save.error) ? save.error.problem.field : undefined;
  const serverField =
    problemField === 'title' || problemField === 'instructions' || problemField === 'style'
      ? problemField
      : null;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const next: typeof errors = {};
    const value: Form = {
      title: form.title.trim(),
      instructions: form.instructions.trim(),
      style: form.style.trim(),
    };
    if (value.title === '') next.title = 'required';
    for (const key of Object.keys(LIMIT) as FormField[]) {
      if (value[key].length > LIMIT[key]) next[key] = 'tooLong';
    }
    setErrors(next);
    if (Object.keys(next).length > 0) return;
    if (personality) {
      const body: PersonalityUpdate = { version: personality.version };
      if (value.title !== personality.title) body.title = value.title;
      if (value.instructions !== personality.instructions) body.instructions = value.instructions;
      if (value.style !== personality.style) body.style = value.style;
      update.mutate({ id: personality.id, body }, { onSuccess: onClose });
    } else {
      create.mutate(value, { onSuccess: onClose });
    }
  };

  const hint = (key: FormField, fallback?: ReactNode): ReactNode => {
    const code = errors[key];
    if (code) return <span className="text-red-700">{t(`personalities.errors.${code}`)}</span>;
    if (serverField === key && isApiError(save.error)) {
      return <span className="text-red-700">{save.error.detail}</span>;
    }
    return fallback;
  };
  const invalid = (key: FormField) => Boolean(errors[key]) || serverField === key;

  return (
    <Dialog
      size="lg"
      title={
        personality
          ? t('personalities.editTitle', { title: personality.title })
          : t('personalities.createTitle')
      }
      description={t('personalities.hint')}
      onClose={onClose}
    >
      <form className="space-y-3" onSubmit={submit} noValidate>
        <Field label={t('personalities.title')} hint={hint('title')}>
          <Input
            value={form.title}
            maxLength={LIMIT.title}
            aria-invalid={invalid('title')}
            onChange={(e) => setForm((f) => ({ ...f, title: e.target.value }))}
          />
        </Field>
        <Field
          label={t('personalities.instructions')}
          hint={hint('instructions', t('personalities.instructionsHint'))}
        >
          <Textarea
            rows={5}
            value={form.instructions}
            aria-invalid={invalid('instructions')}
            onChange={(e) => setForm((f) => ({ ...f, instructions: e.target.value }))}
          />
        </Field>
        <Field label={t('personalities.style')} hint={hint('style', t('personalities.styleHint'))}>
          <Textarea
            rows={3}
            value={form.style}
            aria-invalid={invalid('style')}
            onChange={(e) => setForm((f) => ({ ...f, style: e.target.value }))}
          />
        </Field>
        <ErrorText>
          {save.error && !serverField
            ? isApiError(save.error) && save.error.status === 409
              ? t('personalities.conflict', { detail: save.error.detail })
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
            {personality ? t('common.save') : t('personalities.create')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
