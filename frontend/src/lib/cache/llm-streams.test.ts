// Streams of replies and drafts: pieces kept in seq order without duplicates, a reply's stream
// gone on llm.done or when its message lands, a draft's kept and marked done.
import { describe, expect, it } from 'vitest';
import type { LlmDelta } from '@/lib/api/delivery';
import { makeLlmUsage, makeMessage } from '@/test/factories';
import {
  addDelta,
  draftStream,
  dropAnsweredStreams,
  dropDraftStream,
  finishStream,
  replyStreams,
  streamText,
  type LlmStreams,
} from './llm-streams';

const delta = (seq: number, text: string, over: Partial<LlmDelta> = {}): LlmDelta => ({
  job_id: 9,
  chat_id: 100,
  session_id: null,
  speaker: null,
  draft_id: null,
  in_reply_to: 41,
  provider: 'Demo',
  demo: true,
  seq,
  delta: text,
  ...over,
});

function apply(...deltas: LlmDelta[]): LlmStreams {
  return deltas.reduce<LlmStreams>((streams, d) => addDelta(streams, d), {});
}

describe('llm streams', () => {
  it('appends pieces in seq order whatever order they arrive in, once each', () => {
    const streams = apply(delta(0, 'Hel'), delta(2, ' there'), delta(1, 'lo'), delta(2, ' there'));
    expect(streamText(streams[9]!)).toBe('Hello there');
    expect(streams[9]).toMatchObject({ chatId: 100, inReplyTo: 41, demo: true, provider: 'Demo' });
  });

  it('returns the same object for a duplicate piece', () => {
    const streams = apply(delta(0, 'a'));
    expect(addDelta(streams, delta(0, 'a'))).toBe(streams);
  });

  it('keeps replies and drafts apart', () => {
    const streams = apply(delta(0, 'reply'), delta(0, 'draft', { job_id: 10, draft_id: 3 }));
    expect(replyStreams(streams).map((s) => s.jobId)).toEqual([9]);
    expect(streamText(draftStream(streams, 3)!)).toBe('draft');
    expect(draftStream(streams, 4)).toBeNull();
  });

  it('drops a reply on llm.done but keeps a finished draft, with its error', () => {
    let streams = apply(delta(0, 'reply'), delta(0, 'dra', { job_id: 10, draft_id: 3 }));
    streams = finishStream(streams, {
      session_id: null,
      speaker: null,
      job_id: 9,
      chat_id: 100,
      draft_id: null,
      ok: true,
      error: null,
    });
    expect(streams[9]).toBeUndefined();
    streams = finishStream(streams, {
      session_id: null,
      speaker: null,
      job_id: 10,
      chat_id: 100,
      draft_id: 3,
      ok: false,
      error: 'timeout',
    });
    expect(draftStream(streams, 3)).toMatchObject({ done: true, error: 'timeout' });
    // Late pieces of a finished stream are ignored.
    expect(addDelta(streams, delta(1, 'ft', { job_id: 10, draft_id: 3 }))).toBe(streams);
    expect(dropDraftStream(streams, 3)).toEqual({});
  });

  it('drops the reply stream its bot message answers', () => {
    const streams = apply(delta(0, 'a'), delta(0, 'b', { job_id: 11, in_reply_to: 42 }));
    const reply = makeMessage({
      id: 60,
      direction: 'out',
      author_type: 'bot',
      in_reply_to: 41,
      llm: makeLlmUsage(),
    });
    expect(Object.keys(dropAnsweredStreams(streams, reply))).toEqual(['11']);
    const incoming = makeMessage({ id: 61, in_reply_to: 41 });
    expect(dropAnsweredStreams(streams, incoming)).toBe(streams);
  });

  it('matches a stream that named no message by a model-written message', () => {
    const streams = apply(delta(0, 'a', { in_reply_to: null }));
    const manual = makeMessage({ id: 62, author_type: 'bot', direction: 'out' });
    expect(dropAnsweredStreams(streams, manual)).toBe(streams);
    const written = makeMessage({ id: 63, author_type: 'bot', llm: makeLlmUsage() });
    expect(dropAnsweredStreams(streams, written)).toEqual({});
  });
});
