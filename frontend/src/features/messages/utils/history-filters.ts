// History filter state (user, time range, keyword), its place in the URL of /chats/:chatId
// (`?q=&user=&from=&to=`, so a filtered view can be shared and reloaded) and its mapping to
// GET /api/messages query parameters. `from`/`to` are `datetime-local` values in UTC
// ("2026-01-02T10:00"); the inputs show them in the reader's local time.
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

const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** A UTC `datetime-local` value → ISO instant; undefined when empty or invalid. */
export function utcToIso(value: string): string | undefined {
  if (!DATETIME_LOCAL.test(value)) return undefined;
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** A UTC `datetime-local` value → the same instant as a local one, for the input; '' if invalid. */
export function utcToLocalInput(value: string): string {
  const iso = utcToIso(value);
  if (!iso) return '';
  const d = new Date(iso);
  const base = `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return d.getSeconds() ? `${base}:${pad(d.getSeconds())}` : base;
}

/** What the input shows (local time) → the UTC `datetime-local` value kept in the URL. */
export function localInputToUtc(value: string): string {
  if (!DATETIME_LOCAL.test(value)) return '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString(); // 2026-01-02T10:00:00.000Z
  return d.getUTCSeconds() ? iso.slice(0, 19) : iso.slice(0, 16);
}

export function toMessageQuery(chatId: number, filters: HistoryFilters) {
  return {
    chat_id: chatId,
    user_id: filters.userId ?? undefined,
    from: utcToIso(filters.from),
    to: utcToIso(filters.to),
    q: filters.q.trim() || undefined,
  };
}

/** The filters a URL's query names; what is malformed there is left out, never an error. */
export function filtersFromSearch(params: URLSearchParams): HistoryFilters {
  const user = params.get('user') ?? '';
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  return {
    q: (params.get('q') ?? '').slice(0, 200),
    userId: /^\d{1,16}$/.test(user) ? Number(user) : null,
    from: utcToIso(from) ? from : '',
    to: utcToIso(to) ? to : '',
  };
}

/** The URL query with the filters written in (other parameters kept, empty filters dropped). */
export function searchWithFilters(
  params: URLSearchParams,
  filters: HistoryFilters,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const set = (name: string, value: string) => {
    if (value) next.set(name, value);
    else next.delete(name);
  };
  set('q', filters.q);
  set('user', filters.userId !== null ? String(filters.userId) : '');
  set('from', filters.from);
  set('to', filters.to);
  return next;
}
