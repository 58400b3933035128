// Filters above the stream: user (searched through GET /api/users), time range and keyword.
// Controlled by the route so the controls panel can follow the chosen user.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Select } from '@/components/ui/select';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { senderName } from '@/lib/utils/format';
import { useUsers } from '../api/list-users';
import { EMPTY_FILTERS, hasFilters, type HistoryFilters } from '../utils/history-filters';

type HistoryFiltersBarProps = {
  value: HistoryFilters;
  onChange: (filters: HistoryFilters) => void;
};

export function HistoryFiltersBar({ value, onChange }: HistoryFiltersBarProps) {
  const { t } = useTranslation();
  const [userSearch, setUserSearch] = useState('');
  const users = useUsers(useDebouncedValue(userSearch.trim()));
  const set = (patch: Partial<HistoryFilters>) => onChange({ ...value, ...patch });

  const options = users.data?.items ?? [];
  const selectedMissing =
    value.userId !== null && !options.some((user) => user.id === value.userId);

  return (
    <div
      role="search"
      aria-label={t('filters.label')}
      className="flex flex-wrap items-end gap-2 border-b border-neutral-200 bg-white px-4 py-2"
    >
      <div className="w-32">
        <label className="block text-[11px] font-medium text-neutral-500">
          {t('filters.findUser')}
          <Input
            type="search"
            className="h-8"
            value={userSearch}
            onChange={(e) => setUserSearch(e.target.value)}
          />
        </label>
      </div>
      <div className="w-40">
        <label className="block text-[11px] font-medium text-neutral-500">
          {t('filters.user')}
          <Select
            className="h-8"
            value={value.userId ?? ''}
            onChange={(e) => set({ userId: e.target.value ? Number(e.target.value) : null })}
          >
            <option value="">{t('filters.anyUser')}</option>
            {selectedMissing ? <option value={value.userId ?? ''}>#{value.userId}</option> : null}
            {options.map((user) => (
              <option key={user.id} value={user.id}>
                {senderName(user) ?? `#${user.id}`}
              </option>
            ))}
          </Select>
        </label>
      </div>
      <label className="block text-[11px] font-medium text-neutral-500">
        {t('filters.from')}
        <Input
          type="datetime-local"
          className="h-8 w-44"
          value={value.from}
          onChange={(e) => set({ from: e.target.value })}
        />
      </label>
      <label className="block text-[11px] font-medium text-neutral-500">
        {t('filters.to')}
        <Input
          type="datetime-local"
          className="h-8 w-44"
          value={value.to}
          onChange={(e) => set({ to: e.target.value })}
        />
      </label>
      <label className="block min-w-32 flex-1 text-[11px] font-medium text-neutral-500">
        {t('filters.keyword')}
        <Input
          type="search"
          className="h-8"
          maxLength={200}
          value={value.q}
          onChange={(e) => set({ q: e.target.value })}
        />
      </label>
      <Button
        size="sm"
        variant="secondary"
        className="mb-0.5"
        disabled={!hasFilters(value)}
        onClick={() => {
          setUserSearch('');
          onChange(EMPTY_FILTERS);
        }}
      >
        {t('filters.clear')}
      </Button>
    </div>
  );
}
