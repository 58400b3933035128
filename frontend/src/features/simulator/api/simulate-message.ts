// POST /api/simulator/messages: queues a simulated Telegram update (only without a bot token).
import { useMutation } from '@tanstack/react-query';
import type { components } from '@/lib/api/schema';
import { api, getCsrfToken, unwrap } from '@/lib/api/client';

export type SimulatedMessage = components['schemas']['SimulatedMessage'];
export type SimulatedAccepted = components['schemas']['SimulatedAccepted'];

export async function simulateMessage(body: SimulatedMessage): Promise<SimulatedAccepted> {
  return unwrap(
    await api.POST('/api/simulator/messages', {
      params: { header: { 'X-CSRF-Token': getCsrfToken() ?? '' } },
      body,
    }),
  );
}

export function useSimulateMessage() {
  return useMutation({
    mutationFn: simulateMessage,
    // The panel shows 409 (simulator off) and validation errors inline.
    meta: { handlesErrors: true },
  });
}
