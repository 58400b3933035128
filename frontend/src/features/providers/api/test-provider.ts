// POST /api/providers/{id}/test (admin): rt-edge makes one small real call to the provider and
// says how it went ({ok, status, latency_ms, model, detail}); a failed call is still a 200.
import { useMutation } from '@tanstack/react-query';
import { api, csrfHeader, unwrap, type Schemas } from '@/lib/api/client';

export type ProviderTestResult = Schemas['ProviderTestResult'];

export async function testProvider(id: number): Promise<ProviderTestResult> {
  return unwrap(
    await api.POST('/api/providers/{id}/test', { params: { path: { id }, header: csrfHeader() } }),
  );
}

export function useTestProvider() {
  return useMutation({ mutationFn: testProvider, meta: { handlesErrors: true } });
}
