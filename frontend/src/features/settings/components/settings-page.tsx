// Settings: takeover minutes, context size, the bot's username and id, and the built-in
// parameter defaults (the lowest preset layer). Each saves on its own; viewers and moderators
// see the values read-only.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Button } from '@/components/ui/button';
import { Field } from '@/components/ui/field';
import { Input, Textarea } from '@/components/ui/input';
import { EmptyState, ErrorText, PageShell, Section } from '@/components/ui/page';
import { Select } from '@/components/ui/select';
import { usePermission } from '@/hooks/use-permissions';
import { TONES, VERBOSITIES, type Setting } from '@/lib/api/behaviour';
import { isApiError } from '@/lib/api/errors';
import { useSettings, useUpdateSetting } from '../api/settings';

type Kind = 'integer' | 'username' | 'optionalInteger';
const SCALARS: { key: string; kind: Kind }[] = [
  { key: 'takeover.minutes', kind: 'integer' },
  { key: 'context.messages', kind: 'integer' },
  { key: 'bot.username', kind: 'username' },
  { key: 'bot.id', kind: 'optionalInteger' },
];

function toText(value: unknown): string {
  return value === null || value === undefined
    ? ''
    : typeof value === 'string'
      ? value
      : JSON.stringify(value);
}

function fromText(kind: Kind, text: string): unknown {
  const trimmed = text.trim();
  if (kind === 'username') return trimmed === '' ? null : trimmed.replace(/^@/, '');
  if (trimmed === '' && kind === 'optionalInteger') return null;
  return Number(trimmed);
}

export function SettingsPage() {
  const { t } = useTranslation();
  const settings = useSettings();
  const byKey = new Map((settings.data?.items ?? []).map((s) => [s.key, s]));

  return (
    <PageShell title={t('nav.settings')}>
      {settings.isPending ? (
        <EmptyState>{t('common.loading')}</EmptyState>
      ) : (
        <div className="grid gap-4 lg:grid-cols-2">
          <Section title={t('settings.general')}>
            <div className="space-y-4">
              {SCALARS.map(({ key, kind }) => (
                <ScalarSetting
                  key={`${key}:${toText(byKey.get(key)?.value)}`}
                  setting={byKey.get(key)}
                  name={key}
                  kind={kind}
                />
              ))}
            </div>
          </Section>
          <Section title={t('settings.defaults')}>
            <DefaultsSetting
              key={toText(byKey.get('preset.defaults')?.value)}
              setting={byKey.get('preset.defaults')}
            />
          </Section>
        </div>
      )}
    </PageShell>
  );
}

function SaveRow({
  children,
  error,
  pending,
  disabled,
}: {
  children: ReactNode;
  error: unknown;
  pending: boolean;
  disabled: boolean;
}) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  return (
    <div className="space-y-2">
      {children}
      <ErrorText>
        {error
          ? isApiError(error)
            ? error.detail
            : error instanceof Error
              ? error.message
              : null
          : null}
      </ErrorText>
      {canConfigure ? (
        <Button type="submit" size="sm" disabled={pending || disabled}>
          {t('common.save')}
        </Button>
      ) : null}
    </div>
  );
}

function ScalarSetting({
  setting,
  name,
  kind,
}: {
  setting: Setting | undefined;
  name: string;
  kind: Kind;
}) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const [text, setText] = useState(toText(setting?.value));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({ key: name, value: fromText(kind, text) });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow
        error={update.error}
        pending={update.isPending}
        disabled={text === toText(setting?.value)}
      >
        <Field
          label={t(`settings.keys.${name as 'bot.id'}`)}
          hint={t(`settings.hints.${name as 'bot.id'}`)}
        >
          <Input
            type={kind === 'username' ? 'text' : 'number'}
            readOnly={!canConfigure}
            value={text}
            onChange={(e) => setText(e.target.value)}
          />
        </Field>
      </SaveRow>
    </form>
  );
}

type Defaults = Record<
  'temperature' | 'max_tokens' | 'tone' | 'verbosity' | 'emotional_intensity' | 'persona',
  string
>;

function DefaultsSetting({ setting }: { setting: Setting | undefined }) {
  const { t } = useTranslation();
  const canConfigure = usePermission('configure');
  const update = useUpdateSetting();
  const value = (setting?.value ?? {}) as Record<string, unknown>;
  const [form, setForm] = useState<Defaults>({
    temperature: toText(value.temperature),
    max_tokens: toText(value.max_tokens),
    tone: toText(value.tone) || 'neutral',
    verbosity: toText(value.verbosity) || 'short',
    emotional_intensity: toText(value.emotional_intensity),
    persona: toText(value.persona),
  });
  const set = (key: keyof Defaults) => (v: string) => setForm((f) => ({ ...f, [key]: v }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    update.mutate({
      key: 'preset.defaults',
      value: {
        temperature: Number(form.temperature),
        max_tokens: Number(form.max_tokens),
        tone: form.tone,
        verbosity: form.verbosity,
        emotional_intensity: Number(form.emotional_intensity),
        persona: form.persona,
      },
    });
  };
  return (
    <form onSubmit={submit}>
      <SaveRow error={update.error} pending={update.isPending} disabled={false}>
        <p className="text-xs text-neutral-500">{t('settings.defaultsHint')}</p>
        <fieldset disabled={!canConfigure} className="grid grid-cols-2 gap-3">
          <Field label={t('params.temperature')}>
            <Input
              type="number"
              min={0}
              max={2}
              step={0.05}
              value={form.temperature}
              onChange={(e) => set('temperature')(e.target.value)}
            />
          </Field>
          <Field label={t('params.max_tokens')}>
            <Input
              type="number"
              min={1}
              max={32000}
              value={form.max_tokens}
              onChange={(e) => set('max_tokens')(e.target.value)}
            />
          </Field>
          <Field label={t('params.tone')}>
            <Select value={form.tone} onChange={(e) => set('tone')(e.target.value)}>
              {TONES.map((tone) => (
                <option key={tone} value={tone}>
                  {t(`params.toneValue.${tone}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('params.verbosity')}>
            <Select value={form.verbosity} onChange={(e) => set('verbosity')(e.target.value)}>
              {VERBOSITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`params.verbosityValue.${v}`)}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('params.emotional_intensity')}>
            <Input
              type="number"
              min={0}
              max={100}
              value={form.emotional_intensity}
              onChange={(e) => set('emotional_intensity')(e.target.value)}
            />
          </Field>
          <div className="col-span-2">
            <Field label={t('params.persona')}>
              <Textarea
                rows={3}
                value={form.persona}
                onChange={(e) => set('persona')(e.target.value)}
              />
            </Field>
          </div>
        </fieldset>
      </SaveRow>
    </form>
  );
}
