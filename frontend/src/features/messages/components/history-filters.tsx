// Filters above the stream in one dense row: keyword, user (searched through GET /api/users,
// among the users who wrote in this chat), and a time range shown in local time (kept in UTC).
// Labels stay for screen readers; placeholders carry them visually. Controlled by the route
// (which keeps them in the URL) so the controls panel can follow the chosen user.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { senderName } from '@/lib/utils/format';
import { useUsers } from '../api/list-users';
import {
  EMPTY_FILTERS,
  hasFilters,
  localInputToUtc,
  utcToLocalInput,
  type HistoryFilters,
} from '../utils/history-filters';

type HistoryFiltersBarProps = {
  value: HistoryFilters;
  onChange: (filters: HistoryFilters) => void;
  /** Offer only the users of this chat; without it the picker lists users of all chats. */
  chatId?: number;
};

const LABEL = 'flex items-center gap-1.5 text-[11px] font-medium text-neutral-500';

export function HistoryFiltersBar({ value, onChange, chatId }: HistoryFiltersBarProps) {
  const { t } = useTranslation();
  const [userSearch, setUserSearch] = useState('');
  const users = useUsers(useDebouncedValue(userSearch.trim()), chatId);
  const set = (patch: Partial<HistoryFilters>) => onChange({ ...value, ...patch });
  const options = users.data?.items ?? [];
  const selectedMissing =
    value.userId !== null && !options.some((user) => user.id === value.userId);

  return (
    <div
      role="search"
      aria-label={t('filters.label')}
      className="flex flex-wrap items-center gap-2 border-b border-neutral-200 bg-white px-4 py-2"
    >
      <div className="flex min-w-0 flex-1 basis-72 flex-wrap items-center gap-2">
        <label className="min-w-32 flex-[2_1_9rem]">
          <span className="sr-only">{t('filters.keyword')}</span>
          <Input
            type="search"
            className="h-8 text-xs"
            maxLength={200}
            placeholder={t('filters.keyword')}
            value={value.q}
            onChange={(e) => set({ q: e.target.value })}
          />
        </label>
        <label className="min-w-32 flex-[1_1_11rem]">
          <span className="sr-only">{t('filters.findUser')}</span>
          <Input
            type="search"
            className="h-8 text-xs"
            placeholder={t('filters.findUser')}
            value={userSearch}
            onChange={(e) => setUserSearch(e.target.value)}
          />
        </label>
        <label className="min-w-32 flex-[1_1_9rem]">
          <span className="sr-only">{t('filters.user')}</span>
          <Select
            className="h-8 text-xs"
            value={value.userId ?? ''}
            onChange={(e) => set({ userId: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">
              {chatId !== undefined ? t('filters.anyUserInChat') : t('filters.anyUser')}
            </option>
            {selectedMissing ? <option value={value.userId ?? ''}>#{value.userId}</option> : null}
            {options.map((user) => (
              <option key={user.id} value={user.id}>
                {senderName(user) ?? `#${user.id}`}
              </option>
            ))}
          </Select>
        </label>
      </div>
      <div className="flex flex-wrap items-center gap-2">
        <label className={LABEL}>
          {t('filters.from')}
          <Input
            type="datetime-local"
            className="h-8 w-44 px-2 text-xs"
            value={utcToLocalInput(value.from)}
            onChange={(e) => set({ from: localInputToUtc(e.target.value) })}
          />
        </label>
        <label className={LABEL}>
          {t('filters.to')}
          <Input
            type="datetime-local"
            className="h-8 w-44 px-2 text-xs"
            value={utcToLocalInput(value.to)}
            onChange={(e) => set({ to: localInputToUtc(e.target.value) })}
          />
        </label>
        <Button
          size="sm"
          variant="ghost"
          disabled={!hasFilters(value)}
          onClick={() => {
            setUserSearch('');
            onChange(EMPTY_FILTERS);
          }}
        >
          {t('filters.clear')}
        </Button>
      </div>
    </div>
  );
}
