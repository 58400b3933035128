// The binding call the controls panel needs (bind a preset globally, to this chat or user,
// optionally for N hours) and the mutation that saves the edited parameters as a preset; the
// preset list and its POST are the shared lib/api/presets module.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { Binding, BindingInput } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { createPreset } from '@/lib/api/presets';
import { queryKeys } from '@/lib/api/query-keys';

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
