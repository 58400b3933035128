// One round-table session: its state and why it ended, the round reached, totals and limits; the
// participants in speaking order with their strikes (excluded ones say why); and the history, one
// card per turn (speaker, round, text, tokens and cost), with the turn being written streaming in
// as a "typing" card of its speaker. Admins stop an active session. Everything follows the live
// events: `entity.changed` session and a turn's `message.created` refetch it, `llm.delta` frames
// with this session_id fill the typing card.
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { DemoBadge } from '@/components/ui/demo-badge';
import { Field } from '@/components/ui/field';
import { Textarea } from '@/components/ui/input';
import { EmptyState, ErrorText, PageShell, Section, TABLE, TD, TH } from '@/components/ui/page';
import { LlmMeta } from '@/components/llm-meta';
import { usePermission } from '@/hooks/use-permissions';
import type { Message } from '@/lib/api/client';
import { isApiError } from '@/lib/api/errors';
import { isActiveSession, type RtSessionDetail } from '@/lib/api/roundtable';
import { replyStreams, streamText } from '@/lib/cache/llm-streams';
import { cn } from '@/lib/utils/cn';
import { formatFullTime, formatMessageTime, senderName } from '@/lib/utils/format';
import { useSession } from '../api/get-session';
import { useStartSession } from '../api/start-session';
import { useStopSession } from '../api/stop-session';
import { useSessionStreams } from '../hooks/use-session-streams';
import { formatCost } from '@/lib/utils/llm-meta';
import { formatCount } from '../utils/format';
import { SessionStatusBadge, StopReasonText } from './session-status';

export function SessionDetailPage({ sessionId }: { sessionId: number }) {
  const { t } = useTranslation();
  const session = useSession(sessionId);
  const title = t('sessions.detailTitle', { id: sessionId });
  return (
    <PageShell
      title={title}
      actions={
        <>
          <Link className="text-sm text-sky-700 hover:underline" to="/sessions">
            {t('sessions.back')}
          </Link>
          {session.data ? <StopButton session={session.data} /> : null}
        </>
      }
    >
      {session.isPending ? (
        <EmptyState>{t('common.loading')}</EmptyState>
      ) : session.error ? (
        <ErrorText>
          {isApiError(session.error) ? session.error.detail : session.error.message}
        </ErrorText>
      ) : (
        <SessionBody session={session.data} />
      )}
    </PageShell>
  );
}

