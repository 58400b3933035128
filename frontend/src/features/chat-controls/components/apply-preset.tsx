// "Apply a preset globally, to this chat or to this user, for N hours": binds an existing preset
// (empty hours = permanently); "This user" shows when the history is filtered to one user. Below
// the form, the presets in force here (global, this chat, this user, this user in this chat) with
// a live countdown to each expiry. Expired bindings stop applying on the server's clock, no job
// needed.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input } from '@/components/ui/input';
import { ErrorText } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { isApiError } from '@/lib/api/errors';
import { useBindings } from '@/lib/api/list-bindings';
import { cn } from '@/lib/utils/cn';
import { usePresets } from '@/lib/api/presets';
import { useCreateBinding } from '../api/presets';
import { formatRemaining, relevantBindings } from '../utils/bindings';
import { parseHours } from '../utils/param-form';

type Scope = 'global' | 'chat' | 'user';

export function ApplyPreset({ chatId, userId }: { chatId: number; userId?: number }) {
  const { t } = useTranslation();
  const presets = usePresets();
  const bind = useCreateBinding();
  const scopeName = useId();
  const [presetId, setPresetId] = useState('');
  const [hours, setHours] = useState('');
  const [chosenScope, setScope] = useState<Scope>('chat');
  const [done, setDone] = useState<string | null>(null);
  const hoursValue = parseHours(hours);
  // "This user" disappears when the user filter is cleared; the choice falls back to the chat.
  const scope: Scope = chosenScope === 'user' && userId === undefined ? 'chat' : chosenScope;
  const scopes: Scope[] = userId === undefined ? ['global', 'chat'] : ['global', 'chat', 'user'];

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!presetId || hoursValue === null) return;
    const target =
      scope === 'global'
        ? { scope: 'global' as const }
        : scope === 'user'
          ? { scope: 'user' as const, user_id: userId }
          : { scope: 'chat' as const, chat_id: chatId };
    bind.mutate(
      { ...target, preset_id: Number(presetId), hours: hoursValue },
      {
        onSuccess: () => {
          const name = presets.data?.items.find((p) => p.id === Number(presetId))?.name ?? '';
          const global = scope === 'global';
          setDone(
            hoursValue
              ? t(global ? 'controls.appliedGlobally' : 'controls.appliedFor', {
                  name,
                  hours: hoursValue,
                })
              : t(global ? 'controls.appliedGloballyPermanently' : 'controls.appliedPermanently', {
                  name,
                }),
          );
        },
      },
    );
  };

  const submitLabel =
    scope === 'global'
      ? t('controls.applyGlobally')
      : scope === 'user'
        ? t('controls.applyToUser')
        : t('controls.applyToChat');

  return (
    <div className="space-y-3">
      <form className="space-y-2" onSubmit={submit}>
        <div
          role="radiogroup"
          aria-label={t('controls.scope')}
          className="flex flex-wrap gap-x-3 gap-y-1"
        >
          {scopes.map((value) => (
            <label
              key={value}
              className="flex cursor-pointer items-center gap-1.5 text-xs text-neutral-700"
            >
              <input
                type="radio"
                name={scopeName}
                value={value}
                checked={scope === value}
                onChange={() => setScope(value)}
                className="accent-neutral-900"
              />
              {t(
                value === 'global'
                  ? 'controls.scopeGlobal'
                  : value === 'user'
                    ? 'controls.scopeUser'
                    : 'controls.scopeChat',
              )}
            </label>
          ))}
        </div>
        <div className="grid grid-cols-[1fr_5.5rem] gap-2">
          <Field label={t('controls.preset')}>
            <Select value={presetId} onChange={(e) => setPresetId(e.target.value)}>
              <option value="">{t('controls.choosePreset')}</option>
              {presets.data?.items.map((preset) => (
                <option key={preset.id} value={preset.id}>
                  {preset.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('controls.hours')}>
            <Input
              type="number"
              min={1}
              step={1}
              placeholder="∞"
              value={hours}
              aria-invalid={hoursValue === null}
              onChange={(e) => setHours(e.target.value)}
            />
          </Field>
        </div>
        <Button
          type="submit"
          size="sm"
          className="w-full"
          disabled={!presetId || hoursValue === null || bind.isPending}
        >
          {submitLabel}
        </Button>
        <ErrorText>
          {bind.error ? (isApiError(bind.error) ? bind.error.detail : bind.error.message) : null}
        </ErrorText>
        {done && !bind.error ? (
          <p role="status" className="text-xs text-emerald-700">
            {done}
          </p>
        ) : null}
      </form>
      <ActiveBindings chatId={chatId} userId={userId} />
    </div>
  );
}

function ActiveBindings({ chatId, userId }: { chatId: number; userId?: number }) {
  const { t } = useTranslation();
  const bindings = useBindings(true);
  const headingId = useId();
  if (!bindings.data) return null;
  const items = relevantBindings(bindings.data.items, chatId, userId);
  return (
    <div aria-labelledby={headingId} role="group" className="space-y-1">
      <p id={headingId} className="text-xs font-medium text-neutral-700">
        {t('controls.activeBindings')}
      </p>
      {items.length === 0 ? (
        <p className="text-xs text-neutral-500">{t('controls.noActiveBindings')}</p>
      ) : (
        <ul className="space-y-1">
          {items.map((b) => (
            <li
              key={b.id}
              className="flex flex-wrap items-baseline justify-between gap-x-2 rounded-md bg-neutral-50 px-2 py-1 text-xs"
            >
              <span className="min-w-0 text-neutral-800">
                {t('controls.bindingLayer', {
                  scope: t(`layers.${b.scope}`),
                  name: b.preset_name,
                })}
              </span>
              {b.expires_at ? (
                <Countdown until={b.expires_at} />
              ) : (
                <span className="text-neutral-500">{t('controls.permanent')}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** "ends in 1 h 5 min", refreshed every 15 s; the exact time on hover. */
export function Countdown({ until, className }: { until: string; className?: string }) {
  const { t, i18n } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 15_000);
    return () => window.clearInterval(timer);
  }, []);
  const end = new Date(until);
  return (
    <time
      dateTime={until}
      title={end.toLocaleString(i18n.language)}
      className={cn('text-neutral-500 tabular-nums', className)}
    >
      {t('controls.endsIn', { time: formatRemaining(end.getTime() - now, i18n.language) })}
    </time>
  );
}
