// Presets screen: the preset list with create/edit/delete, export (download JSON) and import,
// and the bindings list below it.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Input } from '@/components/ui/input';
import { EmptyState, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
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
          <table className={TABLE} aria-label={t('presets.listTitle')}>
            <thead>
              <tr>
                <th className={TH}>{t('presets.name')}</th>
                <th className={TH}>{t('params.temperature')}</th>
                <th className={TH}>{t('params.max_tokens')}</th>
                <th className={TH}>{t('params.tone')}</th>
                <th className={TH}>{t('params.verbosity')}</th>
                <th className={TH}>{t('params.emotional_intensity')}</th>
                <th className={TH}>{t('presets.version')}</th>
                <th className={TH}>
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td className={TD}>
                    <div className="font-medium text-neutral-900">{p.name}</div>
                    {p.description ? (
                      <div className="text-xs text-neutral-500">{p.description}</div>
                    ) : null}
                  </td>
                  <td className={`${TD} tabular-nums`}>{param(p.temperature)}</td>
                  <td className={`${TD} tabular-nums`}>{param(p.max_tokens)}</td>
                  <td className={TD}>{p.tone ? t(`params.toneValue.${p.tone}`) : '—'}</td>
                  <td className={TD}>
                    {p.verbosity ? t(`params.verbosityValue.${p.verbosity}`) : '—'}
                  </td>
                  <td className={`${TD} tabular-nums`}>{param(p.emotional_intensity)}</td>
                  <td className={`${TD} text-xs text-neutral-500`}>v{p.version}</td>
                  <td className={`${TD} text-right whitespace-nowrap`}>
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
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
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
