// The bindings that reach a chat (and the user its history is filtered to), and the remaining
// time of one as "1 hr 5 min" / "1 ч 5 мин" (Intl unit formatting, no extra strings).
import type { Binding } from '@/lib/api/behaviour';

/** The bindings that reach this chat (and the filtered user), each with its countdown. */
export function relevantBindings(items: Binding[], chatId: number, userId?: number): Binding[] {
  return items.filter(
    (b) =>
      b.active &&
      (b.scope === 'global' ||
        (b.scope === 'chat' && b.chat_id === chatId) ||
        (b.scope === 'user' && userId !== undefined && b.user_id === userId) ||
        (b.scope === 'chat_user' && b.chat_id === chatId && b.user_id === userId)),
  );
}

export function formatRemaining(ms: number, language: string): string {
  const minutes = Math.max(0, Math.ceil(ms / 60_000));
  const unit = (value: number, name: 'day' | 'hour' | 'minute') =>
    new Intl.NumberFormat(language, { style: 'unit', unit: name, unitDisplay: 'short' }).format(
      value,
    );
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  if (days > 0)
    return hours > 0 ? `${unit(days, 'day')} ${unit(hours, 'hour')}` : unit(days, 'day');
  if (hours > 0)
    return mins > 0 ? `${unit(hours, 'hour')} ${unit(mins, 'minute')}` : unit(hours, 'hour');
  return unit(mins, 'minute');
}
