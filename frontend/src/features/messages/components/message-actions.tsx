// Per-message moderation: flag (with an optional label), unflag, and delete behind a
// confirmation dialog (delete also removes it in Telegram through the outbox).
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import type { Message } from '@/lib/api/client';
import { useModerateMessage } from '../api/moderate-message';

export function MessageActions({ message }: { message: Message }) {
  const { t } = useTranslation();
  const moderate = useModerateMessage();
  const [dialog, setDialog] = useState<'flag' | 'delete' | null>(null);
  const [label, setLabel] = useState('');
  if (message.moderation === 'deleted') return null;
  const flagged = message.moderation === 'flagged' || message.labels.length > 0;

  const flag = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    moderate.mutate(
      { action: 'flag', id: message.id, label: label.trim() || undefined },
      { onSuccess: () => setDialog(null) },
    );
  };

  return (
    <div className="inline-flex gap-0.5" role="group" aria-label={t('moderation.actionsFor')}>
      {flagged ? (
        <Button
          size="sm"
          variant="ghost"
          className="h-5 px-1.5"
          disabled={moderate.isPending}
          onClick={() => moderate.mutate({ action: 'unflag', id: message.id })}
        >
          {t('moderation.unflag')}
        </Button>
      ) : (
        <Button size="sm" variant="ghost" className="h-5 px-1.5" onClick={() => setDialog('flag')}>
          {t('moderation.flag')}
        </Button>
      )}
      <Button
        size="sm"
        variant="ghost"
        className="h-5 px-1.5 text-red-700 hover:bg-red-50"
        onClick={() => setDialog('delete')}
      >
        {t('moderation.delete')}
      </Button>
      {dialog === 'flag' ? (
        <Dialog title={t('moderation.flagTitle')} onClose={() => setDialog(null)}>
          <form className="space-y-3" onSubmit={flag}>
            <Field label={t('moderation.label')} hint={t('moderation.labelHint')}>
              <Input maxLength={64} value={label} onChange={(e) => setLabel(e.target.value)} />
            </Field>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => setDialog(null)}>
                {t('common.cancel')}
              </Button>
              <Button type="submit" disabled={moderate.isPending}>
                {t('moderation.flag')}
              </Button>
            </div>
          </form>
        </Dialog>
      ) : null}
      {dialog === 'delete' ? (
        <ConfirmDialog
          title={t('moderation.deleteTitle')}
          description={t('moderation.deleteHint')}
          confirmLabel={t('moderation.confirmDelete')}
          pending={moderate.isPending}
          onConfirm={() =>
            moderate.mutate(
              { action: 'delete', id: message.id },
              { onSuccess: () => setDialog(null) },
            )
          }
          onClose={() => setDialog(null)}
        >
          <blockquote className="rounded-md border-l-2 border-neutral-300 bg-neutral-50 px-3 py-2 text-sm whitespace-pre-wrap text-neutral-700">
            {message.text ?? t('messages.noText')}
          </blockquote>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}
