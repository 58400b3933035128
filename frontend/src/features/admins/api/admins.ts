// /api/admins (owner only): list, create, and change role / disable / reset password.
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { AdminCreate, AdminPatch } from '@/lib/api/behaviour';
import { api, csrfHeader, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export const adminsQueryOptions = () =>
  queryOptions({
    queryKey: queryKeys.admins,
    queryFn: async ({ signal }) => unwrap(await api.GET('/api/admins', { signal })),
  });

export function useAdmins() {
  return useQuery(adminsQueryOptions());
}

export function useCreateAdmin() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (body: AdminCreate) =>
      unwrap(await api.POST('/api/admins', { params: { header: csrfHeader() }, body })),
    meta: { handlesErrors: true },
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.admins }),
  });
}

export function useUpdateAdmin({ handlesErrors = false } = {}) {
  const client = useQueryClient();
  return useMutation({
    meta: { handlesErrors },
    mutationFn: async ({ id, body }: { id: number; body: AdminPatch }) =>
      unwrap(
        await api.PATCH('/api/admins/{id}', {
          params: { path: { id }, header: csrfHeader() },
          body,
        }),
      ),
    onSettled: () => void client.invalidateQueries({ queryKey: queryKeys.admins }),
  });
}
