// Auto-reply and (in groups only) reply-on-mention switches plus the human-takeover state with
// "Resume auto-reply".
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Switch } from '@/components/ui/switch';
import { usePermission } from '@/hooks/use-permissions';
import type { Chat } from '@/lib/api/client';
import { formatFullTime } from '@/lib/utils/format';
import { useResume, useUpdateChat } from '../api/update-chat';
import { isUnderTakeover } from '../utils/takeover';

export function ChatSwitches({ chat }: { chat: Chat }) {
  const { t, i18n } = useTranslation();
  const canConfigure = usePermission('configure');
  const canModerate = usePermission('moderate');
  const update = useUpdateChat(chat.id);
  const resume = useResume(chat.id);
  const takeover = isUnderTakeover(chat);
  // @mentions only exist where several people talk: groups and supergroups.
  const group = chat.type === 'group' || chat.type === 'supergroup';

  return (
    <div className="space-y-3">
      <Switch
        label={t('controls.autoreply')}
        checked={chat.autoreply}
        readOnly={!canConfigure}
        disabled={update.isPending}
        onChange={(autoreply) => update.mutate({ autoreply })}
      />
      {group ? (
        <Switch
          label={t('controls.replyOnMention')}
          description={t('controls.replyOnMentionHint')}
          checked={chat.reply_on_mention}
          readOnly={!canConfigure}
          disabled={update.isPending}
          onChange={(reply_on_mention) => update.mutate({ reply_on_mention })}
        />
      ) : null}
      <div
        role="status"
        className={
          takeover
            ? 'rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900'
            : 'rounded-md border border-neutral-200 bg-neutral-50 px-3 py-2 text-xs text-neutral-600'
        }
      >
        {takeover && chat.takeover_until ? (
          <div className="flex flex-col items-start gap-2">
            <span>
              {t('controls.takeoverUntil', {
                time: formatFullTime(chat.takeover_until, i18n.language),
              })}
            </span>
            {canModerate ? (
              <Button
                size="sm"
                variant="secondary"
                onClick={() => resume.mutate()}
                disabled={resume.isPending}
              >
                {t('controls.resume')}
              </Button>
            ) : null}
          </div>
        ) : (
          t('controls.noTakeover')
        )}
      </div>
    </div>
  );
}
