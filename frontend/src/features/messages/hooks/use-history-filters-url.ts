// The history filters of /chats/:chatId live in its URL query (?q=&user=&from=&to=): a filtered
// view survives a reload and can be shared as a link. Typing replaces the history entry rather
// than pushing one per keystroke.
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router';
import {
  filtersFromSearch,
  searchWithFilters,
  type HistoryFilters,
} from '../utils/history-filters';

export function useHistoryFiltersUrl(): [HistoryFilters, (filters: HistoryFilters) => void] {
  const [params, setParams] = useSearchParams();
  const key = params.toString();
  // One filters object per query string, so effects keyed on it run only when it changes.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => filtersFromSearch(params), [key]);
  const setFilters = useCallback(
    (next: HistoryFilters) =>
      setParams((current) => searchWithFilters(current, next), { replace: true }),
    [setParams],
  );
  return [filters, setFilters];
}
