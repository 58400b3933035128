// While a model writes an auto-reply, the stream ends with a "Bot is typing…" bubble holding the
// text so far (marked when the demo model writes it); it goes when the stream does. Drafts
// never show here.
import { act, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LlmDelta } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';
import { addDelta, finishStream, type LlmStreams } from '@/lib/cache/llm-streams';
import { windowFromNewestPage } from '@/lib/cache/messages';
import { makeMessage, makeSession } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { MessageStream } from './message-stream';

afterEach(() => vi.unstubAllGlobals());

const delta = (seq: number, text: string, extra: Partial<LlmDelta> = {}): LlmDelta => ({
  job_id: 5,
  chat_id: 100,
  session_id: null,
  speaker: null,
  draft_id: null,
  in_reply_to: 1,
  provider: 'Demo',
  demo: true,
  seq,
  delta: text,
  ...extra,
});

describe('TypingBubbles', () => {
  it('shows the reply growing, then removes it on llm.done', async () => {
    vi.stubGlobal('fetch', vi.fn());
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.me, makeSession('viewer'));
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: null }),
    );
    renderWithProviders(<MessageStream chatId={100} chatName="Group" />, { queryClient: client });
    const key = queryKeys.llmStreams(100);
    // The query cache notifies observers on a timer: let it fire inside act.
    const push = (fn: (s: LlmStreams | undefined) => LlmStreams) =>
      act(async () => {
        client.setQueryData<LlmStreams>(key, (s) => fn(s));
        await new Promise((resolve) => setTimeout(resolve, 0));
      });

    expect(screen.queryByRole('article', { name: 'Bot is typing…' })).not.toBeInTheDocument();
    await push((s) => addDelta(s, delta(0, 'Hello')));
    await push((s) => addDelta(s, delta(0, 'secret draft', { job_id: 6, draft_id: 2 })));
    await push((s) => addDelta(s, delta(1, ', Alice')));
    const bubble = screen.getByRole('article', { name: 'Bot is typing…' });
    expect(bubble).toHaveTextContent('Hello, Alice');
    expect(within(bubble).getByText('demo model')).toBeInTheDocument();
    expect(screen.queryByText('secret draft')).not.toBeInTheDocument();

    await push((s) =>
      finishStream(s, {
        session_id: null,
        speaker: null,
        job_id: 5,
        chat_id: 100,
        draft_id: null,
        ok: true,
        error: null,
      }),
    );
    expect(screen.queryByRole('article', { name: 'Bot is typing…' })).not.toBeInTheDocument();
  });

  it('names the speaker of a round-table turn being written in the chat', async () => {
    vi.stubGlobal('fetch', vi.fn());
    const client = createTestQueryClient();
    client.setQueryData(queryKeys.me, makeSession('viewer'));
    client.setQueryData(
      queryKeys.messages(100),
      windowFromNewestPage({ items: [makeMessage({ id: 1 })], next_cursor: null }),
    );
    renderWithProviders(<MessageStream chatId={100} chatName="Group" />, { queryClient: client });
    await act(async () => {
      client.setQueryData<LlmStreams>(queryKeys.llmStreams(100), (s) =>
        addDelta(
          s,
          delta(0, 'I disagree', {
            session_id: 3,
            speaker: 'DeepSeek · Скептик',
            in_reply_to: null,
          }),
        ),
      );
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    const bubble = screen.getByRole('article', { name: 'Bot is typing…' });
    expect(bubble).toHaveTextContent('DeepSeek · Скептик is typing…');
    expect(bubble).toHaveTextContent('I disagree');
  });
});
