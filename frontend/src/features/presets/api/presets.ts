// Presets CRUD, export/import and bindings (GET/POST/PUT/DELETE under /api/presets and
// /api/bindings). Lists are refetched after changes and on `entity.changed`.
// (The list GETs of /api/presets and /api/bindings, and POST /api/presets, are the shared
// lib/api modules; re-exported here for this screen.)
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type {
  ImportConflict,
  ImportResult,
  Preset,
  PresetExport,
  PresetInput,
} from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { createPreset } from '@/lib/api/presets';
import { queryKeys } from '@/lib/api/query-keys';

export { useBindings } from '@/lib/api/list-bindings';
export { usePresets } from '@/lib/api/presets';

function useInvalidate() {
  const client = useQueryClient();
  return () => {
    void client.invalidateQueries({ queryKey: queryKeys.presets });
    void client.invalidateQueries({ queryKey: queryKeys.bindings });
    void client.invalidateQueries({ queryKey: queryKeys.explain });
  };
}

export async function savePreset(id: number | null, body: PresetInput): Promise<Preset> {
  if (id === null) return createPreset(body);
  return unwrap(
    await api.PUT('/api/presets/{id}', {
      params: { path: { id }, header: csrfHeader() },
      body,
    }),
  );
}

export function useSavePreset() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: PresetInput }) => savePreset(id, body),
    // The form shows the problem (and the field it names).
    meta: { handlesErrors: true },
    onSuccess: invalidate,
  });
}

export function useDeletePreset() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.DELETE('/api/presets/{id}', { params: { path: { id }, header: csrfHeader() } }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteBinding() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: async (id: number) =>
      unwrap(
        await api.DELETE('/api/bindings/{id}', { params: { path: { id }, header: csrfHeader() } }),
      ),
    onSuccess: invalidate,
  });
}

export async function exportPresets(ids?: number[]): Promise<PresetExport> {
  return unwrap(
    await api.GET('/api/presets/export', {
      params: { query: { ids: ids?.length ? ids.join(',') : undefined } },
    }),
  );
}

export async function importPresets(
  doc: PresetExport,
  onConflict: ImportConflict | 'error',
): Promise<ImportResult> {
  return unwrap(
    await api.POST('/api/presets/import', {
      params: { query: { on_conflict: onConflict }, header: csrfHeader() },
      body: doc,
    }),
  );
}

export function useImportPresets() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({
      doc,
      onConflict,
    }: {
      doc: PresetExport;
      onConflict: ImportConflict | 'error';
    }) => importPresets(doc, onConflict),
    // The import dialog turns a 409 into the skip/rename/overwrite choice.
    meta: { handlesErrors: true },
    onSuccess: invalidate,
  });
}
