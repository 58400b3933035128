// Which bindings reach a chat, and how a countdown reads.
import { describe, expect, it } from 'vitest';
import type { Binding } from '@/lib/api/behaviour';
import { formatRemaining, relevantBindings } from './bindings';

const binding = (over: Partial<Binding> & { id: number }): Binding => ({
  scope: 'chat',
  chat_id: null,
  user_id: null,
  preset_id: 1,
  preset_name: 'p',
  expires_at: null,
  created_at: '2026-01-01T00:00:00Z',
  created_by: 'admin:1',
  created_by_name: 'admin',
  target_name: null,
  active: true,
  ...over,
});

describe('relevantBindings', () => {
  it('keeps global, this chat, this user and this user in this chat, active only', () => {
    const items = [
      binding({ id: 1, scope: 'global' }),
      binding({ id: 2, scope: 'chat', chat_id: -5 }),
      binding({ id: 3, scope: 'chat', chat_id: -6 }),
      binding({ id: 4, scope: 'user', user_id: 7 }),
      binding({ id: 5, scope: 'chat_user', chat_id: -5, user_id: 7 }),
      binding({ id: 6, scope: 'global', active: false }),
    ];
    expect(relevantBindings(items, -5, 7).map((b) => b.id)).toEqual([1, 2, 4, 5]);
    expect(relevantBindings(items, -5).map((b) => b.id)).toEqual([1, 2]);
  });
});

describe('formatRemaining', () => {
  it('reads hours and minutes, rounding up to the minute', () => {
    expect(formatRemaining(65 * 60_000, 'en')).toBe('1 hr 5 min');
    expect(formatRemaining(59 * 60_000 + 1, 'en')).toBe('1 hr');
    expect(formatRemaining(30_000, 'en')).toBe('1 min');
    expect(formatRemaining(-5, 'en')).toBe('0 min');
    expect(formatRemaining(26 * 3_600_000, 'ru')).toBe('1 дн. 2 ч');
  });
});
