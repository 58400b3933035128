// The round-table settings as the console edits them (docs/design/contract-roundtable.md):
// numeric limits with the environment variable that seeds each on first start, and the bot's
// texts with their Russian defaults (shown as placeholders: an empty field keeps the default).

export type NumberSetting = {
  key: string;
  /** i18n suffix under `roundtable.keys` / `roundtable.hints`. */
  name: 'max_rounds' | 'turn_timeout_sec' | 'context_token_limit' | 'max_tokens' | 'max_cost';
  env: string;
  /** null allowed (empty field = no limit). */
  nullable: boolean;
  integer: boolean;
  min: number;
  max: number;
  /** The built-in default, shown as the placeholder. */
  fallback: number | null;
};

export const ROUNDTABLE_NUMBERS: NumberSetting[] = [
  {
    key: 'roundtable.max_rounds',
    name: 'max_rounds',
    env: 'MAX_ROUNDS',
    nullable: false,
    integer: true,
    min: 1,
    max: 100,
    fallback: 5,
  },
  {
    key: 'roundtable.turn_timeout_sec',
    name: 'turn_timeout_sec',
    env: 'TURN_TIMEOUT_SEC',
    nullable: false,
    integer: true,
    min: 5,
    max: 3600,
    fallback: 60,
  },
  {
    key: 'roundtable.context_token_limit',
    name: 'context_token_limit',
    env: 'CONTEXT_TOKEN_LIMIT',
    nullable: false,
    integer: true,
    min: 500,
    max: 1000000,
    fallback: 6000,
  },
  {
    key: 'roundtable.max_tokens',
    name: 'max_tokens',
    env: 'ROUNDTABLE_MAX_TOKENS',
    nullable: true,
    integer: true,
    min: 1,
    max: 100000000,
    fallback: null,
  },
  {
    key: 'roundtable.max_cost',
    name: 'max_cost',
    env: 'ROUNDTABLE_MAX_COST',
    nullable: true,
    integer: false,
    min: 0,
    max: 100000,
    fallback: null,
  },
];

/** The value to PUT for a number field's text: null when empty (nullable ones only). */
export function numberValue(setting: NumberSetting, text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return setting.nullable ? null : Number.NaN;
  return Number(trimmed);
}

export const BOT_TEXT_DEFAULTS = {
  button_new: 'Новое обсуждение',
  button_stop: 'Остановить диалог',
  button_donate: 'Отблагодарить создателя',
  welcome:
    'Здравствуйте! Я устраиваю круглый стол нейросетей: назовите тему, и модели обсудят её по очереди. Кнопки внизу: начать, остановить, поблагодарить.',
  help: '/new — новое обсуждение: я спрошу тему, и модели будут отвечать по очереди.\n/stop — остановить обсуждение.\n/donate — отблагодарить создателя.',
  ask_topic: 'О чём поговорим? Напишите тему обсуждения одним сообщением.',
  started: 'Тема: «{topic}». Участники: {names}. Раундов: {rounds}.',
  already_running: 'Обсуждение уже идёт. Остановите его (/stop), чтобы начать новое.',
  nothing_to_stop: 'Сейчас нет обсуждения, которое можно остановить.',
  excluded: '{name} исключён из обсуждения: {reason}.',
  ended_rounds_done: 'Обсуждение завершено: все раунды пройдены ({rounds}).',
  ended_timeout: 'Обсуждение прервано: модель не ответила вовремя.',
  ended_token_limit: 'Обсуждение завершено: исчерпан лимит токенов.',
  ended_cost_limit: 'Обсуждение завершено: исчерпан лимит стоимости.',
  ended_stopped_by_user: 'Обсуждение остановлено по вашей команде.',
  ended_stopped_by_admin: 'Обсуждение остановлено администратором.',
  ended_no_participants: 'Обсуждение завершено: не осталось участников.',
  ended_error: 'Обсуждение прервано из-за ошибки.',
  donate: 'Спасибо, что хотите поддержать проект!',
  donate_button: 'Поддержать',
  donate_unavailable: 'Спасибо! Ссылка для поддержки пока не настроена.',
} as const;

export type BotTextKey = keyof typeof BOT_TEXT_DEFAULTS;
export const BOT_TEXT_KEYS = Object.keys(BOT_TEXT_DEFAULTS) as BotTextKey[];

/** The stored texts as form text: a key absent (or equal to its default) is an empty field. */
export function botTextsToForm(value: unknown): Record<BotTextKey, string> {
  const stored =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  const form = {} as Record<BotTextKey, string>;
  for (const key of BOT_TEXT_KEYS) {
    const text = stored[key];
    form[key] = typeof text === 'string' && text !== BOT_TEXT_DEFAULTS[key] ? text : '';
  }
  return form;
}

/** The object to PUT: only the keys overridden (empty fields fall back to the defaults). */
export function botTextsFromForm(form: Record<BotTextKey, string>): Record<string, string> {
  const value: Record<string, string> = {};
  for (const key of BOT_TEXT_KEYS) {
    if (form[key].trim() !== '') value[key] = form[key];
  }
  return value;
}
