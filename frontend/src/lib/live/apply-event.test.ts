// Live events folded into the query cache: message windows, every cached chat list and the
// replies/drafts a model is writing.
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';
import { streamText, type LlmStreams } from '@/lib/cache/llm-streams';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';
import { makeChat, makeLlmUsage, makeMessage } from '@/test/factories';
import { createTestQueryClient } from '@/test/render';
import { applyLiveEvent, forgetLlmStreams } from './apply-event';
import { parseEnvelope } from './envelope';

const ts = '2026-01-01T12:00:00Z';

function messageIds(client: QueryClient, chatId: number) {
  return client.getQueryData<MessageWindow>(queryKeys.messages(chatId))?.items.map((m) => m.id);
}

function deliver(client: QueryClient, type: string, data: unknown) {
  const event = parseEnvelope(JSON.stringify({ type, data, ts }));
  if (!event) throw new Error('bad frame');
  applyLiveEvent(client, event);
}

describe('applyLiveEvent', () => {
  it('appends message.created to the chat window, sorted and without duplicates', () => {
    const client = createTestQueryClient();
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({
        items: [makeMessage({ id: 2 }), makeMessage({ id: 1 })],
        next_cursor: null,
      }),
    );
    deliver(client, 'message.created', makeMessage({ id: 4 }));
    deliver(client, 'message.created', makeMessage({ id: 3 }));
    deliver(client, 'message.created', makeMessage({ id: 4 }));
    expect(messageIds(client, 100)).toEqual([1, 2, 3, 4]);
  });

  it('replaces the message on message.updated', () => {
    const client = createTestQueryClient();
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1, text: 'v1' })], next_cursor: null }),
    );
    deliver(
      client,
      'message.updated',
      makeMessage({
        id: 1,
        text: 'v2',
        edited_at: '2026-01-01T12:01:00Z',
        edit_history: [{ text: 'v1', edited_at: '2026-01-01T12:01:00Z' }],
      }),
    );
    const window = client.getQueryData<MessageWindow>(queryKeys.messages(100))!;
    expect(window.items).toHaveLength(1);
    expect(window.items[0]!.text).toBe('v2');
  });

  it('leaves other chats and uncached chats alone', () => {
    const client = createTestQueryClient();
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: null }),
    );
    deliver(client, 'message.created', makeMessage({ id: 2, chat_id: 200 }));
    expect(messageIds(client, 100)).toEqual([1]);
    expect(client.getQueryData(queryKeys.messages(200))).toBeUndefined();
  });

  it('bumps the chat in every cached list and updates its preview', () => {
    const client = createTestQueryClient();
    const older = makeChat({ id: 100, title: 'Ops', last_message_at: '2026-01-01T08:00:00Z' });
    const newer = makeChat({ id: 200, title: 'Sales', last_message_at: '2026-01-01T09:00:00Z' });
    client.setQueryData(
      queryKeys.chats(''),
      chatWindowFromPage({ items: [newer, older], next_cursor: null }),
    );
    client.setQueryData(
      queryKeys.chats('ops'),
      chatWindowFromPage({ items: [older], next_cursor: null }),
    );
    deliver(
      client,
      'message.created',
      makeMessage({ id: 5, chat_id: 100, text: 'ping', created_at: '2026-01-01T10:00:00Z' }),
    );
    const all = client.getQueryData<ChatWindow>(queryKeys.chats(''))!;
    expect(all.items.map((c) => c.id)).toEqual([100, 200]);
    expect(all.items[0]!.last_message_text).toBe('ping');
    expect(
      client.getQueryData<ChatWindow>(queryKeys.chats('ops'))!.items[0]!.last_message_text,
    ).toBe('ping');
  });

  it('inserts a new chat on chat.updated only into lists whose search it matches', () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.chats(''), chatWindowFromPage({ items: [], next_cursor: null }));
    client.setQueryData(
      queryKeys.chats('zzz'),
      chatWindowFromPage({ items: [], next_cursor: null }),
    );
    const fresh = makeChat({ id: -5, title: 'New group', last_message_at: ts });
    deliver(client, 'chat.updated', fresh);
    deliver(client, 'chat.updated', fresh);
    expect(client.getQueryData<ChatWindow>(queryKeys.chats(''))!.items.map((c) => c.id)).toEqual([
      -5,
    ]);
    expect(client.getQueryData<ChatWindow>(queryKeys.chats('zzz'))!.items).toEqual([]);
  });

  it('does not lose a message that arrives while the chat history is still loading', async () => {
    const client = createTestQueryClient();
    let resolve!: (window: MessageWindow) => void;
    const loading = client.fetchQuery({
      queryKey: queryKeys.messages(100),
      queryFn: () => new Promise<MessageWindow>((r) => (resolve = r)),
    });
    const live: Message = makeMessage({ id: 3 });
    deliver(client, 'message.created', live);
    // The response was read before message 3 existed.
    resolve(
      windowFromNewestPage({
        items: [makeMessage({ id: 2 }), makeMessage({ id: 1 })],
        next_cursor: null,
      }),
    );
    await loading;
    expect(messageIds(client, 100)).toEqual([1, 2, 3]);
  });
});

