// One model draft as the reply preview sees it: its text so far (llm.delta pieces while it is
// generating, the stored text once ready), its state, error and usage. Combines the draft query
// with the chat's live streams.
import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { Draft, LlmUsage } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';
import { draftStream, dropDraftStream, streamText, type LlmStreams } from '@/lib/cache/llm-streams';
import { useDraft } from '../api/get-draft';
import { useLlmStreams } from './use-llm-streams';

export type DraftReply = {
  status: Draft['status'] | null;
  text: string;
  error: string | null;
  llm: LlmUsage | null;
  demo: boolean;
};

export function useDraftReply(chatId: number, draftId: number | null): DraftReply {
  const client = useQueryClient();
  const draft = useDraft(draftId);
  const stream = draftStream(useLlmStreams(chatId), draftId);
  const data = draftId !== null && draft.data?.id === draftId ? draft.data : undefined;
  const { refetch } = draft;

  // The stream ended: fetch the stored draft now rather than at the next poll.
  const streamDone = stream?.done ?? false;
  const generating = data?.status === 'generating';
  useEffect(() => {
    if (streamDone && generating) void refetch();
  }, [streamDone, generating, refetch]);

  // A closed or replaced preview no longer needs its draft's pieces.
  useEffect(() => {
    if (draftId === null) return;
    return () => {
      const key = queryKeys.llmStreams(chatId);
      const before = client.getQueryData<LlmStreams>(key);
      const after = dropDraftStream(before, draftId);
      if (after !== before) client.setQueryData(key, after);
    };
  }, [client, chatId, draftId]);

  if (draftId === null) return { status: null, text: '', error: null, llm: null, demo: false };
  const failedLive = stream?.done === true && stream.error !== null;
  const status = data?.status ?? (failedLive ? 'failed' : 'generating');
  const text =
    data?.status === 'ready' ? (data.text ?? '') : stream ? streamText(stream) : (data?.text ?? '');
  return {
    status: status === 'generating' && failedLive ? 'failed' : status,
    text,
    error: data?.error ?? stream?.error ?? null,
    llm: data?.llm ?? null,
    demo: data?.llm?.demo ?? stream?.demo ?? false,
  };
}
