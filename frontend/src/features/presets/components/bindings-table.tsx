// Bindings of presets to layers: scope, target by name (chat title, user name; the ids on
// hover), preset, expiry, who set it (an admin's login or the playbook rule), active/expired
// state, and delete (admins only).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import type { Binding } from '@/lib/api/behaviour';
import { formatFullTime } from '@/lib/utils/format';
import { actorLabel } from '@/lib/utils/names';
import { useBindings, useDeleteBinding } from '../api/presets';

type Show = 'all' | 'active' | 'expired';

function targetIds(b: Binding): string | undefined {
  const ids = [
    b.chat_id !== null ? `chat_id ${b.chat_id}` : null,
    b.user_id !== null ? `user_id ${b.user_id}` : null,
  ].filter(Boolean);
  return ids.length ? ids.join(' · ') : undefined;
}

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
      ) : (
        <DataTable
          caption={t('bindings.title')}
          rows={items}
          rowKey={(b) => b.id}
          empty={t('bindings.empty')}
          columns={[
            { key: 'scope', header: t('bindings.scope'), cell: (b) => t(`layers.${b.scope}`) },
            {
              key: 'target',
              header: t('bindings.target'),
              cell: (b) => (
                <span title={targetIds(b)}>{b.target_name ?? t('bindings.global')}</span>
              ),
            },
            { key: 'preset', header: t('bindings.preset'), cell: (b) => b.preset_name },
            {
              key: 'expires',
              header: t('bindings.expires'),
              className: 'text-xs',
              cell: (b) =>
                b.expires_at
                  ? formatFullTime(b.expires_at, i18n.language)
                  : t('bindings.permanent'),
            },
            {
              key: 'by',
              header: t('bindings.createdBy'),
              className: 'text-xs',
              cell: (b) => (
                <span title={b.created_by}>{actorLabel(b.created_by, b.created_by_name, t)}</span>
              ),
            },
            {
              key: 'state',
              header: t('bindings.state'),
              cell: (b) => (
                <Badge
                  className={
                    b.active ? 'bg-emerald-100 text-emerald-800' : 'bg-neutral-100 text-neutral-500'
                  }
                >
                  {b.active ? t('bindings.stateActive') : t('bindings.stateExpired')}
                </Badge>
              ),
            },
            {
              key: 'actions',
              header: <span className="sr-only">{t('common.actions')}</span>,
              className: 'text-right',
              cell: (b) =>
                canConfigure ? (
                  <Button
                    size="sm"
                    variant="ghost"
                    aria-label={t('bindings.deleteNamed', {
                      preset: b.preset_name,
                      target: b.target_name ?? t('bindings.global'),
                    })}
                    disabled={remove.isPending}
                    onClick={() => remove.mutate(b.id)}
                  >
                    {t('common.delete')}
                  </Button>
                ) : null,
            },
          ]}
        />
      )}
    </div>
  );
}