describe('applyLiveEvent during a refetch', () => {
  it('re-applies a chat.updated that lands while the chat list is being refetched', async () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.chats(''), chatWindowFromPage({ items: [], next_cursor: null }));
    let resolve!: (window: ChatWindow) => void;
    const refetch = client.fetchQuery({
      queryKey: queryKeys.chats(''),
      queryFn: () => new Promise<ChatWindow>((r) => (resolve = r)),
      staleTime: 0,
    });
    const fresh = makeChat({ id: -9, title: 'Fresh', last_message_at: ts });
    deliver(client, 'chat.updated', fresh);
    expect(client.getQueryData<ChatWindow>(queryKeys.chats(''))!.items.map((c) => c.id)).toEqual([
      -9,
    ]);
    // The server answered from before the chat existed.
    resolve(chatWindowFromPage({ items: [makeChat({ id: 1 })], next_cursor: null }));
    await refetch;
    expect(client.getQueryData<ChatWindow>(queryKeys.chats(''))!.items.map((c) => c.id)).toEqual([
      -9, 1,
    ]);
  });
});

describe('applyLiveEvent: llm.delta and llm.done', () => {
  const streamsOf = (client: QueryClient, chatId: number) =>
    client.getQueryData<LlmStreams>(queryKeys.llmStreams(chatId));
  const delta = (seq: number, text: string, extra: object = {}) => ({
    job_id: 5,
    chat_id: 100,
    draft_id: null,
    in_reply_to: 1,
    provider: 'Demo',
    demo: true,
    seq,
    delta: text,
    ...extra,
  });

  it('collects deltas per job in seq order and drops the reply on llm.done', () => {
    const client = createTestQueryClient();
    deliver(client, 'llm.delta', delta(1, ' world'));
    deliver(client, 'llm.delta', delta(0, 'Hello'));
    deliver(client, 'llm.delta', delta(0, 'other', { job_id: 6, chat_id: 200 }));
    expect(streamText(streamsOf(client, 100)![5]!)).toBe('Hello world');
    expect(Object.keys(streamsOf(client, 200)!)).toEqual(['6']);
    deliver(client, 'llm.done', { job_id: 5, chat_id: 100, draft_id: null, ok: true, error: null });
    expect(streamsOf(client, 100)).toEqual({});
  });

  it('drops the reply stream when its message.created lands first', () => {
    const client = createTestQueryClient();
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: null }),
    );
    deliver(client, 'llm.delta', delta(0, 'Hi'));
    deliver(
      client,
      'message.created',
      makeMessage({
        id: 2,
        direction: 'out',
        author_type: 'bot',
        sender: null,
        status: 'queued',
        in_reply_to: 1,
        llm: makeLlmUsage({ demo: true }),
      }),
    );
    expect(messageIds(client, 100)).toEqual([1, 2]);
    expect(streamsOf(client, 100)).toEqual({});
  });

  it('keeps a draft stream, marked done, for its preview', () => {
    const client = createTestQueryClient();
    deliver(client, 'llm.delta', delta(0, 'Draft', { job_id: 7, draft_id: 3, in_reply_to: null }));
    deliver(client, 'llm.done', { job_id: 7, chat_id: 100, draft_id: 3, ok: true, error: null });
    expect(streamsOf(client, 100)![7]).toMatchObject({ draftId: 3, done: true, error: null });
  });

  it('rejects malformed frames and fills defaults for optional members', () => {
    expect(
      parseEnvelope(JSON.stringify({ type: 'llm.delta', data: { job_id: 1 }, ts })),
    ).toBeNull();
    const event = parseEnvelope(
      JSON.stringify({
        type: 'llm.delta',
        data: { job_id: 1, chat_id: 2, seq: 0, delta: 'x' },
        ts,
      }),
    );
    expect(event?.data).toMatchObject({ draft_id: null, in_reply_to: null, demo: false });
  });

  it('forgets half-written streams after a reconnect', () => {
    const client = createTestQueryClient();
    deliver(client, 'llm.delta', delta(0, 'Hi'));
    forgetLlmStreams(client);
    expect(streamsOf(client, 100)).toEqual({});
  });

  it('a console-only round-table turn marks its session and the session lists stale, no chat touched', () => {
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.session(3), { id: 3 });
    client.setQueryData(queryKeys.sessions({ status: '' }), { pages: [], pageParams: [] });
    client.setQueryData(queryKeys.session(4), { id: 4 });
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: null }),
    );
    deliver(
      client,
      'message.created',
      makeMessage({ id: 9, chat_id: null, session_id: 3, speaker: 'demo · A', round: 1 }),
    );
    const stale = (key: readonly unknown[]) => client.getQueryState(key)?.isInvalidated;
    expect(stale(queryKeys.session(3))).toBe(true);
    expect(stale(queryKeys.sessions({ status: '' }))).toBe(true);
    expect(stale(queryKeys.session(4))).toBe(false);
    expect(messageIds(client, 100)).toEqual([1]);
  });
});
