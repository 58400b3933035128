// GET /api/auth/me as a probe: a WebSocket refused with 401 only shows up as a close, so after
// repeated failures this asks the API, whose 401 the global error policy turns into a redirect.
import { api, unwrap } from '@/lib/api/client';

export async function checkSession(): Promise<void> {
  unwrap(await api.GET('/api/auth/me'));
}
