// Moderation screen: rules (pattern → label and action) with an enable switch, edit and
// delete, and the "test a rule" box for the moderation set.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DataTable } from '@/components/ui/data-table';
import { EmptyState, PageShell, Section } from '@/components/ui/page';
import { usePermission } from '@/hooks/use-permissions';
import type { ModerationRule } from '@/lib/api/behaviour';
import { useDeleteModerationRule, useModerationRules, useSaveModerationRule } from '../api/rules';
import { formatChatIds, moderationToInput } from '../utils/rule-form';
import { EnabledSwitch } from './enabled-switch';
import { RuleRowActions } from './rule-row-actions';
import { ModerationRuleFormDialog } from './moderation-rule-form-dialog';
import { RuleTestBox } from './rule-test-box';

const ACTION_TONE: Record<ModerationRule['action'], string> = {
  flag: 'bg-orange-100 text-orange-900',
  hide: 'bg-neutral-200 text-neutral-800',
  delete: 'bg-red-100 text-red-800',
};

export function ModerationPage() {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const rules = useModerationRules();
  const save = useSaveModerationRule();
  const remove = useDeleteModerationRule();
  const [editing, setEditing] = useState<ModerationRule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<ModerationRule | null>(null);
  const items = useMemo(() => rules.data?.items ?? [], [rules.data]);
  const names = useMemo(() => new Map(items.map((r) => [r.id, r.name])), [items]);

  return (
    <PageShell
      title={t('nav.moderation')}
      actions={
        canConfigure ? (
          <Button onClick={() => setEditing('new')}>{t('rules.newRule')}</Button>
        ) : null
      }
    >
      <div className="grid items-start gap-4 lg:grid-cols-[1fr_20rem]">
        <Section title={t('rules.rulesTitle')}>
          {rules.isPending ? (
            <EmptyState>{t('common.loading')}</EmptyState>
          ) : items.length === 0 ? (
            <EmptyState>{t('rules.noRules')}</EmptyState>
          ) : (
            <DataTable
              caption={t('rules.rulesTitle')}
              columns={[
                {
                  key: 'c0',
                  header: t('rules.name'),
                  cell: (r: ModerationRule) => r.name,
                  className: 'font-medium',
                },
                {
                  key: 'c1',
                  header: t('rules.pattern'),
                  cell: (r: ModerationRule) => (
                    <>
                      <code className="text-xs">{r.pattern}</code>{' '}
                      <Badge>{t(`rules.kind.${r.pattern_kind}`)}</Badge>
                      {r.evasion ? <Badge className="ml-1">{t('rules.evasionBadge')}</Badge> : null}
                      {r.chat_ids ? (
                        <div className="text-[11px] text-neutral-500">
                          {t('rules.onlyIn', { ids: formatChatIds(r.chat_ids) })}
                        </div>
                      ) : null}
                    </>
                  ),
                },
                {
                  key: 'c2',
                  header: t('rules.label'),
                  cell: (r: ModerationRule) => (
                    <>
                      <Badge className="bg-orange-50 text-orange-800">{r.label}</Badge>
                    </>
                  ),
                },
                {
                  key: 'c3',
                  header: t('rules.action'),
                  cell: (r: ModerationRule) => (
                    <>
                      <Badge className={ACTION_TONE[r.action]}>
                        {t(`rules.actionValue.${r.action}`)}
                      </Badge>
                    </>
                  ),
                },
                {
                  key: 'c4',
                  header: t('rules.enabled'),
                  cell: (r: ModerationRule) => (
                    <>
                      <EnabledSwitch
                        name={r.name}
                        checked={r.enabled}
                        readOnly={!canConfigure}
                        disabled={save.isPending}
                        onChange={(enabled) =>
                          save.mutate({ id: r.id, body: { ...moderationToInput(r), enabled } })
                        }
                      />
                    </>
                  ),
                },
                {
                  key: 'actions',
                  header: <span className="sr-only">{t('common.actions')}</span>,
                  cell: (r: ModerationRule) => (
                    <>
                      {canConfigure ? (
                        <RuleRowActions
                          name={r.name}
                          onEdit={() => setEditing(r)}
                          onDelete={() => setDeleting(r)}
                        />
                      ) : null}
                    </>
                  ),
                  className: 'text-right whitespace-nowrap',
                },
              ]}
              rows={items}
              rowKey={(r) => r.id}
              empty={null}
              rowClassName={(r: ModerationRule) => (r.enabled ? undefined : 'text-neutral-400')}
            />
          )}
        </Section>
        <Section title={t('rules.testTitle')}>
          <RuleTestBox ruleSet="moderation" names={names} />
        </Section>
      </div>
      {editing ? (
        <ModerationRuleFormDialog
          rule={editing === 'new' ? null : editing}
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
