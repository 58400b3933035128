// POST /api/params/explain: the effective model parameters for a chat (and user), each with the
// layer it came from; with `override` it previews a one-message change without storing it.
import { queryOptions, useMutation, useQuery } from '@tanstack/react-query';
import type { Explain, ExplainInput } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export async function explainParams(body: ExplainInput, signal?: AbortSignal): Promise<Explain> {
  return unwrap(
    await api.POST('/api/params/explain', {
      params: { header: csrfHeader() },
      body: { provider: 'openai', ...body },
      signal,
    }),
  );
}

export const explainQueryOptions = (body: ExplainInput) =>
  queryOptions({
    queryKey: queryKeys.explainFor(body),
    queryFn: ({ signal }) => explainParams(body, signal),
    meta: { handlesErrors: true },
  });

export function useExplain(body: ExplainInput) {
  return useQuery(explainQueryOptions(body));
}

export function usePreviewOverride() {
  return useMutation({
    mutationFn: (body: ExplainInput) => explainParams(body),
    meta: { handlesErrors: true },
  });
}
