// POST /api/jobs/{id}/retry (admin): a dead job starts over and its message is queued again.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import type { Job } from '@/lib/api/delivery';
import { queryKeys } from '@/lib/api/query-keys';

export async function retryJob(id: number): Promise<Job> {
  return unwrap(
    await api.POST('/api/jobs/{id}/retry', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useRetryJob() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: retryJob,
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.jobs }),
  });
}
