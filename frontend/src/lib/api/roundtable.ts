// Round-table shapes from openapi.yaml (sessions, their participants, personalities) and the enum
// lists the filters and labels iterate over.
import type { Schemas } from './client';

export type RtSession = Schemas['RoundtableSession'];
export type RtSessionDetail = Schemas['RoundtableSessionDetail'];
export type RtSessionPage = Schemas['RoundtableSessionPage'];
export type RtSessionCreate = Schemas['RoundtableSessionCreate'];
export type SessionParticipant = Schemas['SessionParticipant'];
export type SessionStatus = Schemas['SessionStatus'];
export type StopReason = NonNullable<RtSession['stop_reason']>;
export type Personality = Schemas['Personality'];
export type PersonalityCreate = Schemas['PersonalityCreate'];
export type PersonalityUpdate = Schemas['PersonalityUpdate'];
export type PersonalityPage = Schemas['PersonalityPage'];

export const SESSION_STATUSES = [
  'awaiting_topic',
  'running',
  'finished',
  'stopped',
  'failed',
] as const satisfies SessionStatus[];

export const STOP_REASONS = [
  'rounds_done',
  'timeout',
  'token_limit',
  'cost_limit',
  'stopped_by_user',
  'stopped_by_admin',
  'no_participants',
  'error',
] as const satisfies StopReason[];

/** A session still awaiting its topic or running can be stopped. */
export function isActiveSession(status: SessionStatus): boolean {
  return status === 'awaiting_topic' || status === 'running';
}
