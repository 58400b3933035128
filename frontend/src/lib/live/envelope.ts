// Parses WebSocket frames `{type, data, ts}` into typed live events; anything malformed or of an
// unknown type is dropped (null) so a newer server cannot break an older console.
import type { EntityChanged, Notification } from '@/lib/api/behaviour';
import type { Admin, Chat, Message } from '@/lib/api/client';
import type { LlmDelta, LlmDone } from '@/lib/api/delivery';

/** `eventId`: the frame's `event_id`, the id of the event-journal row it comes from (present on
 * journal events only); the connection sends the highest one seen as `/ws?after=` on reconnect. */
type Meta = { ts: string; eventId?: number };

export type LiveEvent = Meta &
  (
    | { type: 'hello'; data: { admin: Admin; event_id?: number | null } }
    | { type: 'message.created' | 'message.updated'; data: Message }
    | { type: 'chat.updated'; data: Chat }
    | { type: 'entity.changed'; data: EntityChanged }
    | { type: 'notification.created'; data: Notification }
    | { type: 'llm.delta'; data: LlmDelta }
    | { type: 'llm.done'; data: LlmDone }
    | { type: 'resync'; data: { reason: string } }
    | { type: 'pong'; data: null }
  );

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isMessage(data: unknown): data is Message {
  return (
    isObject(data) &&
    typeof data.id === 'number' &&
    // null only for a round-table turn of a session run in the console alone
    (typeof data.chat_id === 'number' || (data.chat_id === null && isId(data.session_id))) &&
    typeof data.created_at === 'string' &&
    Array.isArray(data.edit_history)
  );
}

function isChat(data: unknown): data is Chat {
  return isObject(data) && typeof data.id === 'number' && typeof data.type === 'string';
}

function isEntityChanged(data: unknown): data is EntityChanged {
  return isObject(data) && typeof data.entity === 'string' && Array.isArray(data.ids);
}

function isNotification(data: unknown): data is Notification {
  return (
    isObject(data) &&
    typeof data.id === 'number' &&
    typeof data.kind === 'string' &&
    typeof data.created_at === 'string'
  );
}

const isId = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
const isIdOrNull = (value: unknown) => value === null || value === undefined || isId(value);
/** A stream frame's chat: a chat id, or null for a console-only round-table session's turn. */
const isStreamChat = (data: Record<string, unknown>) =>
  isId(data.chat_id) && isIdOrNull(data.session_id)
    ? true
    : data.chat_id === null && isId(data.session_id);

function isLlmDelta(data: unknown): data is LlmDelta {
  return (
    isObject(data) &&
    isId(data.job_id) &&
    isStreamChat(data) &&
    isIdOrNull(data.draft_id) &&
    isId(data.seq) &&
    typeof data.delta === 'string'
  );
}

function isLlmDone(data: unknown): data is LlmDone {
  return (
    isObject(data) &&
    isId(data.job_id) &&
    isStreamChat(data) &&
    isIdOrNull(data.draft_id) &&
    typeof data.ok === 'boolean'
  );
}

/** Accepts a frame's text (or an already-parsed value); returns null for anything unusable. */
export function parseEnvelope(frame: unknown): LiveEvent | null {
  let value: unknown = frame;
  if (typeof frame === 'string') {
    try {
      value = JSON.parse(frame);
    } catch {
      return null;
    }
  }
  if (!isObject(value) || typeof value.type !== 'string') return null;
  const event = parseValue(value);
  if (event && isId(value.event_id)) event.eventId = value.event_id as number;
  return event;
}

function parseValue(value: Record<string, unknown>): LiveEvent | null {
  const ts = typeof value.ts === 'string' ? value.ts : '';
  const { type, data } = value;
  switch (type) {
    case 'message.created':
    case 'message.updated':
      return isMessage(data) ? { type, data, ts } : null;
    case 'chat.updated':
      return isChat(data) ? { type, data, ts } : null;
    case 'entity.changed':
      return isEntityChanged(data) ? { type, data, ts } : null;
    case 'notification.created':
      return isNotification(data) ? { type, data, ts } : null;
    // Optional members default so the cache rules see the contract's shape.
    case 'llm.delta':
      return isLlmDelta(data)
        ? {
            type,
            data: {
              ...data,
              draft_id: data.draft_id ?? null,
              in_reply_to: data.in_reply_to ?? null,
              provider: data.provider ?? null,
              demo: data.demo === true,
              session_id: data.session_id ?? null,
              speaker: typeof data.speaker === 'string' ? data.speaker : null,
            },
            ts,
          }
        : null;
    case 'llm.done':
      return isLlmDone(data)
        ? {
            type,
            data: {
              ...data,
              draft_id: data.draft_id ?? null,
              error: data.error ?? null,
              session_id: data.session_id ?? null,
              speaker: typeof data.speaker === 'string' ? data.speaker : null,
            },
            ts,
          }
        : null;
    case 'hello':
      return isObject(data) && isObject(data.admin)
        ? { type, data: data as { admin: Admin; event_id?: number | null }, ts }
        : null;
    case 'resync':
      return {
        type,
        data: { reason: isObject(data) && typeof data.reason === 'string' ? data.reason : '' },
        ts,
      };
    case 'pong':
      return { type, data: null, ts };
    default:
      return null;
  }
}