function StopButton({ session }: { session: RtSessionDetail }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const stop = useStopSession();
  const [confirming, setConfirming] = useState(false);
  if (!canConfigure || !isActiveSession(session.status)) return null;
  return (
    <>
      <Button variant="danger" onClick={() => setConfirming(true)}>
        {t('sessions.stop')}
      </Button>
      {confirming ? (
        <ConfirmDialog
          title={t('sessions.stopTitle', { id: session.id })}
          description={t('sessions.stopHint')}
          confirmLabel={t('sessions.stop')}
          pending={stop.isPending}
          onConfirm={() => stop.mutate(session.id, { onSuccess: () => setConfirming(false) })}
          onClose={() => setConfirming(false)}
        >
          <p className="text-sm break-words text-neutral-700">{session.topic}</p>
          <ErrorText>
            {stop.error ? (isApiError(stop.error) ? stop.error.detail : stop.error.message) : null}
          </ErrorText>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function SessionBody({ session }: { session: RtSessionDetail }) {
  const { t, i18n } = useTranslation();
  const locale = i18n.language;
  const count = (n: number) => formatCount(n, locale);
  return (
    <>
      <Section title={t('sessions.summary')}>
        <p className="mb-3 text-base break-words whitespace-pre-wrap text-neutral-900">
          {session.topic ?? t('sessions.noTopic')}
        </p>
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 text-sm sm:grid-cols-3">
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.status')}</dt>
            <dd className="flex flex-wrap items-center gap-2" data-testid="session-status">
              <SessionStatusBadge status={session.status} />
            </dd>
          </div>
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.stopReason')}</dt>
            <dd data-testid="session-stop-reason">
              {session.stop_reason ? <StopReasonText session={session} /> : '—'}
              {session.stop_detail ? (
                <span className="block text-xs text-neutral-500">
                  {t('sessions.stopDetail', { detail: session.stop_detail })}
                </span>
              ) : null}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.round')}</dt>
            <dd className="tabular-nums" data-testid="session-round">
              {t('sessions.roundOfLong', {
                current: session.current_round,
                max: session.max_rounds,
              })}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.tokens')}</dt>
            <dd className="tabular-nums" data-testid="session-tokens">
              {t('sessions.tokensInOut', {
                in: count(session.tokens_in),
                out: count(session.tokens_out),
              })}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.cost')}</dt>
            <dd className="tabular-nums" data-testid="session-cost">
              {formatCost(session.cost, locale)}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-neutral-500">{t('sessions.chat')}</dt>
            <dd>
              {session.chat_id === null ? (
                <span className="text-neutral-500">{t('sessions.consoleOnly')}</span>
              ) : (
                <Link
                  className="font-mono text-sky-700 hover:underline"
                  to={`/chats/${session.chat_id}`}
                  aria-label={t('sessions.chatLink', { id: session.chat_id })}
                >
                  {session.chat_id}
                </Link>
              )}
            </dd>
          </div>
          <div className="col-span-2 sm:col-span-3">
            <dt className="text-xs text-neutral-500">{t('sessions.limits')}</dt>
            <dd className="text-xs text-neutral-700">
              {[
                t('sessions.limitsValue', {
                  timeout: session.turn_timeout_sec,
                  limit: count(session.context_token_limit),
                }),
                session.max_tokens !== null
                  ? t('sessions.maxTokens', { n: count(session.max_tokens) })
                  : null,
                session.max_cost !== null
                  ? t('sessions.maxCost', { cost: formatCost(session.max_cost, locale) })
                  : null,
                session.status === 'running' && session.turn_deadline
                  ? t('sessions.turnDeadline', {
                      time: formatFullTime(session.turn_deadline, locale),
                    })
                  : null,
              ]
                .filter(Boolean)
                .join(' · ')}
            </dd>
          </div>
        </dl>
      </Section>
      {session.status === 'awaiting_topic' ? <StartSection session={session} /> : null}
      <ParticipantsSection session={session} />
      <HistorySection session={session} />
    </>
  );
}

/** A session awaiting its topic (a Telegram /new not answered yet): an admin may give it one. */
function StartSection({ session }: { session: RtSessionDetail }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const start = useStartSession();
  const [topic, setTopic] = useState('');
  const [missing, setMissing] = useState(false);
  if (!canConfigure) return null;
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const value = topic.trim();
    setMissing(value === '');
    if (value !== '') start.mutate({ id: session.id, topic: value });
  };
  return (
    <Section title={t('sessions.startTitle')}>
      <form className="space-y-2" onSubmit={submit} noValidate>
        <Field
          label={t('sessions.topic')}
          hint={
            missing ? (
              <span className="text-red-700">{t('sessions.errors.topicRequired')}</span>
            ) : (
              t('sessions.startHint')
            )
          }
        >
          <Textarea
            rows={2}
            maxLength={4000}
            value={topic}
            aria-invalid={missing}
            onChange={(e) => setTopic(e.target.value)}
          />
        </Field>
        <ErrorText>
          {start.error
            ? isApiError(start.error)
              ? start.error.detail
              : start.error.message
            : null}
        </ErrorText>
        <Button type="submit" disabled={start.isPending}>
          {t('sessions.startNow')}
        </Button>
      </form>
    </Section>
  );
}

function ParticipantsSection({ session }: { session: RtSessionDetail }) {
  const { t, i18n } = useTranslation();
  const count = (n: number) => formatCount(n, i18n.language);
  return (
    <Section title={t('sessions.participants')}>
      {session.participants.length === 0 ? (
        <EmptyState>{t('sessions.noParticipants')}</EmptyState>
      ) : (
        <table className={TABLE} aria-label={t('sessions.participants')}>
          <thead>
            <tr>
              <th className={TH}>{t('sessions.position')}</th>
              <th className={TH}>{t('sessions.speaker')}</th>
              <th className={TH}>{t('sessions.status')}</th>
              <th className={TH}>{t('sessions.strikes')}</th>
              <th className={TH}>{t('sessions.turns')}</th>
              <th className={TH}>{t('sessions.tokens')}</th>
              <th className={TH}>{t('sessions.cost')}</th>
            </tr>
          </thead>
          <tbody>
            {session.participants.map((p) => (
              <tr
                key={p.position}
                data-status={p.status}
                className={cn(p.status === 'excluded' && 'text-neutral-500')}
              >
                <td className={`${TD} tabular-nums`}>{p.position + 1}</td>
                <td className={TD}>
                  <span className="font-medium">{p.name}</span>
                  {p.excluded_reason ? (
                    <span className="block text-xs text-red-700">
                      {t('sessions.excludedBecause', { reason: p.excluded_reason })}
                    </span>
                  ) : null}
                </td>
                <td className={TD}>
                  <Badge
                    className={
                      p.status === 'excluded'
                        ? 'bg-red-100 text-red-800'
                        : 'bg-emerald-100 text-emerald-800'
                    }
                  >
                    {t(`sessions.participantStatus.${p.status}`)}
                  </Badge>
                </td>
                <td className={`${TD} tabular-nums`}>{p.strikes}</td>
                <td className={`${TD} tabular-nums`}>{p.turns}</td>
                <td className={`${TD} text-xs whitespace-nowrap tabular-nums`}>
                  {t('sessions.tokensInOut', { in: count(p.tokens_in), out: count(p.tokens_out) })}
                </td>
                <td className={`${TD} text-xs tabular-nums`}>
                  {formatCost(p.cost, i18n.language)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function HistorySection({ session }: { session: RtSessionDetail }) {
  const { t } = useTranslation();
  const typing = replyStreams(useSessionStreams(session.id));
  const turns = session.turns;
  return (
    <Section title={t('sessions.history')}>
      {turns.length === 0 && typing.length === 0 ? (
        <EmptyState>{t('sessions.noTurns')}</EmptyState>
      ) : null}
      <ol aria-label={t('sessions.historyLabel', { id: session.id })} className="space-y-2">
        {turns.map((m) => (
          <li key={m.id}>
            <TurnCard message={m} />
          </li>
        ))}
        {typing.map((stream) => {
          const speaker = stream.speaker ?? stream.provider ?? '…';
          return (
            <li key={`typing-${stream.jobId}`}>
              <article
                aria-label={t('sessions.typingLabel', { speaker })}
                aria-busy="true"
                data-testid="session-typing"
                className="rounded-lg border border-dashed border-violet-300 bg-violet-50/60 px-3 py-2"
              >
                <header className="flex flex-wrap items-center gap-2 text-xs">
                  <span className="font-semibold text-violet-900">
                    {t('sessions.typing', { speaker })}
                  </span>
                  {stream.demo ? <DemoBadge /> : null}
                </header>
                <p className="mt-1 text-sm break-words whitespace-pre-wrap text-neutral-800">
                  {streamText(stream) || '…'}
                </p>
              </article>
            </li>
          );
        })}
      </ol>
    </Section>
  );
}

function TurnCard({ message }: { message: Message }) {
  const { t, i18n } = useTranslation();
  const name =
    message.speaker ??
    senderName(message.sender) ??
    t(`messages.authorName.${message.author_type}`);
  return (
    <article
      aria-label={name}
      data-testid="session-turn"
      data-round={message.round ?? undefined}
      className={cn(
        'rounded-lg border px-3 py-2',
        message.author_type === 'bot'
          ? 'border-violet-200 bg-violet-50'
          : message.author_type === 'user'
            ? 'border-neutral-200 bg-white'
            : 'border-neutral-200 bg-neutral-100',
      )}
    >
      <header className="flex flex-wrap items-center gap-2 text-xs">
        <span className="font-semibold text-neutral-900">{name}</span>
        {message.round !== null ? (
          <Badge className="bg-violet-100 text-violet-800">
            {t('sessions.roundN', { round: message.round })}
          </Badge>
        ) : null}
        {message.llm?.demo ? <DemoBadge /> : null}
        <time
          className="ml-auto text-neutral-500 tabular-nums"
          dateTime={message.created_at}
          title={formatFullTime(message.created_at, i18n.language)}
        >
          {formatMessageTime(message.created_at, i18n.language)}
        </time>
      </header>
      <p
        className={cn(
          'mt-1 text-sm break-words whitespace-pre-wrap',
          message.text ? 'text-neutral-900' : 'text-neutral-400 italic',
        )}
      >
        {message.text || t('messages.noText')}
      </p>
      {message.llm ? <LlmMeta llm={message.llm} /> : null}
    </article>
  );
}
