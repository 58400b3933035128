// POST /api/auth/logout: ends the session, then drops every cached server state.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, getCsrfToken, setCsrfToken, unwrap } from '@/lib/api/client';

export async function logout(): Promise<void> {
  unwrap(
    await api.POST('/api/auth/logout', {
      params: { header: { 'X-CSRF-Token': getCsrfToken() ?? '' } },
    }),
  );
}

export function useLogout(options: { onSettled?: () => void } = {}) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: logout,
    onSettled: () => {
      setCsrfToken(null);
      queryClient.clear();
      options.onSettled?.();
    },
  });
}
