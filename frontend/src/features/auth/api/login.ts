// POST /api/auth/login: sets the session cookie; the response's CSRF token is kept in memory.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { components } from '@/lib/api/schema';
import { api, setCsrfToken, unwrap, type Session } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export type LoginInput = components['schemas']['LoginRequest'];

export async function login(input: LoginInput): Promise<Session> {
  const session = unwrap(await api.POST('/api/auth/login', { body: input }));
  setCsrfToken(session.csrf_token);
  return session;
}

export function useLogin(options: { onSuccess?: (session: Session) => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: login,
    // The form shows the problem detail itself.
    meta: { handlesErrors: true },
    onSuccess: (session) => {
      queryClient.setQueryData(queryKeys.me, session);
      options.onSuccess?.(session);
    },
  });
}
