// "The bot is typing": one bubble per auto-reply a model is writing in this chat (a round-table
// turn names its speaker), showing the text so far. It disappears on llm.done or when the reply's own message arrives.
import { useTranslation } from 'react-i18next';
import { replyStreams, streamText } from '@/lib/cache/llm-streams';
import { useLlmStreams } from '../hooks/use-llm-streams';
import { DemoBadge } from '@/components/ui/demo-badge';

export function TypingBubbles({ chatId }: { chatId: number }) {
  const { t } = useTranslation();
  const streams = replyStreams(useLlmStreams(chatId));
  if (streams.length === 0) return null;
  return (
    <ol className="mt-2 space-y-2">
      {streams.map((stream) => {
        const text = streamText(stream);
        return (
          <li key={stream.jobId}>
            <article
              aria-label={t('llm.typing')}
              aria-busy="true"
              className="rounded-lg border border-dashed border-violet-300 bg-violet-50/60 px-3 py-2"
            >
              <header className="flex flex-wrap items-center gap-2 text-xs">
                <span className="font-semibold text-violet-900">
                  {stream.speaker
                    ? t('sessions.typing', { speaker: stream.speaker })
                    : t('llm.typing')}
                </span>
                {stream.provider && !stream.speaker ? (
                  <span className="text-neutral-500">{stream.provider}</span>
                ) : null}
                {stream.demo ? <DemoBadge /> : null}
                <span aria-hidden="true" className="ml-auto flex gap-0.5">
                  <span className="size-1.5 animate-pulse rounded-full bg-violet-400" />
                  <span className="size-1.5 animate-pulse rounded-full bg-violet-400 [animation-delay:150ms]" />
                  <span className="size-1.5 animate-pulse rounded-full bg-violet-400 [animation-delay:300ms]" />
                </span>
              </header>
              <p className="mt-1 text-sm break-words whitespace-pre-wrap text-neutral-800">
                {text || '…'}
              </p>
            </article>
          </li>
        );
      })}
    </ol>
  );
}
