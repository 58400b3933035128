// Providers screen (admin): the LLM providers in the order the default is picked from, each
// with its enabled switch, type, model, key hint, prices and a "demo model" mark. Admins drag a
// row by its handle (or lift it with Space and move it with the arrow keys) to reorder them all
// at once, test the connection to one, create/edit in a dialog and delete after confirming.
// Other roles read only: no handle, no test, no edit controls.
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  useSensor,
  useSensors,
  type Announcements,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  SortableContext,
  arrayMove,
  sortableKeyboardCoordinates,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable, type DataTableColumn } from '@/components/ui/data-table';
import { DemoBadge } from '@/components/ui/demo-badge';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { RowSwitch } from '@/components/ui/row-switch';
import { usePermission } from '@/hooks/use-permissions';
import type { Provider } from '@/lib/api/delivery';
import { isApiError } from '@/lib/api/errors';
import { usePersonalities } from '@/lib/api/list-personalities';
import { useProviders } from '@/lib/api/list-providers';
import { useDeleteProvider } from '../api/delete-provider';
import { useReorderProviders } from '../api/reorder-providers';
import { useUpdateProvider } from '../api/update-provider';
import { ProviderFormDialog } from './provider-form-dialog';
import { ProviderTest } from './provider-test';
import { DragHandle, SortableRow } from './sortable-row';

export function ProvidersPage() {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const providers = useProviders();
  const personalities = usePersonalities();
  const personalityTitle = (id: number | null) =>
    id === null ? null : (personalities.data?.find((p) => p.id === id)?.title ?? `#${id}`);
  const update = useUpdateProvider();
  const reorder = useReorderProviders();
  const remove = useDeleteProvider();
  const [editing, setEditing] = useState<Provider | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const items = providers.data ?? [];
  const nextPosition = items.reduce((max, p) => Math.max(max, p.position + 1), 0);
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const nameOf = (id: string | number) => items.find((p) => p.id === Number(id))?.name ?? '';
  const indexOf = (id: string | number) => items.findIndex((p) => p.id === Number(id)) + 1;
  const announcements: Announcements = {
    onDragStart: ({ active }) =>
      t('providers.dnd.pickedUp', { name: nameOf(active.id), position: indexOf(active.id) }),
    onDragOver: ({ active, over }) =>
      over
        ? t('providers.dnd.over', { name: nameOf(active.id), position: indexOf(over.id) })
        : undefined,
    onDragEnd: ({ active, over }) =>
      over
        ? t('providers.dnd.dropped', { name: nameOf(active.id), position: indexOf(over.id) })
        : t('providers.dnd.cancelled', { name: nameOf(active.id) }),
    onDragCancel: ({ active }) => t('providers.dnd.cancelled', { name: nameOf(active.id) }),
  };

  const onDragEnd = ({ active, over }: DragEndEvent) => {
    if (!over || active.id === over.id) return;
    const from = items.findIndex((p) => p.id === active.id);
    const to = items.findIndex((p) => p.id === over.id);
    if (from < 0 || to < 0) return;
    reorder.mutate(arrayMove(items, from, to).map((p) => p.id));
  };

  const usd = new Intl.NumberFormat(i18n.language, {
    style: 'currency',
    currency: 'USD',
    maximumFractionDigits: 4,
  });

  const columns: DataTableColumn<Provider>[] = [
    {
      key: 'order',
      header: t('providers.order'),
      className: 'whitespace-nowrap',
      cell: (p) => (
        <span className="inline-flex items-center gap-1">
          {canConfigure ? <DragHandle name={p.name} /> : null}
          <span className="text-xs text-neutral-400 tabular-nums">
            {items.findIndex((x) => x.id === p.id) + 1}
          </span>
        </span>
      ),
    },
    {
      key: 'name',
      header: t('providers.name'),
      cell: (p) => (
        <>
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
            <div
              title={p.base_url}
              className="max-w-56 truncate font-mono text-[11px] text-neutral-500"
            >
              {p.base_url}
            </div>
          ) : null}
        </>
      ),
    },
    { key: 'type', header: t('providers.type'), cell: (p) => t(`providers.typeValue.${p.type}`) },
    {
      key: 'model',
      header: t('providers.model'),
      className: 'font-mono text-xs',
      cell: (p) => p.model_id,
    },
    {
      key: 'key',
      header: t('providers.apiKey'),
      className: 'font-mono text-xs',
      cell: (p) => (p.demo ? '—' : p.has_key ? (p.api_key_hint ?? '••••') : t('providers.noKey')),
    },
    {
      key: 'prices',
      header: t('providers.pricesShort'),
      className: 'text-xs whitespace-nowrap tabular-nums',
      cell: (p) =>
        p.prices ? (
          <span title={t('providers.pricesTitle')}>
            {usd.format(p.prices.input_per_m)} / {usd.format(p.prices.cached_input_per_m)} /{' '}
            {usd.format(p.prices.output_per_m)}
          </span>
        ) : (
          '—'
        ),
    },
    {
      key: 'enabled',
      header: t('providers.enabled'),
      cell: (p) => (
        <RowSwitch
          label={t('providers.enabledNamed', { name: p.name })}
          checked={p.enabled}
          readOnly={!canConfigure}
          disabled={update.isPending}
          onChange={(enabled) => update.mutate({ id: p.id, body: { enabled, version: p.version } })}
        />
      ),
    },
  ];
  if (canConfigure) {
    columns.push(
      {
        key: 'test',
        header: t('providers.connection'),
        cell: (p) => <ProviderTest id={p.id} />,
      },
      {
        key: 'actions',
        header: <span className="sr-only">{t('common.actions')}</span>,
        className: 'text-right whitespace-nowrap',
        cell: (p) => (
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
        ),
      },
    );
  }

  const table = (
    <DataTable
      caption={t('providers.listTitle')}
      columns={columns}
      rows={items}
      rowKey={(p) => p.id}
      empty={t('providers.empty')}
      rowClassName={(p) => (p.enabled ? undefined : 'text-neutral-500')}
      Row={canConfigure ? SortableRow : undefined}
    />
  );

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
        <p className="mb-3 text-xs text-neutral-500">
          {t('providers.orderHint')} {canConfigure ? t('providers.dragHint') : null}
        </p>
        {providers.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : canConfigure ? (
          <DndContext
            sensors={sensors}
            collisionDetection={closestCenter}
            onDragEnd={onDragEnd}
            accessibility={{
              announcements,
              screenReaderInstructions: { draggable: t('providers.dnd.instructions') },
            }}
          >
            <SortableContext items={items.map((p) => p.id)} strategy={verticalListSortingStrategy}>
              {table}
            </SortableContext>
          </DndContext>
        ) : (
          table
        )}
        {update.error || reorder.error ? (
          <div className="mt-3">
            <ErrorText>
              {[update.error, reorder.error]
                .filter((e) => e)
                .map((e) => (isApiError(e) ? e.detail : (e as Error).message))
                .join(' ')}
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
