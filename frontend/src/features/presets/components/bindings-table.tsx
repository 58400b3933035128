// Bindings of presets to layers: scope, target, preset, expiry with active/expired state, and
// delete (admins only).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { EmptyState, TABLE, TD, TH } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import { formatFullTime } from '@/lib/utils/format';
import { useBindings, useDeleteBinding } from '../api/presets';

type Show = 'all' | 'active' | 'expired';

export function BindingsTable() {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const [show, setShow] = useState<Show>('active');
  const bindings = useBindings(show === 'all' ? undefined : show === 'active');
  const remove = useDeleteBinding();
  const items = bindings.data?.items ?? [];

  return (
    <div className="space-y-2">
      <label className="flex w-56 items-center gap-2 text-xs text-neutral-600">
        {t('bindings.show')}
        <Select className="h-8" value={show} onChange={(e) => setShow(e.target.value as Show)}>
          <option value="active">{t('bindings.active')}</option>
          <option value="expired">{t('bindings.expired')}</option>
          <option value="all">{t('bindings.all')}</option>
        </Select>
      </label>
      {bindings.isPending ? (
        <EmptyState>{t('common.loading')}</EmptyState>
      ) : items.length === 0 ? (
        <EmptyState>{t('bindings.empty')}</EmptyState>
      ) : (
        <table className={TABLE} aria-label={t('bindings.title')}>
          <thead>
            <tr>
              <th className={TH}>{t('bindings.scope')}</th>
              <th className={TH}>{t('bindings.target')}</th>
              <th className={TH}>{t('bindings.preset')}</th>
              <th className={TH}>{t('bindings.expires')}</th>
              <th className={TH}>{t('bindings.state')}</th>
              <th className={TH}>
                <span className="sr-only">{t('common.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((b) => (
              <tr key={b.id}>
                <td className={TD}>{t(`layers.${b.scope}`)}</td>
                <td className={`${TD} font-mono text-xs`}>
                  {[
                    b.chat_id !== null ? `chat ${b.chat_id}` : null,
                    b.user_id !== null ? `user ${b.user_id}` : null,
                  ]
                    .filter(Boolean)
                    .join(' · ') || '—'}
                </td>
                <td className={TD}>{b.preset_name}</td>
                <td className={`${TD} text-xs`}>
                  {b.expires_at
                    ? formatFullTime(b.expires_at, i18n.language)
                    : t('bindings.permanent')}
                </td>
                <td className={TD}>
                  <Badge
                    className={
                      b.active
                        ? 'bg-emerald-100 text-emerald-800'
                        : 'bg-neutral-100 text-neutral-500'
                    }
                  >
                    {b.active ? t('bindings.stateActive') : t('bindings.stateExpired')}
                  </Badge>
                </td>
                <td className={`${TD} text-right`}>
                  {canConfigure ? (
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={t('bindings.delete', { id: b.id })}
                      disabled={remove.isPending}
                      onClick={() => remove.mutate(b.id)}
                    >
                      {t('common.delete')}
                    </Button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
