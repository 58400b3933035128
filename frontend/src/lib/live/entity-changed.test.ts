// entity.changed invalidates the matching queries (and only those); notification.created
// merges into the cached notification lists.
import { describe, expect, it } from 'vitest';
import type { Notification, NotificationPage } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { createTestQueryClient } from '@/test/render';
import { applyLiveEvent } from './apply-event';
import { parseEnvelope } from './envelope';
import { keysForEntity } from './entity-keys';

function deliver(client: ReturnType<typeof createTestQueryClient>, type: string, data: unknown) {
  const event = parseEnvelope(JSON.stringify({ type, data, ts: '2026-01-01T00:00:00Z' }));
  if (!event) throw new Error('bad frame');
  applyLiveEvent(client, event);
}

const stale = (client: ReturnType<typeof createTestQueryClient>, key: readonly unknown[]) =>
  client.getQueryState(key)?.isInvalidated;

describe('entity.changed', () => {
  it('invalidates presets, bindings and explain for a preset change', () => {
    const client = createTestQueryClient();
    const keys = [
      [...queryKeys.presets, { q: '' }],
      [...queryKeys.bindings, { active: true }],
      queryKeys.explainFor({ chat_id: 1 }),
      [...queryKeys.playbooks, { limit: 200 }],
      queryKeys.settings,
    ];
    for (const key of keys) client.setQueryData(key, { items: [] });
    deliver(client, 'entity.changed', { entity: 'preset', ids: [3] });
    expect(keys.map((key) => stale(client, key))).toEqual([true, true, true, false, false]);
  });

  it('maps every configuration entity and ignores unknown ones', () => {
    expect(keysForEntity('moderation_rule')).toEqual([queryKeys.moderationRules]);
    expect(keysForEntity('chat')).toEqual([queryKeys.chatsAll, queryKeys.explain]);
    expect(keysForEntity('admin')).toEqual([queryKeys.admins]);
    expect(keysForEntity('user')).toEqual([queryKeys.users]);
    expect(keysForEntity('setting')).toContainEqual(queryKeys.settings);
    // A session opening or ending sets its chat's session_id: the chat lists refetch.
    expect(keysForEntity('session')).toEqual([queryKeys.sessionsAll, queryKeys.chatsAll]);
    expect(keysForEntity('something_new')).toEqual([]);
  });

  it('refetches the chat lists when a notification is acknowledged (a mention badge goes down)', () => {
    const client = createTestQueryClient();
    const keys = [
      [...queryKeys.notifications, { unacked: true }],
      [...queryKeys.chatsAll, { q: '' }],
      [...queryKeys.chatsAll, { q: '', mentions: true }],
      queryKeys.settings,
    ];
    for (const key of keys) client.setQueryData(key, { items: [] });
    deliver(client, 'entity.changed', { entity: 'notification', ids: [7] });
    expect(keys.map((key) => stale(client, key))).toEqual([true, true, true, false]);
  });

  it('drops a malformed entity.changed frame', () => {
    expect(
      parseEnvelope(JSON.stringify({ type: 'entity.changed', data: { ids: [1] } })),
    ).toBeNull();
  });
});

describe('notification.created', () => {
  it('adds the notification to the unacked and recent lists once', () => {
    const client = createTestQueryClient();
    const empty: NotificationPage = { items: [], next_cursor: null, unacked_count: 4 };
    client.setQueryData([...queryKeys.notifications, { unacked: true }], empty);
    client.setQueryData([...queryKeys.notifications, { unacked: false }], empty);
    const n: Notification = {
      id: 7,
      kind: 'mention',
      chat_id: -100,
      message_pk: 12,
      payload: {},
      created_at: '2026-01-01T00:00:00Z',
      acked_at: null,
      acked_by: null,
      chat_title: null,
      user_name: null,
      rule_name: null,
    };
    deliver(client, 'notification.created', n);
    deliver(client, 'notification.created', n);
    for (const unacked of [true, false]) {
      const page = client.getQueryData<NotificationPage>([...queryKeys.notifications, { unacked }]);
      expect(page?.items.map((x) => x.id)).toEqual([7]);
      expect(page?.unacked_count).toBe(5);
    }
  });
});
