// WebSocket envelope parsing: typed events for known frames, null for anything else.
import { describe, expect, it } from 'vitest';
import { makeChat, makeMessage } from '@/test/factories';
import { parseEnvelope } from './envelope';

const ts = '2026-01-01T12:00:00Z';

describe('parseEnvelope', () => {
  it('parses message.created and message.updated frames', () => {
    const message = makeMessage({ id: 1 });
    for (const type of ['message.created', 'message.updated'] as const) {
      const event = parseEnvelope(JSON.stringify({ type, data: message, ts }));
      expect(event).toEqual({ type, data: message, ts });
    }
  });

  it('parses chat.updated, hello and pong', () => {
    const chat = makeChat({ id: -100 });
    expect(parseEnvelope(JSON.stringify({ type: 'chat.updated', data: chat, ts }))?.data).toEqual(
      chat,
    );
    const hello = { admin: { id: 1, login: 'root', role: 'owner' } };
    expect(parseEnvelope(JSON.stringify({ type: 'hello', data: hello, ts }))?.type).toBe('hello');
    expect(parseEnvelope(JSON.stringify({ type: 'pong', data: null, ts }))?.type).toBe('pong');
  });

  it('accepts an already-parsed object', () => {
    expect(parseEnvelope({ type: 'pong', data: null, ts })?.type).toBe('pong');
  });

  it.each([
    ['not JSON', '{oops'],
    ['a JSON array', '[1,2]'],
    ['no type', JSON.stringify({ data: {}, ts })],
    ['an unknown type', JSON.stringify({ type: 'message.deleted', data: { id: 1 }, ts })],
    ['a message without ids', JSON.stringify({ type: 'message.created', data: { text: 'x' }, ts })],
    [
      'a message with a string id',
      JSON.stringify({ type: 'message.created', data: { ...makeMessage({ id: 1 }), id: '1' }, ts }),
    ],
    ['a chat without an id', JSON.stringify({ type: 'chat.updated', data: { type: 'group' }, ts })],
    ['hello without admin', JSON.stringify({ type: 'hello', data: {}, ts })],
  ])('returns null for %s', (_label, frame) => {
    expect(parseEnvelope(frame)).toBeNull();
  });

  it('accepts a console-only round-table turn (chat_id null with a session_id)', () => {
    const delta = parseEnvelope({
      type: 'llm.delta',
      data: { job_id: 1, chat_id: null, session_id: 3, speaker: 'demo · A', seq: 0, delta: 'x' },
      ts: '',
    });
    expect(delta?.type === 'llm.delta' && delta.data).toMatchObject({
      chat_id: null,
      session_id: 3,
      speaker: 'demo · A',
    });
    // Without a session a null chat is still refused.
    expect(
      parseEnvelope({ type: 'llm.delta', data: { job_id: 1, chat_id: null, seq: 0, delta: 'x' } }),
    ).toBeNull();
    const done = parseEnvelope({
      type: 'llm.done',
      data: { job_id: 1, chat_id: null, session_id: 3, speaker: null, ok: true },
      ts: '',
    });
    expect(done?.type === 'llm.done' && done.data.session_id).toBe(3);
  });
});
