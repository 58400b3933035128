// The current admin's capabilities, read from the cached GET /api/auth/me (the layout loads it
// before any screen renders).
import { useQuery } from '@tanstack/react-query';
import type { Session } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';
import { can, type Capability, type Role } from '@/lib/auth/permissions';

export function useRole(): Role | undefined {
  const me = useQuery<Session>({ queryKey: queryKeys.me, enabled: false });
  return me.data?.admin.role;
}

export function usePermission(capability: Capability): boolean {
  return can(useRole(), capability);
}
