import { describe, expect, it } from 'vitest';
import {
  CHAT_FILTER_TOGGLES,
  chatFilterParams,
  hasChatFilters,
  isPressed,
  toggleFilter,
} from './chat-filters';

describe('chat filters', () => {
  it('start with nothing pressed and no parameters', () => {
    expect(CHAT_FILTER_TOGGLES.some((t) => isPressed({}, t))).toBe(false);
    expect(chatFilterParams({})).toEqual({});
    expect(hasChatFilters({})).toBe(false);
  });

  it('make private and groups one choice: pressing one releases the other', () => {
    const privateOnly = toggleFilter({}, 'private');
    expect(chatFilterParams(privateOnly)).toEqual({ type: 'private' });
    const groups = toggleFilter(privateOnly, 'group');
    expect(isPressed(groups, 'private')).toBe(false);
    expect(chatFilterParams(groups)).toEqual({ type: 'group' });
    expect(chatFilterParams(toggleFilter(groups, 'group'))).toEqual({});
  });

  it('make auto-reply on and off one choice', () => {
    const on = toggleFilter({}, 'autoreplyOn');
    expect(chatFilterParams(on)).toEqual({ autoreply: true });
    const off = toggleFilter(on, 'autoreplyOff');
    expect(isPressed(off, 'autoreplyOn')).toBe(false);
    expect(chatFilterParams(off)).toEqual({ autoreply: false });
    expect(hasChatFilters(toggleFilter(off, 'autoreplyOff'))).toBe(false);
  });

  it('combine the independent toggles, in one stable parameter order', () => {
    let f = toggleFilter({}, 'roundtable');
    f = toggleFilter(f, 'unread');
    f = toggleFilter(f, 'flagged');
    f = toggleFilter(f, 'mentions');
    f = toggleFilter(f, 'group');
    expect(Object.keys(chatFilterParams(f))).toEqual([
      'type',
      'unread',
      'mentions',
      'flagged',
      'roundtable',
    ]);
    expect(chatFilterParams(toggleFilter(f, 'unread'))).not.toHaveProperty('unread');
  });
});
