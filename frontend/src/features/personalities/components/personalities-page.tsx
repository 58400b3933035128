// Personalities screen (admin): who the providers are in round-table sessions — title,
// instructions (the system prompt) and style — and which providers speak with each. Create and
// edit in a dialog, delete after confirming; other roles read only.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { EmptyState, ErrorText, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
import { usePermission } from '@/hooks/use-permissions';
import { isApiError } from '@/lib/api/errors';
import { usePersonalities } from '@/lib/api/list-personalities';
import { useProviders } from '@/lib/api/list-providers';
import type { Personality } from '@/lib/api/roundtable';
import { useDeletePersonality } from '../api/delete-personality';
import { PersonalityFormDialog } from './personality-form-dialog';

export function PersonalitiesPage() {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const personalities = usePersonalities();
  const providers = useProviders();
  const remove = useDeletePersonality();
  const [editing, setEditing] = useState<Personality | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Personality | null>(null);
  const items = personalities.data ?? [];
  const usedBy = (id: number) =>
    (providers.data ?? []).filter((p) => p.personality_id === id).map((p) => p.name);

  return (
    <PageShell
      title={t('nav.personalities')}
      actions={
        canConfigure ? (
          <Button onClick={() => setEditing('new')}>{t('personalities.new')}</Button>
        ) : null
      }
    >
      <Section title={t('personalities.listTitle')}>
        <p className="mb-3 text-xs text-neutral-500">{t('personalities.hint')}</p>
        {personalities.isPending ? (
          <EmptyState>{t('common.loading')}</EmptyState>
        ) : personalities.error ? (
          <ErrorText>
            {isApiError(personalities.error)
              ? personalities.error.detail
              : personalities.error.message}
          </ErrorText>
        ) : items.length === 0 ? (
          <EmptyState>{t('personalities.empty')}</EmptyState>
        ) : (
          <table className={TABLE} aria-label={t('personalities.listTitle')}>
            <thead>
              <tr>
                <th className={TH}>{t('personalities.title')}</th>
                <th className={TH}>{t('personalities.instructions')}</th>
                <th className={TH}>{t('personalities.style')}</th>
                <th className={TH}>{t('personalities.usedBy')}</th>
                <th className={TH}>
                  <span className="sr-only">{t('common.actions')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((p) => (
                <tr key={p.id}>
                  <td className={`${TD} font-medium text-neutral-900`}>{p.title}</td>
                  <td className={`${TD} max-w-md text-xs break-words whitespace-pre-wrap`}>
                    {p.instructions || '—'}
                  </td>
                  <td className={`${TD} max-w-xs text-xs break-words whitespace-pre-wrap`}>
                    {p.style || '—'}
                  </td>
                  <td className={`${TD} text-xs`}>{usedBy(p.id).join(', ') || '—'}</td>
                  <td className={`${TD} text-right whitespace-nowrap`}>
                    {canConfigure ? (
                      <>
                        <Button
                          size="sm"
                          variant="ghost"
                          aria-label={t('personalities.editNamed', { title: p.title })}
                          onClick={() => setEditing(p)}
                        >
                          {t('common.edit')}
                        </Button>
                        <Button
                          size="sm"
                          variant="ghost"
                          className="text-red-700"
                          aria-label={t('personalities.deleteNamed', { title: p.title })}
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
      {editing ? (
        <PersonalityFormDialog
          personality={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={t('personalities.deleteTitle', { title: deleting.title })}
          description={t('personalities.deleteHint')}
          confirmLabel={t('common.delete')}
          pending={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          onClose={() => setDeleting(null)}
        >
          <p className="text-sm text-neutral-700">{deleting.title}</p>
        </ConfirmDialog>
      ) : null}
    </PageShell>
  );
}
