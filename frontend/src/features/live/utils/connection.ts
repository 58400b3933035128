// One WebSocket to /ws that reconnects with jittered exponential backoff and reports its status.
// Socket construction and timers are injectable so tests can drive it without a server.
import { parseEnvelope, type LiveEvent } from '@/lib/live/envelope';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';

export type SocketLike = {
  onopen: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onmessage: ((ev: MessageEvent) => void) | null;
  send(data: string): void;
  close(code?: number): void;
};

export type LiveConnectionOptions = {
  url: string;
  onEvent: (event: LiveEvent) => void;
  onStatus: (status: LiveStatus) => void;
  /** Called on every successful open, the first one included: time to backfill. */
  onOpen: () => void;
  /** Called before each reconnect attempt, with the number of failures in a row. */
  onRetry?: (failures: number) => void;
  createSocket?: (url: string) => SocketLike;
  random?: () => number;
  pingIntervalMs?: number;
};

const BASE_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/** Backoff before reconnect attempt `failures` (1-based): 0.5 s doubling to 15 s, 50–100 % jitter. */
export function backoffDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.max(0, failures - 1));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

/** ws:// or wss:// on the page's own origin, so the session cookie goes along. */
export function liveUrl(location: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws`;
}

/** The socket URL, asking for what was missed after `lastEventId` when there is one. */
export function withAfter(url: string, lastEventId: number | null): string {
  if (lastEventId === null) return url;
  return `${url}${url.includes('?') ? '&' : '?'}after=${lastEventId}`;
}

export class LiveConnection {
  private socket: SocketLike | null = null;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private stopped = true;
  /** The highest journal `event_id` seen (or the hello's position): `/ws?after=` on reconnect. */
  private lastEventId: number | null = null;
  private readonly options: LiveConnectionOptions;

  constructor(options: LiveConnectionOptions) {
    this.options = options;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.options.onStatus('connecting');
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.onerror = null;
      socket.onopen = null;
      socket.close(1000);
    }
  }

  private open(): void {
    const create = this.options.createSocket ?? ((url: string) => new WebSocket(url));
    let socket: SocketLike;
    try {
      socket = create(withAfter(this.options.url, this.lastEventId));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      this.failures = 0;
      this.options.onStatus('live');
      this.startPing();
      this.options.onOpen();
    };
    socket.onmessage = (ev: MessageEvent) => {
      const event = parseEnvelope(ev.data);
      if (!event) return;
      this.track(event);
      this.options.onEvent(event);
    };
    // Every failure ends in close; reconnecting there alone keeps one attempt in flight.
    socket.onerror = () => {};
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      if (!this.stopped) this.scheduleReconnect();
    };
  }

  private track(event: LiveEvent): void {
    let id = event.eventId;
    // a first connection starts from the server's position; a reconnect keeps its own
    if (event.type === 'hello' && this.lastEventId === null) id = event.data.event_id ?? undefined;
    if (typeof id === 'number' && (this.lastEventId === null || id > this.lastEventId)) {
      this.lastEventId = id;
    }
  }

  private scheduleReconnect(): void {
    this.failures += 1;
    this.options.onStatus('reconnecting');
    this.options.onRetry?.(this.failures);
    const delay = backoffDelay(this.failures, this.options.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this.open();
    }, delay);
  }

  private startPing(): void {
    const interval = this.options.pingIntervalMs ?? 25_000;
    this.pingTimer = setInterval(() => {
      try {
        this.socket?.send(JSON.stringify({ type: 'ping' }));
      } catch {
        // A dead socket reports itself through onclose.
      }
    }, interval);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.pingTimer) clearInterval(this.pingTimer);
    this.retryTimer = null;
    this.pingTimer = null;
  }
}
