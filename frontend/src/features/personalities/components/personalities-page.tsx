// Personalities screen (admin): who the providers are in round-table sessions — title,
// instructions (the system prompt) and style — and which providers speak with each. Create and
// edit in a dialog, delete after confirming; other roles read only.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
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
          <DataTable
            caption={t('personalities.listTitle')}
            columns={[
              {
                key: 'c0',
                header: t('personalities.title'),
                cell: (p: Personality) => p.title,
                className: 'font-medium text-neutral-900',
              },
              {
                key: 'c1',
                header: t('personalities.instructions'),
                cell: (p: Personality) => p.instructions || '—',
                className: 'max-w-md text-xs break-words whitespace-pre-wrap',
              },
              {
                key: 'c2',
                header: t('personalities.style'),
                cell: (p: Personality) => p.style || '—',
                className: 'max-w-xs text-xs break-words whitespace-pre-wrap',
              },
              {
                key: 'c3',
                header: t('personalities.usedBy'),
                cell: (p: Personality) => usedBy(p.id).join(', ') || '—',
                className: 'text-xs',
              },
              {
                key: 'actions',
                header: <span className="sr-only">{t('common.actions')}</span>,
                cell: (p: Personality) => (
                  <>
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
