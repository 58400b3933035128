// The turn a session's speaker is writing right now. Nothing is fetched: the live layer writes
// llm.delta/llm.done frames carrying this `session_id` into this cache entry.
import { skipToken, useQuery } from '@tanstack/react-query';
import { queryKeys } from '@/lib/api/query-keys';
import type { LlmStreams } from '@/lib/cache/llm-streams';

export function useSessionStreams(sessionId: number): LlmStreams | undefined {
  return useQuery<LlmStreams>({ queryKey: queryKeys.sessionStreams(sessionId), queryFn: skipToken })
    .data;
}
