// The keyboard a bot message was sent with (Telegram `reply_markup`), under its text.
// - Inline keyboard (e.g. /donate's payment button): each button with an http(s) URL is a real
//   link opening in a new tab without access to this window (noopener noreferrer); any other URL
//   (javascript:, data:, tg:, relative …) or none is shown as plain, disabled text, never a link.
// - Reply keyboard (e.g. /start's menu): the button labels in their rows, as the user sees them
//   under the input field in Telegram.
import { useTranslation } from 'react-i18next';
import type { Message } from '@/lib/api/client';
import { webLink } from '../utils/web-link';

export type ReplyMarkup = NonNullable<Message['reply_markup']>;

const CHIP = 'inline-flex items-center rounded-md border px-2 py-0.5 text-xs';

export function ReplyMarkupView({ markup }: { markup: ReplyMarkup }) {
  const { t } = useTranslation();
  const inline = markup.inline_keyboard?.filter((row) => row.length > 0) ?? [];
  const keyboard = markup.keyboard?.filter((row) => row.length > 0) ?? [];
  return (
    <>
      {inline.length > 0 ? (
        <div
          role="group"
          aria-label={t('messages.inlineKeyboard')}
          className="mt-2 flex flex-col gap-1"
        >
          {inline.map((row, r) => (
            <div key={r} className="flex flex-wrap gap-1">
              {row.map((button, b) => {
                const href = webLink(button.url);
                return href ? (
                  <a
                    key={b}
                    href={href}
                    target="_blank"
                    rel="noopener noreferrer"
                    title={t('messages.linkOpens', { url: href })}
                    className={`${CHIP} border-sky-300 bg-white font-medium text-sky-800 hover:bg-sky-50 focus-visible:outline-2 focus-visible:outline-sky-600`}
                  >
                    {button.text}
                    <span aria-hidden="true" className="ml-1">
                      ↗
                    </span>
                  </a>
                ) : (
                  <span
                    key={b}
                    aria-disabled="true"
                    data-testid="inline-button-disabled"
                    title={
                      button.url
                        ? t('messages.notAWebLink', { url: button.url })
                        : t('messages.noLink')
                    }
                    className={`${CHIP} cursor-not-allowed border-neutral-200 bg-neutral-50 text-neutral-500`}
                  >
                    {button.text}
                  </span>
                );
              })}
            </div>
          ))}
        </div>
      ) : null}
      {keyboard.length > 0 ? (
        <div role="group" aria-label={t('messages.replyKeyboard')} className="mt-2">
          <p aria-hidden="true" className="text-[11px] text-neutral-500">
            ⌨ {t('messages.replyKeyboard')}
          </p>
          <ul className="mt-0.5 flex flex-col gap-1">
            {keyboard.map((row, r) => (
              <li key={r} className="flex flex-wrap gap-1">
                {row.map((button, b) => (
                  <span key={b} className={`${CHIP} border-neutral-300 bg-white text-neutral-800`}>
                    {button.text}
                  </span>
                ))}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </>
  );
}
