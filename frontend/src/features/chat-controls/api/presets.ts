// The preset and binding calls the controls panel needs: list presets to choose from, save the
// edited parameters as a preset, and bind a preset to this chat (optionally for N hours).
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Binding, BindingInput, Preset, PresetInput } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const presetOptionsQuery = () =>
  queryOptions({
    queryKey: [...queryKeys.presets, { limit: 200 }],
    queryFn: async ({ signal }) =>
      unwrap(await api.GET('/api/presets', { params: { query: { limit: 200 } }, signal })),
  });

export function usePresetOptions() {
  return useQuery(presetOptionsQuery());
}

export async function createPreset(body: PresetInput): Promise<Preset> {
  return unwrap(await api.POST('/api/presets', { params: { header: csrfHeader() }, body }));
}

export async function createBinding(body: BindingInput): Promise<Binding> {
  return unwrap(await api.POST('/api/bindings', { params: { header: csrfHeader() }, body }));
}

export function useCreatePreset() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createPreset,
    meta: { handlesErrors: true },
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.presets }),
  });
}

export function useCreateBinding() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createBinding,
    meta: { handlesErrors: true },
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: queryKeys.bindings });
      void client.invalidateQueries({ queryKey: queryKeys.explain });
    },
  });
}
