// Composer under the stream: a text area and "Reply as admin" / "Reply as bot". "As admin" opens
// the editable preview of the typed text; "as bot" asks the model for a draft (with the panel's
// one-off parameters, if chosen) and previews that. Nothing is sent from here directly.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Textarea } from '@/components/ui/input';
import { usePermission } from '@/hooks/use-permissions';
import type { ParamsOverride } from '@/lib/api/delivery';
import { BotReplyDialog } from './bot-reply-dialog';
import { ReplyPreviewDialog } from './reply-preview-dialog';

type ComposerProps = {
  chatId: number;
  /** One-off parameters for the next reply as bot ("only for this message"). */
  override?: ParamsOverride | null;
  /** The reply as bot that used `override` went out. */
  onBotReplySent?: () => void;
};

export function Composer({ chatId, override, onBotReplySent }: ComposerProps) {
  const { t } = useTranslation();
  const canSend = usePermission('moderate');
  const [text, setText] = useState('');
  const [previewAs, setPreviewAs] = useState<'admin' | 'bot' | null>(null);
  const [sentNote, setSentNote] = useState(false);

  if (!canSend) {
    return (
      <p className="border-t border-neutral-200 bg-white px-4 py-3 text-xs text-neutral-500">
        {t('composer.readOnly')}
      </p>
    );
  }

  const open = (as: 'admin' | 'bot') => {
    setSentNote(false);
    setPreviewAs(as);
  };

  return (
    <div className="border-t border-neutral-200 bg-white p-3">
      <label htmlFor={`composer-${chatId}`} className="sr-only">
        {t('composer.label')}
      </label>
      <Textarea
        id={`composer-${chatId}`}
        rows={2}
        className="min-h-14"
        placeholder={t('composer.placeholder')}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && text.trim()) open('admin');
        }}
      />
      <div className="mt-2 flex flex-wrap items-center justify-end gap-2">
        <p
          className="min-w-0 basis-full text-xs text-neutral-500 sm:basis-0 sm:flex-1"
          aria-live="polite"
        >
          {sentNote ? t('composer.sentNote') : t('composer.takeoverNote')}
        </p>
        <Button variant="secondary" onClick={() => open('bot')}>
          {t('composer.replyAsBot')}
        </Button>
        <Button disabled={!text.trim()} onClick={() => open('admin')}>
          {t('composer.replyAsAdmin')}
        </Button>
      </div>
      {previewAs === 'admin' ? (
        <ReplyPreviewDialog
          chatId={chatId}
          as="admin"
          initialText={text.trim()}
          onClose={() => setPreviewAs(null)}
          onSent={() => {
            setPreviewAs(null);
            setText('');
            setSentNote(true);
          }}
        />
      ) : null}
      {previewAs === 'bot' ? (
        <BotReplyDialog
          chatId={chatId}
          override={override}
          onClose={() => setPreviewAs(null)}
          onSent={() => {
            setPreviewAs(null);
            setSentNote(true);
            onBotReplySent?.();
          }}
        />
      ) : null}
    </div>
  );
}
