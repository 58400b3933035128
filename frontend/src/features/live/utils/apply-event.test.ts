// Live events folded into the query cache: message windows and every cached chat list.
import { QueryClient } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import type { Message } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { chatWindowFromPage, type ChatWindow } from '@/lib/cache/chats';
import { windowFromNewestPage, type MessageWindow } from '@/lib/cache/messages';
import { makeChat, makeMessage } from '@/test/factories';
import { createTestQueryClient } from '@/test/render';
import { applyLiveEvent } from './apply-event';
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
