// "Reply as bot": the model writes a draft (POST /api/chats/{id}/draft, with the panel's
// one-off parameters when the admin chose "only for this message"), its text streams into the
// preview, and the admin may regenerate or edit it. Nothing is sent until "Send", which posts
// the edited text as the bot (POST /api/messages, as=bot).
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import type { Message } from '@/lib/api/client';
import type { ParamsOverride } from '@/lib/api/delivery';
import { isApiError } from '@/lib/api/errors';
import { useCreateDraft } from '../api/create-draft';
import { useSendMessage } from '../api/send-message';
import { useDraftReply } from '../hooks/use-draft-reply';
import { DemoBadge } from '@/components/ui/demo-badge';
import { LlmMeta } from '@/components/llm-meta';
import { MAX_TEXT } from './reply-preview-dialog';

type BotReplyDialogProps = {
  chatId: number;
  /** One-off parameters for this reply only; absent = the chat's effective parameters. */
  override?: ParamsOverride | null;
  onClose: () => void;
  onSent: (message: Message) => void;
};

function problemText(error: Error | null): string | null {
  if (!error) return null;
  return isApiError(error) ? error.detail : error.message;
}

export function BotReplyDialog({ chatId, override, onClose, onSent }: BotReplyDialogProps) {
  const { t } = useTranslation();
  const create = useCreateDraft();
  const send = useSendMessage();
  const [draftId, setDraftId] = useState<number | null>(null);
  // Until the admin types, the text follows the draft; the first edit detaches it.
  const [edited, setEdited] = useState<string | null>(null);
  const draft = useDraftReply(chatId, draftId);

  const generate = () => {
    setEdited(null);
    setDraftId(null);
    create.mutate(
      { chatId, body: override ? { override } : {} },
      { onSuccess: (created) => setDraftId(created.id) },
    );
  };

  // One draft when the preview opens (the ref survives StrictMode's double effect run).
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    generate();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on open
  }, []);

  const generating = create.isPending || draft.status === 'generating';
  const text = edited ?? draft.text;
  const trimmed = text.trim();

  const statusText = create.isPending
    ? t('draft.requesting')
    : draft.status === 'generating'
      ? t('draft.generating')
      : draft.status === 'ready'
        ? t('draft.ready')
        : draft.status === 'failed'
          ? t('draft.failed', { error: draft.error || t('draft.noReason') })
          : null;

  return (
    <Dialog
      size="lg"
      title={t('composer.previewBot')}
      description={t('draft.hint')}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button variant="secondary" onClick={generate} disabled={generating}>
            {t('draft.regenerate')}
          </Button>
          <Button
            onClick={() =>
              send.mutate({ chat_id: chatId, text: trimmed, as: 'bot' }, { onSuccess: onSent })
            }
            disabled={generating || send.isPending || trimmed === '' || text.length > MAX_TEXT}
          >
            {send.isPending ? t('composer.sending') : t('composer.send')}
          </Button>
        </>
      }
    >
      <div className="mb-2 flex flex-wrap items-center gap-2 text-xs">
        <p role="status" className="text-neutral-600">
          {statusText}
        </p>
        {draft.demo ? <DemoBadge /> : null}
        {override ? (
          <span className="rounded bg-neutral-100 px-1.5 py-0.5 text-neutral-600">
            {t('draft.oneOff')}
          </span>
        ) : null}
      </div>
      <Field
        label={t('composer.previewText')}
        hint={t('composer.counter', { count: text.length, max: MAX_TEXT })}
      >
        <Textarea
          rows={8}
          value={text}
          readOnly={generating}
          aria-busy={generating}
          aria-invalid={text.length > MAX_TEXT}
          onChange={(e) => setEdited(e.target.value)}
        />
      </Field>
      {draft.llm ? <LlmMeta llm={draft.llm} /> : null}
      <div className="mt-2">
        <ErrorText>{problemText(create.error) ?? problemText(send.error)}</ErrorText>
      </div>
    </Dialog>
  );
}
