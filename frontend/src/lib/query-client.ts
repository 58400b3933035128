// The app's QueryClient and its single error policy: 401 anywhere → forget the session and go to
// the login page; any other failure → a toast, unless the caller shows the error itself
// (meta.handlesErrors).
import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { toast } from 'sonner';
import i18n from '@/lib/i18n';
import { setCsrfToken } from '@/lib/api/client';
import { isApiError } from '@/lib/api/errors';

declare module '@tanstack/react-query' {
  interface Register {
    queryMeta: { handlesErrors?: boolean };
    mutationMeta: { handlesErrors?: boolean };
  }
}

type UnauthorizedHandler = () => void;
let onUnauthorized: UnauthorizedHandler = () => {
  window.location.assign('/login');
};

/** The router registers a client-side redirect here (no full reload). */
export function setUnauthorizedHandler(handler: UnauthorizedHandler): void {
  onUnauthorized = handler;
}

export function handleGlobalError(error: unknown, handlesErrors: boolean | undefined): void {
  if (isApiError(error) && error.status === 401) {
    setCsrfToken(null);
    onUnauthorized();
    return;
  }
  if (handlesErrors) return;
  const text = isApiError(error)
    ? error.detail
    : error instanceof Error
      ? error.message
      : String(error);
  toast.error(i18n.t('errors.requestFailed'), { description: text });
}

export function createQueryClient(): QueryClient {
  const client: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (error, query) => handleGlobalError(error, query.meta?.handlesErrors),
    }),
    mutationCache: new MutationCache({
      onError: (error, _vars, _ctx, mutation) =>
        handleGlobalError(error, mutation.meta?.handlesErrors),
    }),
    defaultOptions: {
      queries: {
        // Server state is kept fresh by WebSocket events and reconnect backfill, not by polling.
        staleTime: Infinity,
        refetchOnWindowFocus: false,
        retry: (failureCount, error) =>
          !(isApiError(error) && error.status < 500) && failureCount < 2,
      },
      mutations: { retry: false },
    },
  });
  return client;
}
