// The replies and drafts a model is writing in one chat right now. Nothing is fetched: the live
// layer writes llm.delta/llm.done into this cache entry and the components read it.
import { skipToken, useQuery } from '@tanstack/react-query';
import { queryKeys } from '@/lib/api/query-keys';
import type { LlmStreams } from '@/lib/cache/llm-streams';

export function useLlmStreams(chatId: number): LlmStreams | undefined {
  return useQuery<LlmStreams>({ queryKey: queryKeys.llmStreams(chatId), queryFn: skipToken }).data;
}
