// The reconnecting WebSocket: status changes, event delivery, backoff and a fresh backfill on
// every open, driven by a fake socket and fake timers.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeMessage } from '@/test/factories';
import {
  backoffDelay,
  LiveConnection,
  liveUrl,
  type LiveStatus,
  type SocketLike,
  withAfter,
} from './connection';
import { parseEnvelope } from '@/lib/live/envelope';

class FakeSocket implements SocketLike {
  onopen: SocketLike['onopen'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  onmessage: SocketLike['onmessage'] = null;
  sent: string[] = [];
  closed = false;
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.(new Event('open'));
  }
  receive(data: unknown) {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(data) }));
  }
  drop() {
    this.onclose?.(new CloseEvent('close'));
  }
}

describe('LiveConnection', () => {
  let sockets: FakeSocket[];
  let statuses: LiveStatus[];
  let opens: number;
  let connection: LiveConnection;
  const events: unknown[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    sockets = [];
    statuses = [];
    opens = 0;
    events.length = 0;
    connection = new LiveConnection({
      url: 'ws://example.test/ws',
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      onOpen: () => (opens += 1),
      createSocket: () => {
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      random: () => 1,
      pingIntervalMs: 1000,
    });
  });

  afterEach(() => {
    connection.stop();
    vi.useRealTimers();
  });

  it('goes live on open, delivers parsed events and drops junk', () => {
    connection.start();
    expect(statuses).toEqual(['connecting']);
    sockets[0]!.open();
    expect(statuses.at(-1)).toBe('live');
    expect(opens).toBe(1);
    sockets[0]!.receive({ type: 'message.created', data: makeMessage({ id: 1 }), ts: 'x' });
    sockets[0]!.receive({ type: 'nonsense' });
    expect(events).toHaveLength(1);
  });

  it('reconnects with growing delays and backfills again on every open', () => {
    connection.start();
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(statuses.at(-1)).toBe('reconnecting');
    vi.advanceTimersByTime(499);
    expect(sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(2);
    sockets[1]!.drop();
    vi.advanceTimersByTime(999);
    expect(sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(sockets).toHaveLength(3);
    sockets[2]!.open();
    expect(statuses.at(-1)).toBe('live');
    expect(opens).toBe(2);
  });

  it('pings while open', () => {
    connection.start();
    sockets[0]!.open();
    vi.advanceTimersByTime(2000);
    expect(sockets[0]!.sent).toEqual(['{"type":"ping"}', '{"type":"ping"}']);
  });

  it('stops for good: closes the socket and never reconnects', () => {
    connection.start();
    sockets[0]!.open();
    connection.stop();
    expect(sockets[0]!.closed).toBe(true);
    vi.advanceTimersByTime(60_000);
    expect(sockets).toHaveLength(1);
  });
});

describe('backoffDelay', () => {
  it('doubles from 0.5 s and caps at 15 s, with jitter down to half', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 10].map((n) => backoffDelay(n, () => 1))).toEqual([
      500, 1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
    expect(backoffDelay(1, () => 0)).toBe(250);
  });
});

describe('liveUrl', () => {
  it('uses ws: or wss: on the page origin', () => {
    expect(liveUrl({ protocol: 'http:', host: '127.0.0.1:8080' })).toBe('ws://127.0.0.1:8080/ws');
    expect(liveUrl({ protocol: 'https:', host: 'admin.example' })).toBe('wss://admin.example/ws');
  });
});

describe('LiveConnection catch-up', () => {
  afterEach(() => vi.useRealTimers());

  it('reconnects with ?after= the highest event_id seen, starting from the hello position', () => {
    vi.useFakeTimers();
    const urls: string[] = [];
    const sockets: FakeSocket[] = [];
    const connection = new LiveConnection({
      url: 'ws://example.test/ws',
      onEvent: () => {},
      onStatus: () => {},
      onOpen: () => {},
      createSocket: (url) => {
        urls.push(url);
        const socket = new FakeSocket();
        sockets.push(socket);
        return socket;
      },
      random: () => 1,
    });
    connection.start();
    sockets[0]!.open();
    sockets[0]!.receive({ type: 'hello', data: { admin: { id: 1 }, event_id: 40 }, ts: 'x' });
    sockets[0]!.drop();
    vi.runOnlyPendingTimers();
    expect(urls).toEqual(['ws://example.test/ws', 'ws://example.test/ws?after=40']);
    sockets[1]!.open();
    // a reconnect's hello does not move the position back; events move it forward
    sockets[1]!.receive({ type: 'hello', data: { admin: { id: 1 }, event_id: 45 }, ts: 'x' });
    sockets[1]!.receive({
      type: 'message.created',
      data: makeMessage({ id: 2 }),
      ts: 'x',
      event_id: 43,
    });
    sockets[1]!.receive({
      type: 'resync',
      data: { reason: 'too much missed' },
      ts: 'x',
      event_id: 47,
    });
    sockets[1]!.drop();
    vi.runOnlyPendingTimers();
    expect(urls.at(-1)).toBe('ws://example.test/ws?after=47');
    connection.stop();
  });

  it('parses event_id and resync frames', () => {
    const created = parseEnvelope({
      type: 'message.created',
      data: makeMessage({ id: 3 }),
      ts: 'x',
      event_id: 9,
    });
    expect(created?.eventId).toBe(9);
    expect(parseEnvelope({ type: 'resync', data: { reason: 'journal pruned' }, ts: 'x' })).toEqual({
      type: 'resync',
      data: { reason: 'journal pruned' },
      ts: 'x',
    });
    expect(withAfter('ws://h/ws', null)).toBe('ws://h/ws');
  });
});
