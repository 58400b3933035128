// The simulator form: posts a fake user message for a chat through the real ingest path.
// Clearly labelled, because it exists only while no Telegram bot token is configured. It lives in
// the header's "Simulator" drawer. A radio group picks the chat type: a private chat's id is the
// user's id, a group's is negative (said in a hint). "Mention the bot" inserts @<bot.username>
// (the setting the mention matcher reads) at the caret. Under the form, the bot's latest reply
// keyboard in that chat: a click sends the button's text as the same user, so the panel works
// like a Telegram client (/start → a menu button → …).
import { useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useCachedChat } from '@/lib/cache/use-cached-chat';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { isApiError } from '@/lib/api/errors';
import { useSettings } from '@/lib/api/get-settings';
import { cn } from '@/lib/utils/cn';
import { useSimulateMessage } from '../api/simulate-message';
import { BotKeyboard } from './bot-keyboard';
import {
  effectiveChatId,
  formForChat,
  insertMention,
  toSimulatedMessage,
  type ChatType,
  type SimulatorForm,
} from '../utils/to-simulated-message';

type SimulatorPanelProps = {
  defaultChatId?: number | null;
  /** false inside the drawer, whose title already names it (the region keeps the name). */
  showTitle?: boolean;
};

export function SimulatorPanel({ defaultChatId, showTitle = true }: SimulatorPanelProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const typeHintId = useId();
  const typeLabelId = useId();
  const openChat = useCachedChat(defaultChatId ?? null);
  const [form, setForm] = useState<SimulatorForm>(() =>
    formForChat(defaultChatId, t('simulator.sampleFirstName'), openChat?.title ?? ''),
  );
  const simulate = useSimulateMessage();
  const settings = useSettings();
  const textArea = useRef<HTMLTextAreaElement>(null);
  const botSetting = settings.data?.items.find((s) => s.key === 'bot.username')?.value;
  const botUsername =
    typeof botSetting === 'string' && botSetting.replace(/^@/, '') !== ''
      ? botSetting.replace(/^@/, '')
      : null;

  const set = (field: keyof SimulatorForm) => (value: string) =>
    setForm((current) => ({ ...current, [field]: value }));

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    simulate.mutate(toSimulatedMessage(form), {
      onSuccess: () => setForm((current) => ({ ...current, text: '' })),
    });
  };

  const mention = () => {
    if (!botUsername) return;
    const area = textArea.current;
    const next = insertMention(form.text, botUsername, area?.selectionStart ?? form.text.length);
    setForm((current) => ({ ...current, text: next.text }));
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(next.caret, next.caret);
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
  const isGroup = form.chatType === 'group';
  const chatId = effectiveChatId(form);
  const chatIdInvalid = isGroup && form.chatId.trim() !== '' && chatId === null;
  const userIdValid = form.userId.trim() === '' || /^\d{1,16}$/.test(form.userId.trim());
  const ready = chatId !== null && userIdValid;
  // The keyboard follows the chat once typing pauses.
  const keyboardChatId = useDebouncedValue(chatId, 300);
  const pressButton = (text: string) => simulate.mutate(toSimulatedMessage({ ...form, text }));

  return (
    <section
      aria-labelledby={showTitle ? headingId : undefined}
      aria-label={showTitle ? undefined : t('simulator.title')}
      className="flex flex-col gap-3 p-4"
    >
      {showTitle ? (
        <h2 id={headingId} className="text-sm font-semibold text-neutral-900">
          {t('simulator.title')}
        </h2>
      ) : null}
      <p className="text-xs text-neutral-500">{t('simulator.description')}</p>
      <form onSubmit={submit} className="space-y-3">
        <div className="space-y-1.5">
          <p id={typeLabelId} className="text-xs font-medium text-neutral-700">
            {t('simulator.chatType')}
          </p>
          <div
            role="radiogroup"
            aria-labelledby={typeLabelId}
            aria-describedby={typeHintId}
            className="flex gap-2"
          >
            {(['private', 'group'] as ChatType[]).map((type) => (
              <label
                key={type}
                className={cn(
                  'flex flex-1 cursor-pointer items-center gap-2 rounded-md border px-2.5 py-1.5 text-sm',
                  form.chatType === type
                    ? 'border-neutral-900 bg-neutral-50 text-neutral-900'
                    : 'border-neutral-300 text-neutral-700 hover:bg-neutral-50',
                )}
              >
                <input
                  type="radio"
                  name={`${headingId}-type`}
                  value={type}
                  checked={form.chatType === type}
                  onChange={() => setForm((current) => ({ ...current, chatType: type }))}
                  className="accent-neutral-900"
                />
                {t(`simulator.${type}`)}
              </label>
            ))}
          </div>
          <p id={typeHintId} className="text-xs text-neutral-500">
            {isGroup ? t('simulator.groupHint') : t('simulator.privateHint')}
          </p>
        </div>
        <div className="grid grid-cols-2 gap-2">
          {isGroup ? (
            <Field label={t('simulator.chatId')}>
              <Input
                inputMode="numeric"
                required
                placeholder="-100…"
                value={form.chatId}
                onChange={(e) => set('chatId')(e.target.value)}
                aria-invalid={chatIdInvalid}
              />
            </Field>
          ) : null}
          <Field label={t('simulator.userId')}>
            <Input
              inputMode="numeric"
              required={!isGroup}
              value={form.userId}
              onChange={(e) => set('userId')(e.target.value)}
              aria-invalid={!userIdValid}
            />
          </Field>
        </div>
        {isGroup ? (
          <Field label={t('simulator.chatTitle')}>
            <Input
              maxLength={128}
              value={form.chatTitle}
              onChange={(e) => set('chatTitle')(e.target.value)}
            />
          </Field>
        ) : null}
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
            ref={textArea}
            required
            maxLength={4096}
            rows={3}
            value={form.text}
            onChange={(e) => set('text')(e.target.value)}
          />
        </Field>
        <div className="flex flex-wrap items-center gap-2">
          <Button
            size="sm"
            variant="secondary"
            onClick={mention}
            disabled={!botUsername}
            title={botUsername ? t('simulator.mentionHint', { username: botUsername }) : undefined}
          >
            {t('simulator.mention')}
          </Button>
          {settings.isSuccess && !botUsername ? (
            <span className="text-xs text-neutral-500">{t('simulator.noBotUsername')}</span>
          ) : null}
        </div>
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
          disabled={simulate.isPending || !ready || form.text.trim() === ''}
        >
          {simulate.isPending ? t('simulator.sending') : t('simulator.send')}
        </Button>
      </form>
      {keyboardChatId !== null ? (
        <BotKeyboard
          chatId={keyboardChatId}
          // While the chat id is being changed the keyboard still shows the previous chat's
          // buttons; a press then would send them to the new chat.
          disabled={simulate.isPending || !ready || keyboardChatId !== chatId}
          onPress={pressButton}
        />
      ) : null}
    </section>
  );
}
