// App shell: one QueryClient (with the global error policy), the router and the toaster.
import { QueryClientProvider } from '@tanstack/react-query';
import { useState } from 'react';
import { RouterProvider } from 'react-router';
import { Toaster } from 'sonner';
import { createQueryClient, setUnauthorizedHandler } from '@/lib/query-client';
import { createAppRouter } from './router';

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => {
    const appRouter = createAppRouter();
    setUnauthorizedHandler(() => {
      const from = appRouter.state.location.pathname;
      if (from === '/login') return;
      // Leave first, then drop server state, so no mounted screen refetches into another 401.
      // `from` brings the admin back to the same chat after signing in again.
      void appRouter
        .navigate('/login', { replace: true, state: { from } })
        .then(() => queryClient.clear());
    });
    return appRouter;
  });
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
      <Toaster position="bottom-right" richColors closeButton />
    </QueryClientProvider>
  );
}
