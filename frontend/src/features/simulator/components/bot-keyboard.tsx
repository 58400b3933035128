// "Bot keyboard": the buttons of the latest reply keyboard the bot sent to the simulated chat
// (e.g. /start's menu), as a Telegram client shows them. Reads the chat's message window from
// the shared cache entry, which live `message.created` events keep current; a click hands the
// button's text to the panel, which sends it as the simulated user.
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { useQuery } from '@tanstack/react-query';
import { chatMessagesQueryOptions } from '@/lib/api/list-chat-messages';
import { latestKeyboard } from '../utils/latest-keyboard';

type BotKeyboardProps = {
  chatId: number;
  disabled: boolean;
  onPress: (text: string) => void;
};

export function BotKeyboard({ chatId, disabled, onPress }: BotKeyboardProps) {
  const { t } = useTranslation();
  const headingId = useId();
  const hintId = useId();
  const messages = useQuery(chatMessagesQueryOptions(chatId));
  const rows = messages.data ? latestKeyboard(messages.data.items) : null;

  return (
    <div
      role="group"
      aria-labelledby={headingId}
      aria-describedby={hintId}
      className="rounded-md border border-neutral-200 bg-neutral-50 p-2"
    >
      <h3 id={headingId} className="text-xs font-semibold text-neutral-700">
        {t('simulator.keyboard')}
      </h3>
      <p id={hintId} className="mt-0.5 text-[11px] text-neutral-500">
        {rows ? t('simulator.keyboardHint') : t('simulator.noKeyboard')}
      </p>
      {rows ? (
        <div className="mt-2 flex flex-col gap-1">
          {rows.map((row, r) => (
            <div key={r} className="flex gap-1">
              {row.map((button, b) => (
                // Labels wrap (as Telegram's keyboard does) instead of being cut off.
                <button
                  key={b}
                  type="button"
                  className="min-h-7 min-w-0 flex-1 rounded-md border border-neutral-300 bg-white px-2 py-1 text-xs leading-tight font-medium break-words text-neutral-800 hover:bg-neutral-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-500 disabled:cursor-not-allowed disabled:text-neutral-400"
                  title={t('simulator.pressButton', { text: button.text })}
                  disabled={disabled}
                  onClick={() => onPress(button.text)}
                >
                  {button.text}
                </button>
              ))}
            </div>
          ))}
        </div>
      ) : null}
    </div>
  );
}
