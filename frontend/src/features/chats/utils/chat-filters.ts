// The chat list's filter toggles and their GET /api/chats query parameters. Type (private or
// groups) and auto-reply (on or off) are each one choice of two, so pressing one releases the
// other; unread, mentions, flagged and round table are independent.
export type ChatFilters = {
  type?: 'private' | 'group';
  autoreply?: boolean;
  unread?: true;
  mentions?: true;
  flagged?: true;
  roundtable?: true;
};

export type ChatFilterToggle =
  | 'private'
  | 'group'
  | 'autoreplyOn'
  | 'autoreplyOff'
  | 'unread'
  | 'mentions'
  | 'flagged'
  | 'roundtable';

/** In the order the toolbar shows them (the contract's accessible names, i18n chats.filters.*). */
export const CHAT_FILTER_TOGGLES: readonly ChatFilterToggle[] = [
  'private',
  'group',
  'autoreplyOn',
  'autoreplyOff',
  'unread',
  'mentions',
  'flagged',
  'roundtable',
];

export function isPressed(filters: ChatFilters, toggle: ChatFilterToggle): boolean {
  switch (toggle) {
    case 'private':
    case 'group':
      return filters.type === toggle;
    case 'autoreplyOn':
      return filters.autoreply === true;
    case 'autoreplyOff':
      return filters.autoreply === false;
    default:
      return filters[toggle] === true;
  }
}

/** The filters after pressing (or releasing) one toggle. */
export function toggleFilter(filters: ChatFilters, toggle: ChatFilterToggle): ChatFilters {
  const next: ChatFilters = { ...filters };
  const pressed = isPressed(filters, toggle);
  switch (toggle) {
    case 'private':
    case 'group':
      if (pressed) delete next.type;
      else next.type = toggle;
      break;
    case 'autoreplyOn':
    case 'autoreplyOff':
      if (pressed) delete next.autoreply;
      else next.autoreply = toggle === 'autoreplyOn';
      break;
    default:
      if (pressed) delete next[toggle];
      else next[toggle] = true;
  }
  return next;
}

export function hasChatFilters(filters: ChatFilters): boolean {
  return Object.keys(filters).length > 0;
}

/** A stable plain object for the query key and the request (keys in one order, none undefined). */
export function chatFilterParams(filters: ChatFilters): Record<string, string | boolean> {
  const out: Record<string, string | boolean> = {};
  if (filters.type) out.type = filters.type;
  if (filters.autoreply !== undefined) out.autoreply = filters.autoreply;
  if (filters.unread) out.unread = true;
  if (filters.mentions) out.mentions = true;
  if (filters.flagged) out.flagged = true;
  if (filters.roundtable) out.roundtable = true;
  return out;
}
