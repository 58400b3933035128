// "New session": topic, optional Telegram chat id and rounds; creates the session and starts it
// at once, then opens it. Client checks mirror the contract; a server problem marks the field it
// names, or shows its detail (a chat with a session already running is a 409).
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { isApiError } from '@/lib/api/errors';
import { useCreateSession } from '../api/create-session';
import {
  EMPTY_SESSION_FORM,
  parseSessionForm,
  sessionFieldOf,
  type SessionForm,
  type SessionFormErrors,
  type SessionFormField,
} from '../utils/session-form';

export function NewSessionDialog({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [form, setForm] = useState<SessionForm>(EMPTY_SESSION_FORM);
  const [errors, setErrors] = useState<SessionFormErrors>({});
  const create = useCreateSession();
  const serverField = isApiError(create.error) ? sessionFieldOf(create.error.problem.field) : null;

  const set = (key: SessionFormField) => (value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const parsed = parseSessionForm(form);
    setErrors(parsed.ok ? {} : parsed.errors);
    if (parsed.ok) {
      create.mutate(parsed.body, {
        onSuccess: (session) => {
          onClose();
          void navigate(`/sessions/${session.id}`);
        },
      });
    }
  };

  const hint = (key: SessionFormField, fallback?: ReactNode): ReactNode => {
    const code = errors[key];
    if (code) return <span className="text-red-700">{t(`sessions.errors.${code}`)}</span>;
    if (serverField === key && isApiError(create.error)) {
      return <span className="text-red-700">{create.error.detail}</span>;
    }
    return fallback;
  };
  const invalid = (key: SessionFormField) => Boolean(errors[key]) || serverField === key;

  return (
    <Dialog title={t('sessions.newTitle')} description={t('sessions.newHint')} onClose={onClose}>
      <form className="space-y-3" onSubmit={submit} noValidate>
        <Field label={t('sessions.topic')} hint={hint('topic')}>
          <Textarea
            rows={3}
            maxLength={4000}
            placeholder={t('sessions.topicPlaceholder')}
            value={form.topic}
            aria-invalid={invalid('topic')}
            onChange={(e) => set('topic')(e.target.value)}
          />
        </Field>
        <div className="grid grid-cols-2 gap-3">
          <Field label={t('sessions.chatId')} hint={hint('chatId', t('sessions.chatIdHint'))}>
            <Input
              inputMode="numeric"
              value={form.chatId}
              aria-invalid={invalid('chatId')}
              onChange={(e) => set('chatId')(e.target.value)}
            />
          </Field>
          <Field
            label={t('sessions.maxRounds')}
            hint={hint('maxRounds', t('sessions.maxRoundsHint'))}
          >
            <Input
              type="number"
              min={1}
              max={100}
              value={form.maxRounds}
              aria-invalid={invalid('maxRounds')}
              onChange={(e) => set('maxRounds')(e.target.value)}
            />
          </Field>
        </div>
        <ErrorText>
          {create.error && !serverField
            ? isApiError(create.error)
              ? create.error.detail
              : create.error.message
            : null}
        </ErrorText>
        <div className="flex justify-end gap-2">
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" disabled={create.isPending}>
            {t('sessions.start')}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
