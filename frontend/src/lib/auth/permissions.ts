// What each role may do, mirroring the roles matrix in contract-behaviour.md. The UI hides or
// disables controls from this; the SQL functions still enforce it (403 on the server).
import type { Admin } from '@/lib/api/client';

export type Role = Admin['role'];

const RANK: Record<Role, number> = { viewer: 0, moderator: 1, admin: 2, owner: 3 };

export type Capability =
  | 'read'
  /** Manual send, takeover/resume, flag/unflag/delete messages, ack notifications. */
  | 'moderate'
  /** Presets, bindings, import/export, playbooks, rules, chat switches, user mute, settings. */
  | 'configure'
  /** Admin accounts. */
  | 'manageAdmins';

const MINIMUM: Record<Capability, Role> = {
  read: 'viewer',
  moderate: 'moderator',
  configure: 'admin',
  manageAdmins: 'owner',
};

export function can(role: Role | undefined, capability: Capability): boolean {
  if (!role) return false;
  return RANK[role] >= RANK[MINIMUM[capability]];
}
