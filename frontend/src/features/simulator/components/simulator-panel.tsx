// The simulator form: posts a fake user message for a chat through the real ingest path.
// Clearly labelled, because it exists only while no Telegram bot token is configured. Under the
// form, the bot's latest reply keyboard in that chat: a click sends the button's text as the
// same user, so the panel works like a Telegram client (/start → a menu button → …).
import { useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { isApiError } from '@/lib/api/errors';
import { useSimulateMessage } from '../api/simulate-message';
import { BotKeyboard } from './bot-keyboard';
import { EMPTY_FORM, toSimulatedMessage, type SimulatorForm } from '../utils/to-simulated-message';

export function SimulatorPanel({ defaultChatId }: { defaultChatId?: number | null }) {
  const { t } = useTranslation();
  const headingId = useId();
  const [form, setForm] = useState<SimulatorForm>(() => ({
    ...EMPTY_FORM,
    chatId: defaultChatId ? String(defaultChatId) : '',
  }));
  const simulate = useSimulateMessage();

  const set = (field: keyof SimulatorForm) => (value: string) =>
    setForm((current) => ({ ...current, [field]: value }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    simulate.mutate(toSimulatedMessage(form), {
      onSuccess: () => setForm((current) => ({ ...current, text: '' })),
    });
  };

  const error = simulate.error;
  const errorText = error
    ? isApiError(error) && error.status === 409
      ? t('simulator.off')
      : isApiError(error)
        ? error.detail
        : error.message
    : null;
  const chatIdValid = /^-?\d+$/.test(form.chatId.trim());
  const userIdValid = form.userId.trim() === '' || /^\d+$/.test(form.userId.trim());
  // The keyboard follows the Chat ID field once typing pauses.
  const keyboardChatId = useDebouncedValue(chatIdValid ? Number(form.chatId.trim()) : null, 300);
  const pressButton = (text: string) => simulate.mutate(toSimulatedMessage({ ...form, text }));

  return (
    <section aria-labelledby={headingId} className="flex flex-col gap-3 p-4">
      <div>
        <h2 id={headingId} className="text-sm font-semibold text-neutral-900">
          {t('simulator.title')}
        </h2>
        <p className="mt-0.5 text-xs text-neutral-500">{t('simulator.description')}</p>
      </div>
      <form onSubmit={submit} className="space-y-3">
        <div className="grid grid-cols-2 gap-2">
          <Field label={t('simulator.chatId')}>
            <Input
              inputMode="numeric"
              required
              value={form.chatId}
              onChange={(e) => set('chatId')(e.target.value)}
              aria-invalid={form.chatId !== '' && !chatIdValid}
            />
          </Field>
          <Field label={t('simulator.userId')}>
            <Input
              inputMode="numeric"
              value={form.userId}
              onChange={(e) => set('userId')(e.target.value)}
              aria-invalid={!userIdValid}
            />
          </Field>
        </div>
        <Field label={t('simulator.chatTitle')}>
          <Input
            maxLength={128}
            value={form.chatTitle}
            onChange={(e) => set('chatTitle')(e.target.value)}
          />
        </Field>
        <div className="grid grid-cols-2 gap-2">
          <Field label={t('simulator.firstName')}>
            <Input
              maxLength={64}
              value={form.firstName}
              onChange={(e) => set('firstName')(e.target.value)}
            />
          </Field>
          <Field label={t('simulator.username')}>
            <Input
              maxLength={33}
              value={form.username}
              onChange={(e) => set('username')(e.target.value)}
            />
          </Field>
        </div>
        <Field label={t('simulator.text')}>
          <Textarea
            required
            maxLength={4096}
            rows={3}
            value={form.text}
            onChange={(e) => set('text')(e.target.value)}
          />
        </Field>
        <div aria-live="polite">
          {errorText ? (
            <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-xs text-red-700">
              {errorText}
            </p>
          ) : simulate.data ? (
            <p
              role="status"
              className="rounded-md bg-emerald-50 px-3 py-2 text-xs text-emerald-800"
            >
              {t('simulator.queued', { id: simulate.data.update_id })}
            </p>
          ) : null}
        </div>
        <Button
          type="submit"
          className="w-full"
          disabled={simulate.isPending || !chatIdValid || !userIdValid || form.text.trim() === ''}
        >
          {simulate.isPending ? t('simulator.sending') : t('simulator.send')}
        </Button>
      </form>
      {keyboardChatId !== null ? (
        <BotKeyboard
          chatId={keyboardChatId}
          disabled={simulate.isPending || !chatIdValid || !userIdValid}
          onPress={pressButton}
        />
      ) : null}
    </section>
  );
}
