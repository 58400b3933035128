// The controls panel beside the message stream: switches and takeover, the chat's provider, the
// effective parameters with their layers, the parameter editor (with its one-off parameters for
// the next reply as bot) and "apply a preset globally, to this chat or to this user for N hours"
// with the presets in force and their countdowns.
import { useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { usePermission } from '@/hooks/use-permissions';
import type { Params } from '@/lib/api/behaviour';
import type { Chat } from '@/lib/api/client';
import { useExplain } from '../api/explain-params';
import { formFromParams } from '../utils/param-form';
import { ApplyPreset } from './apply-preset';
import { ChatProvider } from './chat-provider';
import { ChatSwitches } from './chat-switches';
import { EffectiveParams } from './effective-params';
import { ParamEditor } from './param-editor';
import { UserMute } from './user-mute';

type ChatControlsPanelProps = {
  chatId: number;
  chat: Chat | undefined;
  /** The user the history is filtered to, if any: explain and bindings then cover them too. */
  userId?: number;
  /** One-off parameters armed for the next reply as bot (held by the route for the composer). */
  oneOff?: Params | null;
  onOneOffChange?: (params: Params | null) => void;
};

export function ChatControlsPanel({
  chatId,
  chat,
  userId,
  oneOff,
  onOneOffChange,
}: ChatControlsPanelProps) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const explain = useExplain({ chat_id: chatId, user_id: userId });

  return (
    <div className="divide-y divide-neutral-200">
      <PanelSection title={t('controls.title')}>
        {chat ? (
          <>
            <ChatSwitches chat={chat} />
            <ChatProvider chat={chat} />
            {userId !== undefined ? <UserMute userId={userId} /> : null}
          </>
        ) : (
          <p className="text-xs text-neutral-500">{t('common.loading')}</p>
        )}
      </PanelSection>
      <PanelSection title={t('controls.effective')}>
        <EffectiveParams explain={explain.data} error={explain.error} loading={explain.isPending} />
      </PanelSection>
      {canConfigure ? (
        <PanelSection title={t('controls.applyPreset')}>
          <ApplyPreset chatId={chatId} userId={userId} />
        </PanelSection>
      ) : null}
      <PanelSection title={t('controls.editor')}>
        {explain.isPending ? (
          <p className="text-xs text-neutral-500">{t('common.loading')}</p>
        ) : (
          <ParamEditor
            key={`${chatId}:${userId ?? ''}`}
            chatId={chatId}
            userId={userId}
            initial={formFromParams(explain.data?.params)}
            oneOff={oneOff}
            onOneOffChange={onOneOffChange}
          />
        )}
      </PanelSection>
    </div>
  );
}

function PanelSection({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="space-y-2 p-4">
      <h3 id={id} className="text-xs font-semibold tracking-wide text-neutral-500 uppercase">
        {title}
      </h3>
      {children}
    </section>
  );
}
