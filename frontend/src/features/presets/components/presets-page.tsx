// Presets screen: the preset list with create/edit/delete, export (download JSON) and import,
// and the bindings list below it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input } from '@/components/ui/input';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PageShell, Section } from '@/components/ui/page';
import { useDebouncedValue } from '@/hooks/use-debounced-value';
import { usePermission } from '@/hooks/use-permissions';
import type { Preset } from '@/lib/api/behaviour';
import { useDeletePreset, usePresets } from '../api/presets';
import { downloadExport } from '../utils/download';
import { BindingsTable } from './bindings-table';
import { ImportPresetsDialog } from './import-presets-dialog';
import { PresetFormDialog } from './preset-form-dialog';

export function PresetsPage() {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const [search, setSearch] = useState('');
  const presets = usePresets(useDebouncedValue(search.trim()));
  const remove = useDeletePreset();
  const [editing, setEditing] = useState<Preset | 'new' | null>(null);
  const [importing, setImporting] = useState(false);
  const [deleting, setDeleting] = useState<Preset | null>(null);
  const items = presets.data?.items ?? [];

  const param = (v: string | number | null) => (v === null ? '—' : String(v));

  return (
    <PageShell
      title={t('nav.presets')}
      actions={
        canConfigure ? (
          <>
            <Button variant="secondary" onClick={() => void downloadExport()}>
              {t('presets.exportAll')}
            </Button>
            <Button variant="secondary" onClick={() => setImporting(true)}>
              {t('presets.importButton')}
            </Button>
            <Button onClick={() => setEditing('new')}>{t('presets.new')}</Button>
          </>
        ) : null
      }
    >
      <Section
        title={t('presets.listTitle')}
        actions={
          <label className="flex items-center gap-2 text-xs text-neutral-600">
            <span className="sr-only">{t('presets.search')}</span>
            <Input
              type="search"
              className="h-8 w-56"
              placeholder={t('presets.search')}
              value={search}
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
        }
      >
        {presets.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : items.length === 0 ? (
          <EmptyState>{t('presets.empty')}</EmptyState>
        ) : (
          <DataTable
            caption={t('presets.listTitle')}
            columns={[
              {
                key: 'c0',
                header: t('presets.name'),
                cell: (p: Preset) => (
                  <>
                    <div className="font-medium text-neutral-900">{p.name}</div>
                    {p.description ? (
                      <div className="text-xs text-neutral-500">{p.description}</div>
                    ) : null}
                  </>
                ),
              },
              {
                key: 'c1',
                header: t('params.temperature'),
                cell: (p: Preset) => param(p.temperature),
                className: 'tabular-nums',
              },
              {
                key: 'c2',
                header: t('params.max_tokens'),
                cell: (p: Preset) => param(p.max_tokens),
                className: 'tabular-nums',
              },
              {
                key: 'c3',
                header: t('params.tone'),
                cell: (p: Preset) => <>{p.tone ? t(`params.toneValue.${p.tone}`) : '—'}</>,
              },
              {
                key: 'c4',
                header: t('params.verbosity'),
                cell: (p: Preset) => (
                  <>{p.verbosity ? t(`params.verbosityValue.${p.verbosity}`) : '—'}</>
                ),
              },
              {
                key: 'c5',
                header: t('params.emotional_intensity'),
                cell: (p: Preset) => param(p.emotional_intensity),
                className: 'tabular-nums',
              },
              {
                key: 'c6',
                header: t('presets.version'),
                cell: (p: Preset) => <>v{p.version}</>,
                className: 'text-xs text-neutral-500',
              },
              {
                key: 'actions',
                header: <span className="sr-only">{t('common.actions')}</span>,
                cell: (p: Preset) => (
                  <>
                    {canConfigure ? (
                      <>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t('presets.editNamed', { name: p.name })}
                          onClick={() => setEditing(p)}
                        >
                          {t('common.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t('presets.exportNamed', { name: p.name })}
                          onClick={() => void downloadExport([p.id])}
                        >
                          {t('presets.export')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700"
                          aria-label={t('presets.deleteNamed', { name: p.name })}
                          onClick={() => setDeleting(p)}
                        >
                          {t('common.delete')}
                        </Button>
                      </>
                    ) : null}
                  </>
                ),
                className: 'text-right whitespace-nowrap',
              },
            ]}
            rows={items}
            rowKey={(p) => p.id}
            empty={null}
          />
        )}
      </Section>
      <Section title={t('bindings.title')}>
        <BindingsTable />
      </Section>
      {editing ? (
        <PresetFormDialog
          preset={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {importing ? <ImportPresetsDialog onClose={() => setImporting(false)} /> : null}
      {deleting ? (
        <ConfirmDialog
          title={t('presets.deleteTitle', { name: deleting.name })}
          description={t('presets.deleteHint')}
          confirmLabel={t('common.delete')}
          pending={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          onClose={() => setDeleting(null)}
        >
          <p className="text-sm text-neutral-700">{deleting.name}</p>
        </ConfirmDialog>
      ) : null}
    </PageShell>
  );
}
