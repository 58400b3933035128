// Providers screen (admin): the LLM providers in the order the default is picked from (up/down
// moves one), each with its enabled switch, type, model, key hint, prices and a "demo model" mark;
// create/edit in a dialog, delete after confirming. Other roles read only.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DemoBadge } from '@/components/ui/demo-badge';
import { EmptyState, ErrorText, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
import { RowSwitch } from '@/components/ui/row-switch';
import { usePermission } from '@/hooks/use-permissions';
import type { Provider } from '@/lib/api/delivery';
import { isApiError } from '@/lib/api/errors';
import { usePersonalities } from '@/lib/api/list-personalities';
import { useProviders } from '@/lib/api/list-providers';
import { cn } from '@/lib/utils/cn';
import { useDeleteProvider } from '../api/delete-provider';
import { useUpdateProvider } from '../api/update-provider';
import { reorder } from '../utils/order';
import { ProviderFormDialog } from './provider-form-dialog';

export function ProvidersPage() {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const providers = useProviders();
  const personalities = usePersonalities();
  const personalityTitle = (id: number | null) =>
    id === null ? null : (personalities.data?.find((p) => p.id === id)?.title ?? `#${id}`);
  const update = useUpdateProvider();
  const remove = useDeleteProvider();
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const items = providers.data ?? [];
  const nextPosition = items.reduce((max, p) => Math.max(max, p.position + 1), 0);

  const move = (index: number, by: -1 | 1) => {
    for (const { id, position } of reorder(items, index, index + by)) {
      update.mutate({ id, body: { position } });
    }
  };

  const usd = new Intl.NumberFormat(i18n.language, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: 4,
  });

  return (
    <PageShell
      title={t('nav.providers')}
      actions={
        canConfigure ? (
          <Button onClick={() => setEditing('new')}>{t('providers.new')}</Button>
        ) : null
      }
    >
      <Section title={t('providers.listTitle')}>
        <p className="mb-3 text-xs text-neutral-500">{t('providers.orderHint')}</p>
        {providers.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : items.length === 0 ? (
          <EmptyState>{t('providers.empty')}</EmptyState>
        ) : (
          <table className={TABLE} aria-label={t('providers.listTitle')}>
            <thead>
              <tr>
                <th className={TH}>{t('providers.order')}</th>
                <th className={TH}>{t('providers.name')}</th>
                <th className={TH}>{t('providers.type')}</th>
                <th className={TH}>{t('providers.model')}</th>
                <th className={TH}>{t('providers.apiKey')}</th>
                <th className={TH}>{t('providers.pricesShort')}</th>
                <th className={TH}>{t('providers.enabled')}</th>
                <th className={TH}>
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p, index) => (
                <tr key={p.id} className={cn(!p.enabled && 'text-neutral-500')}>
                  <td className={`${TD} whitespace-nowrap`}>
                    <span className="mr-1 text-xs text-neutral-400 tabular-nums">{index + 1}</span>
                    {canConfigure ? (
                      <>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="disabled:opacity-30"
                          aria-label={t('providers.moveUp', { name: p.name })}
                          disabled={index === 0 || update.isPending}
                          onClick={() => move(index, -1)}
                        >
                          <span aria-hidden="true">↑</span>
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="disabled:opacity-30"
                          aria-label={t('providers.moveDown', { name: p.name })}
                          disabled={index === items.length - 1 || update.isPending}
                          onClick={() => move(index, 1)}
                        >
                          <span aria-hidden="true">↓</span>
                        </Button>
                      </>
                    ) : null}
                  </td>
                  <td className={TD}>
                    <div className="flex flex-wrap items-center gap-1.5">
                      <span className="font-medium text-neutral-900">{p.name}</span>
                      {p.demo ? <DemoBadge /> : null}
                    </div>
                    {p.personality_id !== null ? (
                      <div className="text-xs text-neutral-600">
                        {t('providers.personality')}: {personalityTitle(p.personality_id)}
                      </div>
                    ) : null}
                    {p.base_url ? (
                      <div className="font-mono text-[11px] break-all text-neutral-500">
                        {p.base_url}
                      </div>
                    ) : null}
                  </td>
                  <td className={TD}>{t(`providers.typeValue.${p.type}`)}</td>
                  <td className={`${TD} font-mono text-xs`}>{p.model_id}</td>
                  <td className={`${TD} font-mono text-xs`}>
                    {p.demo ? '—' : p.has_key ? (p.api_key_hint ?? '••••') : t('providers.noKey')}
                  </td>
                  <td className={`${TD} text-xs whitespace-nowrap tabular-nums`}>
                    {p.prices ? (
                      <span title={t('providers.pricesTitle')}>
                        {usd.format(p.prices.input_per_m)} /{' '}
                        {usd.format(p.prices.cached_input_per_m)} /{' '}
                        {usd.format(p.prices.output_per_m)}
                      </span>
                    ) : (
                      '—'
                    )}
                  </td>
                  <td className={TD}>
                    <RowSwitch
                      label={t('providers.enabledNamed', { name: p.name })}
                      checked={p.enabled}
                      disabled={!canConfigure || update.isPending}
                      onChange={(enabled) =>
                        update.mutate({ id: p.id, body: { enabled, version: p.version } })
                      }
                    />
                  </td>
                  <td className={`${TD} text-right whitespace-nowrap`}>
                    {canConfigure ? (
                      <>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t('providers.editNamed', { name: p.name })}
                          onClick={() => setEditing(p)}
                        >
                          {t('common.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700"
                          aria-label={t('providers.deleteNamed', { name: p.name })}
                          onClick={() => setDeleting(p)}
                        >
                          {t('common.delete')}
                        </Button>
                      </>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {update.error ? (
          <div className="mt-3">
            <ErrorText>
              {isApiError(update.error) ? update.error.detail : update.error.message}
            </ErrorText>
          </div>
        ) : null}
      </Section>
      {editing ? (
        <ProviderFormDialog
          provider={editing === 'new' ? null : editing}
          nextPosition={nextPosition}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={t('providers.deleteTitle', { name: deleting.name })}
          description={t('providers.deleteHint')}
          confirmLabel={t('common.delete')}
          pending={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          onClose={() => setDeleting(null)}
        >
          <p className="text-sm text-neutral-700">
            {deleting.name} · {deleting.model_id}
          </p>
        </ConfirmDialog>
      ) : null}
    </PageShell>
  );
}
