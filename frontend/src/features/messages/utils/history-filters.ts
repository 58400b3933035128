// History filter state (user, time range from/to as datetime-local text, keyword) and its
// mapping to GET /api/messages query parameters.
export type HistoryFilters = {
  userId: number | null;
  from: string;
  to: string;
  q: string;
};

export const EMPTY_FILTERS: HistoryFilters = { userId: null, from: '', to: '', q: '' };

export function hasFilters(filters: HistoryFilters): boolean {
  return (
    filters.userId !== null || filters.from !== '' || filters.to !== '' || filters.q.trim() !== ''
  );
}

/** `datetime-local` text (local time, no zone) → ISO instant; undefined when empty or invalid. */
export function localToIso(value: string): string | undefined {
  if (!value) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function toMessageQuery(chatId: number, filters: HistoryFilters) {
  return {
    chat_id: chatId,
    user_id: filters.userId ?? undefined,
    from: localToIso(filters.from),
    to: localToIso(filters.to),
    q: filters.q.trim() || undefined,
  };
}
