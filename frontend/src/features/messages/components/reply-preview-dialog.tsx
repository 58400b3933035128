// The editable preview shown before a manual reply goes out: the text can still be changed,
// and "Send" posts it as the admin or as the bot. Sending pauses auto-reply (takeover).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { isApiError } from '@/lib/api/errors';
import type { Message } from '@/lib/api/client';
import { useSendMessage } from '../api/send-message';

export const MAX_TEXT = 4096;

type ReplyPreviewDialogProps = {
  chatId: number;
  as: 'admin' | 'bot';
  initialText: string;
  replyTo?: number | null;
  onClose: () => void;
  onSent: (message: Message) => void;
};

export function ReplyPreviewDialog({
  chatId,
  as,
  initialText,
  replyTo,
  onClose,
  onSent,
}: ReplyPreviewDialogProps) {
  const { t } = useTranslation();
  const [text, setText] = useState(initialText);
  const send = useSendMessage();
  const trimmed = text.trim();

  const submit = () => {
    send.mutate(
      { chat_id: chatId, text: trimmed, as, reply_to_message_id: replyTo ?? undefined },
      { onSuccess: onSent },
    );
  };

  return (
    <Dialog
      title={as === 'admin' ? t('composer.previewAdmin') : t('composer.previewBot')}
      description={t('composer.takeoverNote')}
      onClose={onClose}
      footer={
        <>
          <Button variant="secondary" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button
            onClick={submit}
            disabled={send.isPending || trimmed === '' || text.length > MAX_TEXT}
          >
            {send.isPending ? t('composer.sending') : t('composer.send')}
          </Button>
        </>
      }
    >
      <Field
        label={t('composer.previewText')}
        hint={t('composer.counter', { count: text.length, max: MAX_TEXT })}
      >
        <Textarea
          rows={6}
          value={text}
          aria-invalid={text.length > MAX_TEXT}
          onChange={(e) => setText(e.target.value)}
        />
      </Field>
      <div className="mt-2">
        <ErrorText>
          {send.error ? (isApiError(send.error) ? send.error.detail : send.error.message) : null}
        </ErrorText>
      </div>
    </Dialog>
  );
}
