// Pure rules for the replies and drafts a model is writing right now, held per chat in the query
// cache: `llm.delta` pieces are kept by `seq` (duplicates and reordering are harmless), a reply's
// stream goes away on `llm.done` or when its message lands, a draft's stays (marked done) for the
// preview that asked for it.
import type { LlmDelta, LlmDone } from '@/lib/api/delivery';
import type { Message } from '@/lib/api/client';

export type LlmStream = {
  jobId: number;
  /** Null only for a turn of a round-table session run in the console alone. */
  chatId: number | null;
  /** The round-table session whose turn this is, and its speaker label; null otherwise. */
  sessionId: number | null;
  speaker: string | null;
  draftId: number | null;
  inReplyTo: number | null;
  provider: string | null;
  demo: boolean;
  /** `[seq, delta]`, sorted by seq, unique by seq. */
  pieces: [number, string][];
  done: boolean;
  error: string | null;
};

/** Streams of one chat by job id. */
export type LlmStreams = Record<number, LlmStream>;

const EMPTY: LlmStreams = {};

function insertPiece(pieces: [number, string][], seq: number, delta: string) {
  if (pieces.some(([s]) => s === seq)) return pieces;
  return [...pieces, [seq, delta] as [number, string]].sort((a, b) => a[0] - b[0]);
}

/** Adds one delta; returns `streams` itself when the piece was already there. */
export function addDelta(streams: LlmStreams | undefined, delta: LlmDelta): LlmStreams {
  const current = streams ?? EMPTY;
  const stream = current[delta.job_id];
  if (stream?.done) return current;
  const base: LlmStream = stream ?? {
    jobId: delta.job_id,
    chatId: delta.chat_id,
    sessionId: delta.session_id ?? null,
    speaker: delta.speaker ?? null,
    draftId: delta.draft_id,
    inReplyTo: delta.in_reply_to,
    provider: delta.provider,
    demo: delta.demo,
    pieces: [],
    done: false,
    error: null,
  };
  const pieces = insertPiece(base.pieces, delta.seq, delta.delta);
  if (pieces === base.pieces && stream) return current;
  return { ...current, [delta.job_id]: { ...base, pieces } };
}

/** The end of a stream: a reply's bubble goes (its message follows); a draft is marked done. */
export function finishStream(streams: LlmStreams | undefined, done: LlmDone): LlmStreams {
  const current = streams ?? EMPTY;
  const stream = current[done.job_id];
  if (done.draft_id === null) {
    if (!stream) return current;
    const rest = { ...current };
    delete rest[done.job_id];
    return rest;
  }
  return {
    ...current,
    [done.job_id]: {
      ...(stream ?? {
        jobId: done.job_id,
        chatId: done.chat_id,
        sessionId: done.session_id ?? null,
        speaker: done.speaker ?? null,
        draftId: done.draft_id,
        inReplyTo: null,
        provider: null,
        demo: false,
        pieces: [],
      }),
      done: true,
      error: done.ok ? null : (done.error ?? ''),
    },
  };
}

/**
 * A bot message landed: the reply stream it finishes goes, matched by the message it answers
 * (or, when the stream did not say, by being a model-written message of the same chat).
 */
export function dropAnsweredStreams(streams: LlmStreams | undefined, message: Message): LlmStreams {
  const current = streams ?? EMPTY;
  if (message.author_type !== 'bot') return current;
  const answered = Object.values(current).filter(
    (s) =>
      s.draftId === null &&
      (s.inReplyTo === null
        ? message.llm !== null
        : message.in_reply_to !== null && s.inReplyTo === message.in_reply_to),
  );
  if (answered.length === 0) return current;
  const rest = { ...current };
  for (const s of answered) delete rest[s.jobId];
  return rest;
}

export function streamText(stream: Pick<LlmStream, 'pieces'>): string {
  return stream.pieces.map(([, delta]) => delta).join('');
}

/** Auto-replies being written, oldest job first (drafts are left to their preview). */
export function replyStreams(streams: LlmStreams | undefined): LlmStream[] {
  return Object.values(streams ?? EMPTY)
    .filter((s) => s.draftId === null)
    .sort((a, b) => a.jobId - b.jobId);
}

export function draftStream(
  streams: LlmStreams | undefined,
  draftId: number | null,
): LlmStream | null {
  if (draftId === null) return null;
  return Object.values(streams ?? EMPTY).find((s) => s.draftId === draftId) ?? null;
}

/** Forgets a draft's stream once its preview is closed or replaced. */
export function dropDraftStream(streams: LlmStreams | undefined, draftId: number): LlmStreams {
  const current = streams ?? EMPTY;
  const stream = draftStream(current, draftId);
  if (!stream) return current;
  const rest = { ...current };
  delete rest[stream.jobId];
  return rest;
}
