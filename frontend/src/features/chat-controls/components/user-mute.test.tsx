// The user mute switch reads the user by exact id and PATCHes `muted`.
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { User } from '@/lib/api/behaviour';
import { queryKeys } from '@/lib/api/query-keys';
import { jsonResponse, makeSession, routeFetch } from '@/test/factories';
import { createTestQueryClient, renderWithProviders } from '@/test/render';
import { UserMute } from './user-mute';

afterEach(() => vi.unstubAllGlobals());

const ann: User = {
  id: 42,
  username: 'ann',
  first_name: 'Ann',
  last_name: null,
  is_bot: false,
  muted: false,
  first_seen_at: '2026-01-01T00:00:00Z',
  last_seen_at: '2026-01-01T00:00:00Z',
};

describe('UserMute', () => {
  it('mutes the filtered user', async () => {
    const patches: unknown[] = [];
    let stored = ann;
    vi.stubGlobal(
      'fetch',
      vi.fn(
        routeFetch({
          'GET /api/users': () => jsonResponse(200, { items: [stored], next_cursor: null }),
          'PATCH /api/users/42': async (req) => {
            const body = (await req.json()) as { muted: boolean };
            patches.push(body);
            stored = { ...stored, muted: body.muted };
            return jsonResponse(200, stored);
          },
        }),
      ),
    );
    const queryClient = createTestQueryClient();
    queryClient.setQueryData(queryKeys.me, makeSession('admin'));
    renderWithProviders(<UserMute userId={42} />, { queryClient });
    const toggle = await screen.findByRole('switch', { name: 'Never auto-reply to Ann' });
    await userEvent.click(toggle);
    await waitFor(() => expect(toggle).toHaveAttribute('aria-checked', 'true'));
    expect(patches).toEqual([{ muted: true }]);
  });
});
