// POST /api/jobs/{id}/discard (admin): a dead job is closed without running again.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { Job } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function discardJob(id: number): Promise<Job> {
  return unwrap(
    await api.POST('/api/jobs/{id}/discard', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useDiscardJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: discardJob,
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}
