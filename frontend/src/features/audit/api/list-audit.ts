// GET /api/audit with actor/action/target/time filters, newest first, keyset "load more".
import { useInfiniteQuery } from '@tanstack/react-query';
import { api, unwrap } from '@/lib/api/client';
import { queryKeys } from '@/lib/api/query-keys';

export type AuditFilters = {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
};

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  actor: '',
  action: '',
  target: '',
  from: '',
  to: '',
};

function iso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function toAuditQuery(f: AuditFilters) {
  return {
    actor: f.actor.trim() || undefined,
    action: f.action.trim() || undefined,
    target: f.target.trim() || undefined,
    from: iso(f.from),
    to: iso(f.to),
  };
}

export function useAudit(filters: AuditFilters) {
  const query = toAuditQuery(filters);
  return useInfiniteQuery({
    queryKey: queryKeys.auditFor(query),
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam, signal }) =>
      unwrap(
        await api.GET('/api/audit', {
          params: { query: { ...query, cursor: pageParam, limit: 50 } },
          signal,
        }),
      ),
    getNextPageParam: (page) => page.next_cursor ?? undefined,
    staleTime: 0,
  });
}
