// Which cached queries an `entity.changed` {entity, ids} event makes stale. Configuration is
// small, so whole lists are refetched instead of patched.
import type { QueryKey } from '@tanstack/react-query';
import { queryKeys } from '@/lib/api/query-keys';

const KEYS: Record<string, readonly QueryKey[]> = {
  // A preset's values (and name) show in bindings and in every explain answer.
  preset: [queryKeys.presets, queryKeys.bindings, queryKeys.explain],
  binding: [queryKeys.bindings, queryKeys.explain],
  playbook: [queryKeys.playbooks],
  moderation_rule: [queryKeys.moderationRules],
  chat: [queryKeys.chatsAll, queryKeys.explain],
  user: [queryKeys.users],
  admin: [queryKeys.admins],
  setting: [queryKeys.settings, queryKeys.explain],
  // An acknowledged mention lowers its chat's mention badge (the count is the server's).
  notification: [queryKeys.notifications, queryKeys.chatsAll],
  // A provider's name and switch show in the chat panel's select and on the settings page too.
  provider: [queryKeys.providers],
  job: [queryKeys.jobs],
  draft: [queryKeys.drafts],
  // A session opening or ending sets or clears its chat's `session_id` (no chat.updated is sent).
  session: [queryKeys.sessionsAll, queryKeys.chatsAll],
  // A personality's title shows in the providers' list and in sessions' speaker labels.
  personality: [queryKeys.personalities, queryKeys.providers],
};

export function keysForEntity(entity: string): readonly QueryKey[] {
  return KEYS[entity] ?? [];
}
