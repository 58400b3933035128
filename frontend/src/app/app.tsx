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
      if (appRouter.state.location.pathname === '/login') return;
      // Leave first, then drop server state, so no mounted screen refetches into another 401.
      void appRouter.navigate('/login', { replace: true }).then(() => queryClient.clear());
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
