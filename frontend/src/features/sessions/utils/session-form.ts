// The "New session" form: topic 1–4000 characters (required: the console starts at once), an
// optional Telegram chat id (an integer, negative for groups) and optional rounds 1–100 (empty =
// the `roundtable.max_rounds` setting).
import type { RtSessionCreate } from '@/lib/api/roundtable';

export type SessionForm = { topic: string; chatId: string; maxRounds: string };
export type SessionFormField = keyof SessionForm;
/** Values are i18n keys under `sessions.errors`. */
export type SessionFormError = 'topicRequired' | 'tooLong' | 'chatId' | 'maxRounds';
export type SessionFormErrors = Partial<Record<SessionFormField, SessionFormError>>;

export const EMPTY_SESSION_FORM: SessionForm = { topic: '', chatId: '', maxRounds: '' };

export function parseSessionForm(
  form: SessionForm,
): { ok: true; body: RtSessionCreate } | { ok: false; errors: SessionFormErrors } {
  const errors: SessionFormErrors = {};
  const topic = form.topic.trim();
  if (topic === '') errors.topic = 'topicRequired';
  else if (topic.length > 4000) errors.topic = 'tooLong';
  const chat = form.chatId.trim();
  if (chat !== '' && !/^-?\d{1,16}$/.test(chat)) errors.chatId = 'chatId';
  const rounds = form.maxRounds.trim();
  const roundsValue = Number(rounds);
  if (rounds !== '' && (!/^\d+$/.test(rounds) || roundsValue < 1 || roundsValue > 100)) {
    errors.maxRounds = 'maxRounds';
  }
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    body: {
      topic,
      ...(chat !== '' ? { chat_id: Number(chat) } : {}),
      ...(rounds !== '' ? { max_rounds: roundsValue } : {}),
    },
  };
}

/** Maps a problem's `field` (`topic`, `chat_id`, `max_rounds`) to a form field. */
export function sessionFieldOf(field: string | undefined): SessionFormField | null {
  if (field === 'topic') return 'topic';
  if (field === 'chat_id') return 'chatId';
  if (field === 'max_rounds') return 'maxRounds';
  return null;
}
