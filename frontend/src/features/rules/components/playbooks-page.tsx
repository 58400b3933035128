// Playbooks screen: the list in priority order (lower runs first) with an enable switch, edit
// and delete, and the "test a rule" box for the playbook set.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PageShell, Section } from '@/components/ui/page';
import { usePermission } from '@/hooks/use-permissions';
import type { Playbook } from '@/lib/api/behaviour';
import { useDeletePlaybook, usePlaybooks, usePresetChoices, useSavePlaybook } from '../api/rules';
import { byPriority, formatChatIds, playbookToInput } from '../utils/rule-form';
import { EnabledSwitch } from './enabled-switch';
import { RuleRowActions } from './rule-row-actions';
import { PlaybookFormDialog } from './playbook-form-dialog';
import { RuleTestBox } from './rule-test-box';

export function PlaybooksPage() {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const playbooks = usePlaybooks();
  const presets = usePresetChoices();
  const save = useSavePlaybook();
  const remove = useDeletePlaybook();
  const [editing, setEditing] = useState<Playbook | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Playbook | null>(null);
  const items = useMemo(
    () => [...(playbooks.data?.items ?? [])].sort(byPriority),
    [playbooks.data],
  );
  const names = useMemo(() => new Map(items.map((p) => [p.id, p.name])), [items]);
  const presetName = (id: number | null) =>
    id === null ? null : (presets.data?.items.find((p) => p.id === id)?.name ?? `#${id}`);

  return (
    <PageShell
      title={t('nav.playbooks')}
      actions={
        canConfigure ? (
          <Button onClick={() => setEditing('new')}>{t('rules.newPlaybook')}</Button>
        ) : null
      }
    >
      <div className="grid items-start gap-4 lg:grid-cols-[1fr_20rem]">
        <Section title={t('rules.playbooksTitle')}>
          {playbooks.isPending ? (
            <EmptyState>{t('common.loading')}</EmptyState>
          ) : items.length === 0 ? (
            <EmptyState>{t('rules.noPlaybooks')}</EmptyState>
          ) : (
            <DataTable
              caption={t('rules.playbooksTitle')}
              columns={[
                {
                  key: 'c0',
                  header: t('rules.priority'),
                  cell: (p: Playbook) => p.priority,
                  className: 'tabular-nums',
                },
                {
                  key: 'c1',
                  header: t('rules.name'),
                  cell: (p: Playbook) => p.name,
                  className: 'font-medium',
                },
                {
                  key: 'c2',
                  header: t('rules.pattern'),
                  cell: (p: Playbook) => (
                    <>
                      <code className="text-xs">{p.pattern}</code>{' '}
                      <Badge>{t(`rules.kind.${p.pattern_kind}`)}</Badge>
                      {p.chat_ids ? (
                        <div className="text-[11px] text-neutral-500">
                          {t('rules.onlyIn', { ids: formatChatIds(p.chat_ids) })}
                        </div>
                      ) : null}
                    </>
                  ),
                },
                {
                  key: 'c3',
                  header: t('rules.effect'),
                  cell: (p: Playbook) => (
                    <>
                      {p.preset_id !== null ? (
                        <div>
                          {p.preset_hours
                            ? t('rules.presetFor', {
                                name: presetName(p.preset_id),
                                hours: p.preset_hours,
                              })
                            : t('rules.presetOnce', { name: presetName(p.preset_id) })}
                        </div>
                      ) : null}
                      {p.reply_text ? (
                        <div className="truncate" title={p.reply_text}>
                          {t('rules.replies', { text: p.reply_text })}
                        </div>
                      ) : null}
                      {p.stop ? (
                        <Badge className="bg-neutral-900 text-white">{t('rules.stopBadge')}</Badge>
                      ) : null}
                    </>
                  ),
                  className: 'space-y-0.5 text-xs',
                },
                {
                  key: 'c4',
                  header: t('rules.enabled'),
                  cell: (p: Playbook) => (
                    <>
                      <EnabledSwitch
                        name={p.name}
                        checked={p.enabled}
                        readOnly={!canConfigure}
                        disabled={save.isPending}
                        onChange={(enabled) =>
                          save.mutate({ id: p.id, body: { ...playbookToInput(p), enabled } })
                        }
                      />
                    </>
                  ),
                },
                {
                  key: 'actions',
                  header: <span className="sr-only">{t('common.actions')}</span>,
                  cell: (p: Playbook) => (
                    <>
                      {canConfigure ? (
                        <RuleRowActions
                          name={p.name}
                          onEdit={() => setEditing(p)}
                          onDelete={() => setDeleting(p)}
                        />
                      ) : null}
                    </>
                  ),
                  className: 'text-right whitespace-nowrap',
                },
              ]}
              rows={items}
              rowKey={(p) => p.id}
              empty={null}
              rowClassName={(p: Playbook) => (p.enabled ? undefined : 'text-neutral-400')}
            />
          )}
        </Section>
        <Section title={t('rules.testTitle')}>
          <RuleTestBox ruleSet="playbook" names={names} />
        </Section>
      </div>
      {editing ? (
        <PlaybookFormDialog
          playbook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={t('rules.deleteTitle', { name: deleting.name })}
          confirmLabel={t('common.delete')}
          pending={remove.isPending}
          onConfirm={() => remove.mutate(deleting.id, { onSuccess: () => setDeleting(null) })}
          onClose={() => setDeleting(null)}
        >
          <code className="text-sm">{deleting.pattern}</code>
        </ConfirmDialog>
      ) : null}
    </PageShell>
  );
}
